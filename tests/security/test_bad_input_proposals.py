"""Bad input to proposals: script in every text field, bad form values, hostile uploads and file
names, comments, tampered and unknown ids, hostile list queries and bulk moves in the review
queue. Each is answered with a clear error (or rendered harmless), and nothing is lost or
corrupted."""

import re
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals.models import Comment, Proposal, ProposalAttachment, ProposalImage, State
from tests import factories
from tests.security.bad_input import (
    ATTRIBUTE_BREAK,
    PLAIN_PDF,
    SCRIPT,
    admin_denied,
    create_url,
    en,
    form_data,
    gif,
    jpeg,
    multipart,
    problems,
    shows_an_error,
    truncated_jpeg,
)

pytestmark = pytest.mark.django_db


# --- Script in every text field, rendered escaped ----------------------------------------------

TEXT_FIELDS = [
    "title",
    "summary",
    "description",
    "location_text",
    "organisation_name",
    "contact_person",
    "image_alt",
]


@pytest.mark.parametrize("payload", [SCRIPT, ATTRIBUTE_BREAK], ids=["script", "attribute-break"])
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_script_in_a_text_field_is_kept_as_text_and_rendered_escaped(
    client, resident, ideas_round, field, payload
):
    data = form_data(
        ideas_round,
        submitter_kind="association",
        organisation_name="Kulturforeningen",
        contact_person="Ida",
    )
    data[field] = payload
    if field == "image_alt":
        data["images"] = SimpleUploadedFile("gaard.jpg", jpeg(), content_type="image/jpeg")
    response = client.post(create_url(ideas_round, english=False), {**data, "submit": "1"})
    assert response.status_code == HTTPStatus.FOUND, problems(response.content.decode())
    proposal = Proposal.objects.get()
    assert proposal.state == State.SUBMITTED
    if field == "description":
        assert "<script" not in proposal.description and "onerror" not in proposal.description
    elif field == "image_alt":
        assert proposal.images.get().alt_text == payload  # kept exactly as typed
    else:
        assert getattr(proposal, field) == payload
    pages = [
        client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode(),
        client.get(reverse("proposals:list", args=[ideas_round.pk])).content.decode(),
        client.get(reverse("my_borgerbudget")).content.decode(),
        client.get(reverse("proposals:edit", args=[proposal.pk])).content.decode(),
    ]
    for html in pages:
        assert payload not in html
        assert "<script>alert" not in html and "<img src=x onerror" not in html
    if field != "description":  # the description is cleaned, the rest escaped
        assert any(
            "&lt;" in html and ("&lt;script&gt;" in html or "&lt;img" in html) for html in pages
        )


# --- The proposal form: numbers, lengths, ids and choices -----------------------------------------

FORM_CASES = [
    pytest.param({"estimated_cost": "-1"}, "at least 1 kr.", id="cost-negative"),
    pytest.param({"estimated_cost": "0"}, "at least 1 kr.", id="cost-zero"),
    pytest.param({"estimated_cost": "1e30"}, "whole number", id="cost-1e30"),
    pytest.param({"estimated_cost": "12.5"}, "whole number", id="cost-decimal"),
    pytest.param({"estimated_cost": "1 000,5"}, "whole number", id="cost-danish-decimal"),
    pytest.param({"estimated_cost": "١٢٣"}, "between", id="cost-arabic-digits-below-min"),
    pytest.param({"estimated_cost": ""}, "estimated cost", id="cost-empty"),
    pytest.param({"estimated_cost": "100001"}, "between", id="cost-over-round-max"),
    pytest.param({"estimated_cost": "9" * 40}, "more than any round", id="cost-overflow"),
    pytest.param({"title": "x" * 121}, "120", id="title-overlong"),
    pytest.param({"summary": "x" * 301}, "300", id="summary-overlong"),
    pytest.param({"location_text": "x" * 201}, "200", id="location-overlong"),
    pytest.param(
        {"submitter_kind": "association", "organisation_name": "x" * 201, "contact_person": "I"},
        "200",
        id="organisation-overlong",
    ),
    pytest.param({"image_alt": "x" * 251}, "250", id="image-alt-overlong"),
    pytest.param({"cvr_number": "12ab5678"}, "8 digits", id="cvr-letters"),
    pytest.param({"cvr_number": "123456789"}, "at most 8 characters", id="cvr-nine-digits"),
    pytest.param({"latitude": "91", "longitude": "12.5"}, "outside", id="lat-out-of-range"),
    pytest.param({"latitude": "55.7", "longitude": "-200"}, "outside", id="lng-out-of-range"),
    pytest.param({"latitude": "55.7"}, "incomplete", id="lat-without-lng"),
    pytest.param({"longitude": "12.5"}, "incomplete", id="lng-without-lat"),
    pytest.param({"latitude": "NaN", "longitude": "12.5"}, "number", id="lat-nan"),
    pytest.param({"category": "999999"}, "valid choice", id="category-unknown"),
    pytest.param({"category": "OTHER_ROUND"}, "valid choice", id="category-of-another-round"),
    pytest.param({"check": "maybe"}, "valid choice", id="checklist-maybe"),
]


@pytest.mark.parametrize(("overrides", "error"), FORM_CASES)
def test_bad_proposal_form_value_is_explained_and_nothing_is_submitted(
    client, resident, ideas_round, committee, overrides, error
):
    overrides = dict(overrides)
    if overrides.get("category") == "OTHER_ROUND":
        other = factories.budget_round(committee=committee, phase="ideas")
        foreign_category = other.categories.create(name="Andet")
        other.save()
        overrides["category"] = str(foreign_category.pk)
    if "check" in overrides:
        overrides[f"check_{ideas_round.checklist.first().pk}"] = overrides.pop("check")
    data = form_data(ideas_round, **overrides)
    response = client.post(create_url(ideas_round), {**data, "submit": "1"})
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert error.lower() in html.lower()
    assert shows_an_error(html)
    assert "Legeplads i gården" in html or "title" in overrides  # what was typed is kept
    assert not Proposal.objects.filter(state=State.SUBMITTED).exists()
    for draft in Proposal.objects.all():  # a saved draft holds what was typed, nothing else
        assert draft.title == data["title"]


# --- Uploads ----------------------------------------------------------------------------------


UPLOAD_REFUSALS = [
    pytest.param(
        "images",
        "kat.jpg",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        "JPEG, PNG, WebP",
        id="svg-named-jpg",
    ),
    pytest.param(
        "images",
        "kat.png",
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        "JPEG, PNG, WebP",
        id="html-named-png",
    ),
    pytest.param("images", "kat.jpg", PLAIN_PDF, "JPEG, PNG, WebP", id="pdf-named-jpg"),
    pytest.param("images", "kat.gif", gif(), "JPEG, PNG, WebP", id="gif"),
    pytest.param(
        "images",
        "bred.png",
        factories.png_header_only(width=9000, height=10),
        "too large",
        id="9000px-wide",
    ),
    pytest.param(
        "images",
        "stor.png",
        factories.png_header_only(width=7100, height=7100),
        "too large",
        id="50-megapixels",
    ),
    pytest.param(
        "images",
        "bombe.png",
        factories.png_header_only(width=60000, height=60000),
        "implausibly large",
        id="bomb",
    ),
    pytest.param("images", "halv.jpg", truncated_jpeg(), "could not be read", id="truncated-jpeg"),
    pytest.param(
        "images",
        "stor.jpg",
        b"\xff\xd8\xff" + b"\0" * (15 * 1024 * 1024),
        "at most 15 MB",
        id="image-over-15mb",
    ),
    pytest.param(
        "attachment",
        "bilag.pdf",
        PLAIN_PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript >>"),
        "contains scripts",
        id="pdf-with-javascript",
    ),
    pytest.param(
        "attachment",
        "bilag.pdf",
        PLAIN_PDF.replace(b"/Type /Catalog", b"/Type /Catalog /Names << /J#61vaScript 2 0 R >>"),
        "contains scripts",
        id="pdf-with-hex-escaped-javascript",
    ),
    pytest.param(
        "attachment",
        "bilag.pdf",
        b"<html><body><script>alert(1)</script></body></html>",
        "Upload a PDF",
        id="html-named-pdf",
    ),
    pytest.param(
        "attachment",
        "bilag.pdf",
        b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n",
        "at most 10 MB",
        id="pdf-over-10mb",
    ),
]


@pytest.mark.parametrize(("field", "name", "content", "error"), UPLOAD_REFUSALS)
def test_hostile_upload_is_refused_and_nothing_is_stored(
    client, resident, ideas_round, field, name, content, error
):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = client.post(
        create_url(ideas_round), {**form_data(ideas_round), field: upload, "submit": "1"}
    )
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert error in html
    assert shows_an_error(html)
    assert "Legeplads i gården" in html  # the typed text is still there
    assert not Proposal.objects.exists()
    assert not ProposalImage.objects.exists() and not ProposalAttachment.objects.exists()


def test_six_images_are_refused(client, resident, ideas_round):
    uploads = [SimpleUploadedFile(f"{i}.jpg", jpeg(), "image/jpeg") for i in range(6)]
    response = client.post(
        create_url(ideas_round), {**form_data(ideas_round), "images": uploads, "save": "1"}
    )
    assert response.status_code == HTTPStatus.OK
    assert "At most 5 images" in response.content.decode()
    assert not ProposalImage.objects.exists()


HOSTILE_NAMES = [
    pytest.param("images", b'filename="../../../etc/passwd.jpg"', id="name-dot-dot-slash"),
    pytest.param("images", b'filename="..\\\\..\\\\boot.ini.jpg"', id="name-backslashes"),
    pytest.param("images", b"filename*=UTF-8''ka%00t.jpg", id="name-nul"),
    pytest.param("images", b"filename*=UTF-8''ka%0D%0At.jpg", id="name-newline"),
    pytest.param("images", b'filename="<script>alert(1)<script>.jpg"', id="name-script"),
    pytest.param(
        "attachment",
        b'filename="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.pdf"',
        id="pdf-name-html",
    ),
]


@pytest.mark.parametrize(("field", "disposition"), HOSTILE_NAMES)
def test_hostile_file_name_is_stored_under_a_safe_name(
    client, resident, ideas_round, field, disposition
):
    content = jpeg() if field == "images" else PLAIN_PDF
    body, content_type = multipart(
        {**form_data(ideas_round), "save": "1"}, [(field, disposition, content)]
    )
    response = client.post(create_url(ideas_round), body, content_type=content_type)
    assert response.status_code == HTTPStatus.FOUND, problems(response.content.decode())
    proposal = Proposal.objects.get()
    if field == "images":
        stored = proposal.images.get().image.file.name
        assert re.fullmatch(r"original_images/[A-Za-z0-9_-]+\.jpg", stored), stored
    else:
        attachment = proposal.attachments.get()
        assert re.fullmatch(r"[a-z0-9_-]+\.pdf", attachment.title), attachment.title
        assert re.fullmatch(r"[\w/-]+\.pdf", attachment.file.name), attachment.file.name
    html = client.get(reverse("proposals:edit", args=[proposal.pk])).content.decode()
    assert "<script>alert" not in html and "<img src=x onerror" not in html


# --- Comments ---------------------------------------------------------------------------------

COMMENT_CASES = [
    pytest.param("", "Write a comment.", 0, id="empty"),
    pytest.param("   \n\t ", "Write a comment.", 0, id="only-whitespace"),
    pytest.param("x" * 2001, "at most 2000 characters", 0, id="2001-chars"),
    pytest.param("x" * 100_000, "at most 2000 characters", 0, id="100k-chars"),
    pytest.param(SCRIPT, None, 1, id="script-escaped"),
    pytest.param(ATTRIBUTE_BREAK, None, 1, id="attribute-break-escaped"),
]


@pytest.mark.parametrize(("body", "error", "stored"), COMMENT_CASES)
def test_bad_comment_is_explained_or_rendered_harmless(
    client, resident, ideas_round, body, error, stored
):
    proposal = factories.proposal(budget_round=ideas_round, state="submitted")
    response = client.post(en("proposals:comment", proposal.pk), {"body": body})
    assert response.status_code == HTTPStatus.FOUND
    assert Comment.objects.count() == stored
    # Back to the comments with the error, or to the new comment itself.
    anchor = "#comments" if error else f"#comment-{Comment.objects.get().pk}"
    assert response["Location"].endswith(f"/forslag/{proposal.pk}/{anchor}")
    html = client.get(en("proposals:detail", proposal.pk)).content.decode()
    if error:
        assert error in html and "alert-error" in html
    else:
        assert Comment.objects.get().body == body
        assert body not in html and "&lt;" in html


def test_comment_on_someone_elses_draft_is_not_found(client, resident, ideas_round):
    draft = factories.proposal(budget_round=ideas_round, state="draft")
    response = client.post(reverse("proposals:comment", args=[draft.pk]), {"body": "Hej"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not Comment.objects.exists()


# --- Tampered and unknown ids -----------------------------------------------------------------


def _login_me(client, world):
    client.force_login(world.me)


def _login_foreign_moderator(client, world):
    client.force_login(world.foreign_moderator)


# Each row: who, method, url, data, the expected answer.
TAMPERED = [
    ("me", "get", lambda w: reverse("proposals:edit", args=[w.others_draft.pk]), None, 403),
    (
        "me",
        "post",
        lambda w: reverse("proposals:edit", args=[w.others_draft.pk]),
        {"title": "Kapret", "save": "1"},
        403,
    ),
    (
        "me",
        "post",
        lambda w: reverse("proposals:edit", args=[w.others_submitted.pk]),
        {"title": "Kapret", "submit": "1"},
        403,
    ),
    ("me", "post", lambda w: reverse("proposals:withdraw", args=[w.others_submitted.pk]), {}, 404),
    ("me", "post", lambda w: reverse("proposals:withdraw", args=[w.others_draft.pk]), {}, 404),
    ("me", "post", lambda w: reverse("proposals:support", args=[w.others_draft.pk]), {}, 404),
    ("me", "get", lambda w: reverse("proposals:detail", args=[w.others_draft.pk]), None, 404),
    (
        "me",
        "post",
        lambda w: reverse("proposals:comment_hide", args=[w.comment.pk]),
        {"reason": "Jeg kan ikke lide den"},
        404,
    ),
    (
        "foreign_moderator",
        "post",
        lambda w: reverse("proposals:comment_hide", args=[w.comment.pk]),
        {"reason": "Ikke mit udvalg"},
        404,
    ),
    (
        "foreign_moderator",
        "post",
        lambda w: reverse("proposal_review", args=[w.others_submitted.pk]),
        {"target": "in_review", "reason": "Ikke mit udvalg"},
        "admin-denied",
    ),
    (
        "foreign_moderator",
        "post",
        lambda w: reverse("round_schedule", args=[w.ideas.pk]),
        {"phase": "ideas", "new_end": "2099-01-01T12:00", "reason": "Ikke mit udvalg"},
        "admin-denied",
    ),
    (
        "foreign_moderator",
        "post",
        lambda w: reverse("voting_result_confirm", args=[w.results.pk]),
        {"override": "0", "reason": ""},
        "admin-denied",
    ),
    (
        "foreign_moderator",
        "post",
        lambda w: reverse("proposal_queue") + "?state=submitted",
        lambda w: {"selected": [str(w.others_submitted.pk)], "target": "in_review", "reason": "x"},
        "queue-nothing-moved",
    ),
    # Moderation: another committee's moderator neither sees nor decides; a draft or a missing
    # proposal cannot be reported.
    (
        "foreign_moderator",
        "post",
        lambda w: reverse("moderation_proposal", args=[w.others_submitted.pk]),
        {"action": "hide", "reason": "Ikke mit udvalg"},
        404,
    ),
    (
        "foreign_moderator",
        "get",
        lambda w: reverse("moderation_comment", args=[w.comment.pk]),
        None,
        404,
    ),
    (
        "me",
        "post",
        lambda w: reverse("proposals:report", args=[w.others_draft.pk]),
        {"reason": "spam"},
        404,
    ),
    ("me", "post", lambda w: reverse("proposals:report", args=[999999]), {"reason": "spam"}, 404),
    ("me", "get", lambda w: reverse("proposals:detail", args=[999999]), None, 404),
    ("me", "get", lambda w: reverse("proposals:edit", args=[999999]), None, 404),
    ("me", "get", lambda w: reverse("proposals:create", args=[999999]), None, 404),
    ("me", "post", lambda w: reverse("proposals:support", args=[999999]), {}, 404),
    ("me", "post", lambda w: reverse("proposals:comment", args=[999999]), {"body": "Hej"}, 404),
    ("me", "post", lambda w: reverse("proposals:comment_flag", args=[999999]), {}, 404),
    ("me", "get", lambda w: reverse("voting:ballot", args=[999999]), None, 404),
    ("me", "get", lambda w: reverse("voting:results", args=[w.voting.pk]), None, 404),
    (
        "foreign_moderator",
        "get",
        lambda w: reverse("proposal_review", args=[999999]),
        None,
        404,
    ),
]
TAMPERED_IDS = [
    "edit-others-draft-get",
    "edit-others-draft-post",
    "edit-others-submitted-post",
    "withdraw-others-proposal",
    "withdraw-others-draft",
    "support-others-draft",
    "view-others-draft",
    "hide-comment-as-resident",
    "hide-comment-as-other-committees-moderator",
    "admin-review-other-committee",
    "admin-schedule-other-committee",
    "admin-result-confirm-other-committee",
    "admin-queue-bulk-move-other-committee",
    "moderation-hide-other-committee",
    "moderation-comment-other-committee",
    "report-others-draft",
    "report-unknown-proposal",
    "unknown-proposal-detail",
    "unknown-proposal-edit",
    "unknown-round-create",
    "unknown-proposal-support",
    "unknown-proposal-comment",
    "unknown-comment-flag",
    "unknown-round-ballot",
    "results-before-voting-closed",
    "admin-review-unknown-proposal",
]


@pytest.mark.parametrize(("who", "method", "url", "data", "expected"), TAMPERED, ids=TAMPERED_IDS)
def test_tampered_or_unknown_id_is_refused_and_nothing_changes(
    client, world, who, method, url, data, expected
):
    client.force_login(getattr(world, who))
    before = world.snapshot()
    if callable(data):
        data = data(world)
    target = url(world)
    response = client.get(target) if method == "get" else client.post(target, data or {})
    if expected == "admin-denied":
        assert admin_denied(response), (response.status_code, response.get("Location"))
    elif expected == "queue-nothing-moved":  # the foreign id is silently out of reach
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == reverse("proposal_queue") + "?state=submitted"
    else:
        assert response.status_code == expected
    assert world.snapshot() == before


def test_support_of_a_proposal_in_a_closed_round_is_refused_with_a_reason(client, world):
    _login_me(client, world)
    before = world.snapshot()
    response = client.post(en("proposals:support", world.on_ballot.pk), follow=True)
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "until the review ends" in html and "alert-error" in html
    assert world.snapshot() == before


def test_support_of_a_rejected_proposal_is_refused_with_a_reason(client, world):
    _login_me(client, world)
    before = world.snapshot()
    response = client.post(en("proposals:support", world.rejected.pk), follow=True)
    assert "cannot be supported" in response.content.decode()
    assert world.snapshot() == before


def test_withdrawing_after_voting_opened_is_refused_with_a_reason(client, world):
    _login_me(client, world)
    before = world.snapshot()
    response = client.post(en("proposals:withdraw", world.my_on_ballot.pk), follow=True)
    assert "before voting opens" in response.content.decode()
    assert world.snapshot() == before


# --- URLs and list filters --------------------------------------------------------------------

LIST_QUERIES = [
    pytest.param({"per_page": "-5"}, id="per-page-negative"),
    pytest.param({"per_page": "abc"}, id="per-page-letters"),
    pytest.param({"per_page": "9" * 400}, id="per-page-overflowing"),
    pytest.param({"page": "abc"}, id="page-letters"),
    pytest.param({"page": "-1"}, id="page-negative"),
    pytest.param({"page": "9" * 400}, id="page-overflowing"),
    pytest.param({"sort": SCRIPT}, id="sort-script"),
    pytest.param({"q": SCRIPT}, id="search-script"),
    pytest.param({"q": ATTRIBUTE_BREAK * 500}, id="search-overlong"),
    pytest.param({"cost_min": "1e999", "cost_max": "-1"}, id="cost-filter-bad-numbers"),
    pytest.param({"category": "abc", "state": SCRIPT, "kind": "\x00"}, id="choices-tampered"),
    pytest.param({"view": SCRIPT, "x" * 2000: "y" * 20_000}, id="very-long-query-string"),
]


@pytest.mark.parametrize("params", LIST_QUERIES)
def test_hostile_list_query_gives_a_safe_page(client, ideas_round, params):
    factories.proposal(budget_round=ideas_round, state="submitted", title="Billig bænk")
    response = client.get(en("proposals:list", ideas_round.pk), params)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x onerror" not in html


def test_hostile_comment_page_number_gives_a_safe_page(client, ideas_round):
    proposal = factories.proposal(budget_round=ideas_round, state="submitted")
    url = reverse("proposals:detail", args=[proposal.pk])
    for value in ["abc", "-1", "9" * 400, SCRIPT]:
        response = client.get(url, {"comments": value})
        assert response.status_code == HTTPStatus.OK
        assert "<script>alert" not in response.content.decode()


# --- Review queue: bulk moves ---------------------------------------------------------------


@pytest.mark.parametrize("selected", ["²", "9" * 40, "-3"])
def test_hostile_ids_in_a_bulk_move_move_nothing(client, committee, moderator, selected):
    budget_round = factories.budget_round(committee=committee, phase="ideas")
    proposal = factories.proposal(budget_round=budget_round, state="submitted")
    client.force_login(moderator)
    queue = reverse("proposal_queue") + "?state=submitted"
    response = client.post(
        queue, {"selected": [selected, str(proposal.pk)], "target": "in_review", "reason": "x"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == queue
    # The good id in the same request is moved; the hostile one is ignored.
    assert Proposal.objects.get(pk=proposal.pk).state == "in_review"
