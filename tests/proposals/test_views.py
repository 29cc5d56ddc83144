"""The proposal pages as a resident uses them, including every refused input."""

import io
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from proposals import services
from proposals.models import Proposal, State
from tests import factories

pytestmark = pytest.mark.django_db
_form_data = factories.proposal_form_data


@pytest.fixture
def resident(client):
    person = factories.user()
    client.force_login(person)
    return person


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "green")
    exif = Image.Exif()
    exif[0x010F] = "Kamera"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (55.0, 41.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_resident_submits_a_proposal_with_an_image(client, resident, ideas_round):
    upload = SimpleUploadedFile("foto.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(
        reverse("proposals:create", args=[ideas_round.pk]),
        {**_form_data(ideas_round), "images": upload, "image_alt": "Gården i dag", "submit": "1"},
    )
    proposal = Proposal.objects.get()
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    assert response["Location"] == reverse("proposals:detail", args=[proposal.pk])
    assert proposal.state == State.SUBMITTED and proposal.case_number
    stored = proposal.images.get().image
    with stored.file.open("rb") as fh:
        reopened = Image.open(io.BytesIO(fh.read()))
        assert not reopened.getexif()  # GPS and every other EXIF tag gone
    html = client.get(response["Location"]).content.decode()
    assert "Legeplads i gården" in html and proposal.case_number in html
    assert 'alt="Gården i dag"' in html


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"estimated_cost": "-5"}, "at least 1 kr."),
        ({"estimated_cost": "0"}, "at least 1 kr."),
        ({"estimated_cost": "100001"}, "between"),
        ({"estimated_cost": "99999999999999999999"}, "more than any round"),
        ({"estimated_cost": "tusind"}, "whole number"),
        ({"title": "x" * 121}, "120"),
        ({"summary": "x" * 301}, "300"),
        ({"cvr_number": "12ab"}, "8 digits"),
    ],
)
def test_bad_input_is_explained_and_nothing_typed_is_lost(
    client, resident, ideas_round, overrides, error
):
    data = _form_data(ideas_round, **overrides)
    url = "/en" + reverse("proposals:create", args=[ideas_round.pk])  # messages in English
    response = client.post(url, {**data, "submit": "1"})
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert error.lower() in html.lower()
    assert "Legeplads i gården" in html or overrides.get("title")
    assert 'aria-invalid="true"' in html or "alert-error" in html
    assert not Proposal.objects.filter(state=State.SUBMITTED).exists()


def test_disguised_file_is_refused_with_a_clear_message(client, resident, ideas_round):
    svg = SimpleUploadedFile(
        "kat.jpg",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        content_type="image/jpeg",
    )
    response = client.post(
        reverse("proposals:create", args=[ideas_round.pk]),
        {**_form_data(ideas_round), "images": svg, "submit": "1"},
    )
    assert response.status_code == HTTPStatus.OK
    assert "JPEG" in response.content.decode()  # the message names what is accepted
    assert not Proposal.objects.exists() or not Proposal.objects.get().images.exists()


def test_script_in_text_fields_is_rendered_harmless(client, resident, ideas_round):
    payload = '<script>alert("x")</script>'
    client.post(
        reverse("proposals:create", args=[ideas_round.pk]),
        {
            **_form_data(
                ideas_round,
                title=payload,
                summary=payload,
                location_text=payload,
                description=payload,
            ),
            "submit": "1",
        },
    )
    proposal = Proposal.objects.get()
    html = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert payload not in html
    assert "&lt;script&gt;" in html


def test_submission_after_the_deadline_keeps_the_draft(client, resident, committee):
    closed = factories.budget_round(committee=committee, phase="review")
    closed.categories.create(name="Grønt")
    closed.checklist.create(text="Åben?")
    closed.save()
    response = client.post(
        "/en" + reverse("proposals:create", args=[closed.pk]),
        {**_form_data(closed), "submit": "1"},
    )
    assert response.status_code == HTTPStatus.OK
    assert "draft is kept" in response.content.decode()
    assert Proposal.objects.get().state == State.DRAFT


def test_draft_survives_an_expired_session(client, resident, ideas_round):
    client.post(
        reverse("proposals:create", args=[ideas_round.pk]),
        {**_form_data(ideas_round, title="Halvfærdig"), "save": "1"},
    )
    client.logout()
    client.force_login(resident)
    html = client.get(reverse("my_borgerbudget")).content.decode()
    assert "Halvfærdig" in html


def test_the_old_list_of_ones_proposals_moved_for_good_to_mit_borgerbudget(client, resident):
    assert reverse("proposals:mine") == "/forslag/mine/"
    response = client.get("/forslag/mine/")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "/mit-borgerbudget/"
    response = client.get("/en/forslag/mine/")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "/en/mit-borgerbudget/"


def test_tampered_ids_are_refused(client, resident, ideas_round):
    other = factories.proposal(budget_round=ideas_round, state="draft")
    assert (
        client.get(reverse("proposals:edit", args=[other.pk])).status_code == HTTPStatus.FORBIDDEN
    )
    assert (
        client.get(reverse("proposals:detail", args=[other.pk])).status_code == HTTPStatus.NOT_FOUND
    )
    assert (
        client.get(reverse("proposals:create", args=[999999])).status_code == HTTPStatus.NOT_FOUND
    )
    response = client.post(reverse("proposals:edit", args=[other.pk]), _form_data(ideas_round))
    assert response.status_code == HTTPStatus.FORBIDDEN
    other.refresh_from_db()
    assert other.title != "Legeplads i gården"


def test_anonymous_cannot_support_and_resident_supports_once(client, ideas_round):
    proposal = factories.proposal(budget_round=ideas_round, state="submitted")
    url = reverse("proposals:support", args=[proposal.pk])
    response = client.post(url)
    assert response.status_code == HTTPStatus.FOUND and "/login/" in response["Location"]
    client.force_login(factories.user())
    client.post(url)
    client.post(url)
    assert Proposal.objects.get(pk=proposal.pk).support_count == 1
    client.force_login(factories.user(verified=False))
    client.post(url)
    assert Proposal.objects.get(pk=proposal.pk).support_count == 1


def test_the_author_sees_no_support_button_and_a_forged_support_is_refused(
    client, ideas_round, english
):
    author = factories.user()
    proposal = factories.proposal(budget_round=ideas_round, author=author, state="submitted")
    client.force_login(author)
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert reverse("proposals:support", args=[proposal.pk]) not in page
    assert "You cannot support your own proposal" in page
    response = client.post(reverse("proposals:support", args=[proposal.pk]), follow=True)
    assert "You cannot support your own proposal." in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).support_count == 0


def test_csrf_less_support_is_refused(ideas_round):
    from django.test import Client

    proposal = factories.proposal(budget_round=ideas_round, state="submitted")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(factories.user())
    response = strict.post(reverse("proposals:support", args=[proposal.pk]))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Proposal.objects.get(pk=proposal.pk).support_count == 0


def test_list_filters_and_sorts(client, ideas_round):
    cheap = factories.proposal(
        budget_round=ideas_round, state="submitted", title="Billig bænk", estimated_cost=2_000
    )
    dear = factories.proposal(
        budget_round=ideas_round,
        state="feasible",
        title="Dyr scene",
        estimated_cost=90_000,
        submitter_kind="association",
        organisation_name="Kulturforeningen",
        contact_person="Ida",
    )
    factories.proposal(budget_round=ideas_round, state="draft", title="Hemmelig kladde")
    for _ in range(3):
        services.support_add(user=factories.user(), proposal=dear)
    url = reverse("proposals:list", args=[ideas_round.pk])

    def titles(**params):
        html = client.get(url, params).content.decode()
        return [t for t in ("Billig bænk", "Dyr scene", "Hemmelig kladde") if t in html]

    assert titles() == ["Billig bænk", "Dyr scene"]  # drafts never listed
    assert titles(cost_max=5000) == ["Billig bænk"]
    assert titles(kind="association") == ["Dyr scene"]
    assert titles(state="feasible") == ["Dyr scene"]
    assert titles(q="scene") == ["Dyr scene"]
    html = client.get(url, {"sort": "support"}).content.decode()
    assert html.index("Dyr scene") < html.index("Billig bænk")
    assert client.get(url, {"cost_min": "-1", "sort": "bogus"}).status_code == HTTPStatus.OK
    assert cheap.pk


def test_random_order_is_stable_per_visitor_and_differs_between_visitors(ideas_round):
    from django.test import Client

    for i in range(12):
        factories.proposal(budget_round=ideas_round, state="submitted", title=f"Idé nummer {i:02d}")
    url = reverse("proposals:list", args=[ideas_round.pk])

    def order(client):
        html = client.get(url, {"sort": "random"}).content.decode()
        return sorted(range(12), key=lambda i: html.index(f"Idé nummer {i:02d}"))

    first = Client()
    assert order(first) == order(first)
    orders = {tuple(order(Client())) for _ in range(5)}
    assert len(orders) > 1


@pytest.mark.parametrize("sort", ["new", "support", "random"])
def test_list_queries_do_not_grow_with_page_size(client, ideas_round, sort):
    for _ in range(30):
        factories.proposal(budget_round=ideas_round, state="submitted")
    url = reverse("proposals:list", args=[ideas_round.pk])
    client.get(url)  # session and caches warm

    def queries(per_page):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"per_page": per_page, "sort": sort}).status_code == 200
        return len(ctx)

    assert queries(5) == queries(30)


def test_moderator_hides_a_comment_with_a_reason(client, ideas_round):
    proposal = factories.proposal(budget_round=ideas_round, state="submitted")
    writer = factories.user()
    comment = services.comment_add(author=writer, proposal=proposal, body="Dumt forslag!")
    moderator = factories.moderator(committee=ideas_round.committee)
    client.force_login(writer)
    response = client.post(reverse("proposals:comment_hide", args=[comment.pk]), {"reason": "x"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    client.force_login(moderator)
    client.post(reverse("proposals:comment_hide", args=[comment.pk]), {"reason": "Tone"})
    html = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "Dumt forslag!" not in html and "Tone" in html


def test_a_point_on_the_map_is_kept_and_one_outside_the_area_refused(client, resident, ideas_round):
    url = "/en" + reverse("proposals:create", args=[ideas_round.pk])
    response = client.post(
        url, {**_form_data(ideas_round), "latitude": "48.8566", "longitude": "2.3522", "save": "1"}
    )
    assert response.status_code == HTTPStatus.OK
    assert "outside the committee" in response.content.decode()
    response = client.post(
        url, {**_form_data(ideas_round), "latitude": "55.699", "longitude": "12.573", "save": "1"}
    )
    assert response.status_code == HTTPStatus.FOUND
    proposal = Proposal.objects.get()
    assert (float(proposal.latitude), float(proposal.longitude)) == (55.699, 12.573)


def test_list_offers_a_map_view_drawn_on_the_server(client, ideas_round):
    proposal = factories.proposal(
        budget_round=ideas_round, state="submitted", latitude="55.699", longitude="12.573"
    )
    url = reverse("proposals:list", args=[ideas_round.pk])
    html = client.get(url, {"view": "map"}).content.decode()
    detail = reverse("proposals:detail", args=[proposal.pk])
    # The point is a link in the drawing and again in the list under it; no map script.
    assert '<svg class="area-map__drawing"' in html
    assert html.count(f'href="{detail}"') >= 2
    assert "/static/leaflet/" not in html
    assert "area-map__drawing" not in client.get(url).content.decode()
