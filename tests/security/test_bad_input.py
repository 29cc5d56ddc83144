"""The bad-input catalogue: hostile, broken and tampered input to every form, upload, URL and
WebSocket message, each answered with a clear error and nothing lost or corrupted.

Cases (parametrized rows and single cases), by group:
    text fields with script payloads ......... 14
    proposal form values ..................... 24
    uploads and file names ................... 20
    comments .................................. 7
    tampered and unknown ids ................. 25
    voting ballots and one-time codes ........ 22
    CSRF-less POSTs .......................... 12
    URLs and list filters .................... 22
    WebSocket messages ....................... 13
    total ................................... 159
"""

import asyncio
import datetime
import io
import re
import struct
import zlib
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from committees import services as committee_services
from proposals import services as proposal_services
from proposals.models import Comment, Proposal, ProposalAttachment, ProposalImage, State, Support
from tests import factories
from voting import services as voting_services
from voting.models import Ballot, RoundResult, VotingCode

pytestmark = pytest.mark.django_db
_form_data = factories.proposal_form_data

SCRIPT = '<script>alert("x")</script>'
ATTRIBUTE_BREAK = '"><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and wrong-code counters live in the cache; no case inherits another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def committee(home_page):
    return factories.committee("Østerbro Lokaludvalg")


@pytest.fixture
def ideas_round(committee):
    budget_round = factories.budget_round(committee=committee, phase="ideas", max_cost=100_000)
    budget_round.categories.create(name="Grønt")
    budget_round.checklist.create(text="Åben for alle?")
    budget_round.save()  # the round is a cluster: inline children are stored on save
    return budget_round


@pytest.fixture
def resident(client):
    person = factories.user()
    client.force_login(person)
    return person


def _en(name, args=None):
    """A URL under /en/, where messages are in English, the source language."""
    with translation.override("en"):
        return reverse(name, args=args)


def _create_url(budget_round, english=True):
    if english:
        return _en("proposals:create", args=[budget_round.pk])
    return reverse("proposals:create", args=[budget_round.pk])


def _problems(html: str) -> list[str]:
    """The error texts of a page, for assertion messages."""
    return re.findall(r'class="[^"]*(?:alert-text|error)[^"]*"[^>]*>(.*?)</', html, re.S)


def _shows_an_error(html: str) -> bool:
    return 'aria-invalid="true"' in html or "alert-error" in html


def _jpeg(size=(32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "green").save(out, "JPEG")
    return out.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims the given size, with almost no pixel data behind it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (8, 8)).save(out, "GIF")
    return out.getvalue()


PLAIN_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


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
    data = _form_data(
        ideas_round,
        submitter_kind="association",
        organisation_name="Kulturforeningen",
        contact_person="Ida",
    )
    data[field] = payload
    if field == "image_alt":
        data["images"] = SimpleUploadedFile("gaard.jpg", _jpeg(), content_type="image/jpeg")
    response = client.post(_create_url(ideas_round, english=False), {**data, "submit": "1"})
    assert response.status_code == HTTPStatus.FOUND, _problems(response.content.decode())
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
        client.get(reverse("proposals:mine")).content.decode(),
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
    data = _form_data(ideas_round, **overrides)
    response = client.post(_create_url(ideas_round), {**data, "submit": "1"})
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert error.lower() in html.lower()
    assert _shows_an_error(html)
    assert "Legeplads i gården" in html or "title" in overrides  # what was typed is kept
    assert not Proposal.objects.filter(state=State.SUBMITTED).exists()
    for draft in Proposal.objects.all():  # a saved draft holds what was typed, nothing else
        assert draft.title == data["title"]


# --- Uploads ----------------------------------------------------------------------------------


def _multipart(fields: dict, files: list[tuple[str, bytes, bytes]]) -> tuple[bytes, str]:
    """A multipart body built by hand, so file names reach the server exactly as given."""
    boundary = "----catalogue-boundary-5f1c"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + str(value).encode()
            + b"\r\n"
        )
    for field, disposition_name, content in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '.encode()
            + disposition_name
            + b"\r\nContent-Type: application/octet-stream\r\n\r\n"
            + content
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _truncated_jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((256, 256), 64).convert("RGB").save(out, "JPEG")
    return out.getvalue()[:1500]


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
    pytest.param("images", "kat.gif", _gif(), "JPEG, PNG, WebP", id="gif"),
    pytest.param("images", "bred.png", _png_header_only(9000, 10), "too large", id="9000px-wide"),
    pytest.param(
        "images", "stor.png", _png_header_only(7100, 7100), "too large", id="50-megapixels"
    ),
    pytest.param(
        "images", "bombe.png", _png_header_only(60000, 60000), "implausibly large", id="bomb"
    ),
    pytest.param("images", "halv.jpg", _truncated_jpeg(), "could not be read", id="truncated-jpeg"),
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
        _create_url(ideas_round), {**_form_data(ideas_round), field: upload, "submit": "1"}
    )
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert error in html
    assert _shows_an_error(html)
    assert "Legeplads i gården" in html  # the typed text is still there
    assert not Proposal.objects.exists()
    assert not ProposalImage.objects.exists() and not ProposalAttachment.objects.exists()


def test_six_images_are_refused(client, resident, ideas_round):
    uploads = [SimpleUploadedFile(f"{i}.jpg", _jpeg(), "image/jpeg") for i in range(6)]
    response = client.post(
        _create_url(ideas_round), {**_form_data(ideas_round), "images": uploads, "save": "1"}
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
    content = _jpeg() if field == "images" else PLAIN_PDF
    body, content_type = _multipart(
        {**_form_data(ideas_round), "save": "1"}, [(field, disposition, content)]
    )
    response = client.post(_create_url(ideas_round), body, content_type=content_type)
    assert response.status_code == HTTPStatus.FOUND, _problems(response.content.decode())
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
    pytest.param("", "This field is required", 0, id="empty"),
    pytest.param("   \n\t ", "This field is required", 0, id="only-whitespace"),
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
    response = client.post(_en("proposals:comment", args=[proposal.pk]), {"body": body})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].endswith(f"/forslag/{proposal.pk}/#comments")
    html = client.get(_en("proposals:detail", args=[proposal.pk])).content.decode()
    assert Comment.objects.count() == stored
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


class World:
    """Two committees, each with rounds and proposals; `me` is the signed-in resident."""

    def __init__(self, home_page):
        self.committee = factories.committee("Østerbro Lokaludvalg")
        self.foreign_committee = factories.committee("Vesterbro Lokaludvalg", district_name="Vest")
        self.ideas = factories.budget_round(committee=self.committee, phase="ideas")
        self.ideas.categories.create(name="Grønt")
        self.ideas.checklist.create(text="Åben for alle?")
        self.ideas.save()
        self.voting = factories.budget_round(
            committee=self.committee, phase="voting", ballot_style="approval"
        )
        self.results = factories.budget_round(committee=self.committee, phase="results")
        self.me = factories.user()
        self.someone = factories.user()
        self.others_draft = factories.proposal(
            budget_round=self.ideas, author=self.someone, state="draft", title="Fremmed kladde"
        )
        self.others_submitted = factories.proposal(
            budget_round=self.ideas, author=self.someone, state="submitted", title="Fremmed"
        )
        self.my_submitted = factories.proposal(
            budget_round=self.ideas, author=self.me, state="submitted", title="Min"
        )
        self.rejected = factories.proposal(budget_round=self.ideas, state="rejected")
        self.on_ballot = factories.proposal(budget_round=self.voting, state="feasible")
        self.my_on_ballot = factories.proposal(
            budget_round=self.voting, author=self.me, state="feasible"
        )
        self.result_project = factories.proposal(
            budget_round=self.results, state="feasible", estimated_cost=1_000
        )
        self.comment = proposal_services.comment_add(
            author=self.someone, proposal=self.others_submitted, body="Dumt forslag!"
        )
        # A moderator of the *other* committee, with a queue of their own.
        foreign_round = factories.budget_round(committee=self.foreign_committee, phase="ideas")
        self.foreign_submitted = factories.proposal(budget_round=foreign_round, state="submitted")
        self.foreign_moderator = factories.user()
        committee_services.committee_role_grant(
            user=self.foreign_moderator, committee=self.foreign_committee, role="moderator"
        )

    def snapshot(self) -> dict:
        return {
            "proposals": sorted(
                Proposal.objects.values_list("pk", "title", "state", "support_count")
            ),
            "supports": Support.objects.count(),
            "comments": sorted(Comment.objects.values_list("pk", "body", "hidden")),
            "ballots": Ballot.objects.count(),
            "results": RoundResult.objects.count(),
            "schedule": [
                (r.pk, r.voting_end, r.review_end) for r in type(self.ideas).objects.order_by("pk")
            ],
        }


@pytest.fixture
def world(home_page):
    return World(home_page)


def _login_me(client, world):
    client.force_login(world.me)


def _login_foreign_moderator(client, world):
    client.force_login(world.foreign_moderator)


def _admin_denied(response) -> bool:
    if response.status_code == HTTPStatus.FORBIDDEN:
        return True
    # Wagtail answers a refused admin page with a redirect to the dashboard and a message.
    return response.status_code == HTTPStatus.FOUND and response["Location"] == "/admin/"


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
        assert _admin_denied(response), (response.status_code, response.get("Location"))
    elif expected == "queue-nothing-moved":  # the foreign id is silently out of reach
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == reverse("proposal_queue") + "?state=submitted"
    else:
        assert response.status_code == expected
    assert world.snapshot() == before


def test_support_of_a_proposal_in_a_closed_round_is_refused_with_a_reason(client, world):
    _login_me(client, world)
    before = world.snapshot()
    response = client.post(_en("proposals:support", args=[world.on_ballot.pk]), follow=True)
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "until the review ends" in html and "alert-error" in html
    assert world.snapshot() == before


def test_support_of_a_rejected_proposal_is_refused_with_a_reason(client, world):
    _login_me(client, world)
    before = world.snapshot()
    response = client.post(_en("proposals:support", args=[world.rejected.pk]), follow=True)
    assert "cannot be supported" in response.content.decode()
    assert world.snapshot() == before


def test_withdrawing_after_voting_opened_is_refused_with_a_reason(client, world):
    _login_me(client, world)
    before = world.snapshot()
    response = client.post(_en("proposals:withdraw", args=[world.my_on_ballot.pk]), follow=True)
    assert "before voting opens" in response.content.decode()
    assert world.snapshot() == before


# --- Voting: ballots and one-time codes -------------------------------------------------------


def _verified_voter(client, committee):
    voter = factories.user()
    voting_services.identity_verify(
        user=voter,
        provider="mitid-test",
        subject=f"s-{voter.pk}",
        national_id=f"0101{voter.pk:06d}",
        birth_date=datetime.date(1990, 1, 1),
        area=committee.district,
    )
    client.force_login(voter)
    return voter


def _round_with_projects(committee, style, count=3):
    budget_round = factories.budget_round(
        committee=committee, phase="voting", pot=100_000, ballot_style=style
    )
    projects = [
        factories.proposal(budget_round=budget_round, state=State.FEASIBLE, estimated_cost=10_000)
        for _ in range(count)
    ]
    return budget_round, [str(p.pk) for p in projects]


BALLOT_CASES = [
    pytest.param("cumulative", ["-1"], "whole numbers", id="points-negative"),
    pytest.param("cumulative", ["9999999"], "whole numbers", id="points-huge"),
    pytest.param("cumulative", ["abc"], "whole numbers", id="points-letters"),
    pytest.param("cumulative", ["1e3"], "whole numbers", id="points-exponent"),
    pytest.param("cumulative", ["²"], "whole numbers", id="points-superscript-digit"),
    pytest.param("cumulative", ["6"], "At most 5 points", id="points-over-per-project"),
    pytest.param("cumulative", ["5", "5", "5"], "at most 10 points", id="points-over-total"),
    pytest.param("cumulative", ["0", "0"], "at least one point", id="points-all-zero"),
    pytest.param("ranking", ["1", "1"], "without gaps or repeats", id="ranks-duplicate"),
    pytest.param("ranking", ["1", "3"], "without gaps or repeats", id="ranks-gap"),
    pytest.param("ranking", ["-2"], "whole numbers", id="rank-negative"),
    pytest.param("ranking", ["999999"], "without gaps or repeats", id="rank-huge"),
    pytest.param("approval", "NOT_A_PROJECT", "not on it", id="approval-unknown-project"),
    pytest.param("approval", "HUGE_ID", "not on it", id="approval-overflowing-project-id"),
]


@pytest.mark.parametrize(("style", "values", "error"), BALLOT_CASES)
def test_bad_ballot_is_refused_with_a_reason_and_nothing_is_cast(
    client, committee, style, values, error
):
    budget_round, pids = _round_with_projects(committee, style)
    _verified_voter(client, committee)
    if style == "approval":
        data = {"project": ["abc" if values == "NOT_A_PROJECT" else "9" * 30]}
    else:
        data = {f"value_{pid}": value for pid, value in zip(pids, values, strict=False)}
    response = client.post(_en("voting:ballot", args=[budget_round.pk]), data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert error.lower() in html.lower() and "alert-error" in html
    assert not Ballot.objects.exists()


@pytest.fixture
def code_round(committee):
    budget_round, pids = _round_with_projects(committee, "approval")
    return budget_round, pids


def _post_code(client, budget_round, code, pids):
    return client.post(
        _en("voting:ballot_code", args=[budget_round.pk]),
        {"code": code, "project": pids[:1]},
    )


def test_replayed_one_time_code_is_refused(client, code_round):
    budget_round, pids = code_round
    code = voting_services.codes_generate(budget_round=budget_round, count=1)[0]
    assert _post_code(client, budget_round, code, pids).status_code == HTTPStatus.FOUND
    response = _post_code(Client(), budget_round, code.lower().replace("-", " "), pids)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "already been used" in response.content.decode()
    assert Ballot.objects.count() == 1


CODE_CASES = [
    pytest.param("ANOTHER_ROUND", "not right", id="code-of-another-round"),
    pytest.param("ABC", "12 letters and digits", id="code-too-short"),
    pytest.param("A" * 5000, "12 letters and digits", id="code-overlong"),
    pytest.param(SCRIPT, "12 letters and digits", id="code-script"),
    pytest.param("", "12 letters and digits", id="code-empty"),
]


@pytest.mark.parametrize(("code", "error"), CODE_CASES)
def test_wrong_or_malformed_code_is_refused(client, committee, code_round, code, error):
    budget_round, pids = code_round
    voting_services.codes_generate(budget_round=budget_round, count=1)
    if code == "ANOTHER_ROUND":
        other, _ = _round_with_projects(committee, "approval", count=1)
        code = voting_services.codes_generate(budget_round=other, count=1)[0]
    response = _post_code(client, budget_round, code, pids)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert error in html and "alert-error" in html
    assert "<script>alert" not in html
    assert not Ballot.objects.exists()
    assert not VotingCode.objects.filter(used=True).exists()


def test_five_near_miss_codes_lock_the_real_one(client, code_round):
    budget_round, pids = code_round
    code = voting_services.codes_generate(budget_round=budget_round, count=1)[0]
    prefix = code.replace("-", "")[:4]
    for i in range(5):
        wrong = f"{prefix}ZZZZZZZ{i}"
        response = _post_code(client, budget_round, wrong, pids)
        assert "not right" in response.content.decode()
    response = _post_code(client, budget_round, code, pids)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "locked after too many wrong tries" in response.content.decode()
    assert not Ballot.objects.exists()
    assert VotingCode.objects.get().misses == VotingCode.MAX_MISSES


def test_invalid_ballot_with_a_good_code_keeps_the_code_usable(client, code_round):
    budget_round, pids = code_round
    code = voting_services.codes_generate(budget_round=budget_round, count=1)[0]
    response = client.post(
        _en("voting:ballot_code", args=[budget_round.pk]),
        {"code": code, "project": ["abc"]},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not VotingCode.objects.get().used and not Ballot.objects.exists()
    assert _post_code(client, budget_round, code, pids).status_code == HTTPStatus.FOUND


# --- CSRF-less POSTs --------------------------------------------------------------------------


def _csrf_rows():
    def support(w):
        return reverse("proposals:support", args=[w.others_submitted.pk]), {}

    def comment(w):
        return reverse("proposals:comment", args=[w.others_submitted.pk]), {"body": "Hej"}

    def withdraw(w):
        return reverse("proposals:withdraw", args=[w.my_submitted.pk]), {}

    def flag(w):
        return reverse("proposals:comment_flag", args=[w.comment.pk]), {}

    def create(w):
        return reverse("proposals:create", args=[w.ideas.pk]), {
            **_form_data(w.ideas),
            "submit": "1",
        }

    def edit(w):
        return reverse("proposals:edit", args=[w.my_submitted.pk]), {
            **_form_data(w.ideas, title="Ændret"),
            "save": "1",
        }

    def ballot(w):
        return reverse("voting:ballot", args=[w.voting.pk]), {"project": [str(w.on_ballot.pk)]}

    def code_ballot(w):
        code = voting_services.codes_generate(budget_round=w.voting, count=1)[0]
        return reverse("voting:ballot_code", args=[w.voting.pk]), {
            "code": code,
            "project": [str(w.on_ballot.pk)],
        }

    def set_language(w):
        return reverse("set_language"), {"language": "en", "next": "/"}

    def my_data_delete(w):
        return reverse("my_data"), {"action": "delete", "password": "a-long-test-password-1"}

    def login(w):
        return reverse("account_login"), {
            "login": w.me.email,
            "password": "a-long-test-password-1",
        }

    def hide(w):
        return reverse("proposals:comment_hide", args=[w.comment.pk]), {"reason": "Tone"}

    return [
        pytest.param(support, id="support"),
        pytest.param(comment, id="comment"),
        pytest.param(withdraw, id="withdraw"),
        pytest.param(flag, id="comment-flag"),
        pytest.param(hide, id="comment-hide"),
        pytest.param(create, id="proposal-create"),
        pytest.param(edit, id="proposal-edit"),
        pytest.param(ballot, id="ballot"),
        pytest.param(code_ballot, id="code-ballot"),
        pytest.param(set_language, id="set-language"),
        pytest.param(my_data_delete, id="delete-account"),
        pytest.param(login, id="login"),
    ]


@pytest.mark.parametrize("row", _csrf_rows())
def test_post_without_csrf_token_is_refused_and_nothing_changes(world, row):
    voting_services.identity_verify(
        user=world.me,
        provider="mitid-test",
        subject="me",
        national_id="0101901234",
        birth_date=datetime.date(1990, 1, 1),
        area=world.committee.district,
    )
    committee_services.committee_role_grant(
        user=world.me, committee=world.committee, role="moderator"
    )
    strict = Client(enforce_csrf_checks=True)
    if row.__name__ != "login":
        strict.force_login(world.me)
    url, data = row(world)
    before = world.snapshot()
    users_before = sorted(
        type(world.me).objects.values_list("pk", "preferred_language", "last_login")
    )
    flags_before = sorted(Comment.objects.values_list("pk", "flag_count"))
    codes_before = sorted(VotingCode.objects.values_list("pk", "used", "misses"))
    response = strict.post(url, data)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert world.snapshot() == before
    assert (
        sorted(type(world.me).objects.values_list("pk", "preferred_language", "last_login"))
        == users_before
    )
    assert sorted(Comment.objects.values_list("pk", "flag_count")) == flags_before
    assert sorted(VotingCode.objects.values_list("pk", "used", "misses")) == codes_before


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
    response = client.get(_en("proposals:list", args=[ideas_round.pk]), params)
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


UNKNOWN_PATHS = [
    pytest.param("/forslag/runde/..%2F..%2Fetc%2Fpasswd/", id="traversal-in-round-id"),
    pytest.param("/forslag/../../etc/passwd", id="traversal-dot-dot"),
    pytest.param("/kalender/..%2F..%2Fetc%2Fpasswd.ics", id="traversal-in-calendar-slug"),
    pytest.param("/%2e%2e/%2e%2e/etc/passwd/", id="traversal-in-page-slug"),
    pytest.param("/documents/..%2F..%2Fsettings.py", id="traversal-in-documents"),
    pytest.param("/en/does-not-exist/", id="unknown-page"),
    pytest.param("/afstemning/runde/abc/", id="non-numeric-round"),
    pytest.param("/forslag/runde/0/", id="round-zero"),
    pytest.param("/" + "a" * 5000 + "/", id="very-long-path"),
]


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_unknown_or_traversing_path_is_not_found(client, home_page, path):
    response = client.get(path)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"root:" not in response.content and b"SECRET_KEY" not in response.content


# --- WebSocket messages to /ws/health/ --------------------------------------------------------

ORIGIN = [(b"origin", b"http://localhost")]

WS_MESSAGES = [
    pytest.param({"text_data": "this is not JSON {"}, id="non-json-text"),
    pytest.param({"text_data": " "}, id="blank-text"),
    pytest.param({"text_data": "[1, 2, 3]"}, id="json-list"),
    pytest.param({"text_data": '"ping"'}, id="json-string"),
    pytest.param({"text_data": "null"}, id="json-null"),
    pytest.param({"text_data": '{"type": "subscribe", "group": "admin"}'}, id="unknown-type"),
    pytest.param({"text_data": '{"type": {"$ne": 1}}'}, id="type-not-a-string"),
    pytest.param({"text_data": "[" * 100_000 + "]" * 100_000}, id="deeply-nested-json"),
    pytest.param({"text_data": "x" * 1_000_000}, id="huge-non-json-1mb"),
    pytest.param({"bytes_data": b"\x00\xff binary"}, id="binary-frame"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("frame", WS_MESSAGES)
async def test_bad_websocket_message_gets_an_error_and_the_socket_stays_usable(frame):
    from channels.testing import WebsocketCommunicator

    from pbsite.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/health/", headers=ORIGIN)
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    await communicator.send_to(**frame)
    reply = await communicator.receive_json_from(timeout=5)
    assert reply["type"] == "error" and reply["error"]
    await communicator.send_json_to({"type": "ping", "payload": "still here"})
    assert await communicator.receive_json_from() == {"type": "pong", "payload": "still here"}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_huge_websocket_ping_payload_is_cut_and_answered():
    from channels.testing import WebsocketCommunicator

    from pbsite.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/health/", headers=ORIGIN)
    assert (await communicator.connect())[0]
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "ping", "payload": "<script>" + "x" * 1_000_000})
    reply = await communicator.receive_json_from(timeout=5)
    assert reply["type"] == "pong" and len(reply["payload"]) <= 200
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param([(b"origin", b"https://evil.example")], id="foreign-origin"),
        pytest.param([(b"origin", b"null")], id="null-origin"),
    ],
)
async def test_websocket_from_a_bad_origin_is_refused(headers):
    from channels.testing import WebsocketCommunicator

    from pbsite.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/health/", headers=headers)
    connected, _ = await communicator.connect()
    assert not connected
    await asyncio.sleep(0)
