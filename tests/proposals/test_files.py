"""A draft's images and attachments are private until it is published; receipts stay private.

Every file is fetched through its real URL with the test client; what a web server would hand out
under MEDIA_URL is asked of Django's own static file view over MEDIA_ROOT, as nginx would serve it.
"""

import io
import re
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.views.static import serve
from PIL import Image

from proposals.models import Proposal, State
from tests import factories

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"(^|/)[0-9a-f]{32}-")


PDF = factories.one_page_pdf()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _no_renditions_of_earlier_tests():
    """Wagtail caches renditions by image id; ids come again after each test's rollback."""
    caches["default"].clear()


@pytest.fixture
def author():
    return factories.user()


@pytest.fixture
def draft(client, author, ideas_round):
    """A draft saved through the real form, with an image and a PDF the author named."""
    client.force_login(author)
    response = client.post(
        reverse("proposals:create", args=[ideas_round.pk]),
        {
            **factories.proposal_form_data(ideas_round),
            "images": SimpleUploadedFile("min-have.jpg", _jpeg(), content_type="image/jpeg"),
            "image_alt": "Haven",
            "attachment": SimpleUploadedFile("budget.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    client.logout()
    proposal = Proposal.objects.get()
    assert proposal.state == State.DRAFT
    return proposal


def _urls(proposal):
    image = proposal.images.get()
    attachment = proposal.attachments.get()
    return [
        reverse("proposals:image", args=[image.pk, "lille"]),
        reverse("proposals:image", args=[image.pk, "stor"]),
        reverse("proposals:attachment", args=[attachment.pk]),
    ]


def _served_under_media(name: str) -> bool:
    """Whether a web server serving MEDIA_ROOT at MEDIA_URL hands out `name`."""
    request = RequestFactory().get(settings.MEDIA_URL + name)
    try:
        serve(request, name, document_root=settings.MEDIA_ROOT)
    except Http404:
        return False
    return True


def test_stored_names_carry_a_random_token_and_attachments_live_outside_media(draft):
    image = draft.images.get().image
    attachment = draft.attachments.get()
    assert TOKEN.search(image.file.name), image.file.name
    assert TOKEN.search(attachment.file.name), attachment.file.name
    assert "min-have" in image.file.name and "budget" in attachment.file.name
    media_root = Path(settings.MEDIA_ROOT).resolve()
    assert media_root not in Path(attachment.file.path).resolve().parents
    assert not _served_under_media(attachment.file.name)


def test_nobody_guesses_a_drafts_files_under_media(client, draft, author):
    client.force_login(author)
    for url in _urls(draft):  # the author looks at them: renditions now exist
        assert client.get(url).status_code == HTTPStatus.OK
    month = draft.created_at.strftime("%Y/%m")
    guesses = [
        "original_images/min-have.jpg",
        "images/min-have.fill-480x270.jpg",
        "images/min-have.max-800x600.jpg",
        f"proposals/attachments/{month}/budget.pdf",
    ]
    assert not [name for name in guesses if _served_under_media(name)]


@pytest.mark.parametrize("who", ["anonymous", "other resident", "moderator elsewhere"])
def test_a_drafts_files_are_not_served_to_others(client, draft, who):
    if who == "other resident":
        client.force_login(factories.user())
    elif who == "moderator elsewhere":
        other = factories.committee("Amager Lokaludvalg", district_name="Amager")
        client.force_login(factories.moderator(committee=other))
    for url in _urls(draft):
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND, url


@pytest.mark.parametrize("who", ["author", "moderator", "reviewer"])
def test_a_drafts_files_are_served_to_its_author_and_its_committees_staff(
    client, draft, author, committee, who
):
    person = {
        "author": lambda: author,
        "moderator": lambda: factories.moderator(committee=committee),
        "reviewer": lambda: factories.reviewer(committee=committee),
    }[who]()
    client.force_login(person)
    image_small, image_large, attachment = _urls(draft)

    response = client.get(attachment)
    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    for url in (image_small, image_large):
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK
        assert response["Content-Type"] == "image/jpeg"
        assert Image.open(io.BytesIO(b"".join(response.streaming_content))).format == "JPEG"


def test_a_published_proposals_files_are_public_and_its_page_shows_them(client, draft, author):
    client.force_login(author)
    client.post(reverse("proposals:edit", args=[draft.pk]), {
        **factories.proposal_form_data(draft.budget_round), "submit": "1"
    })  # fmt: skip
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED
    client.logout()

    page = client.get(reverse("proposals:detail", args=[draft.pk])).content.decode()
    small, large, attachment = _urls(draft)
    assert f'"{large}"' in page and f'"{attachment}"' in page
    for url in (small, large, attachment):
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK
        assert "public" in response["Cache-Control"]
    assert 'alt="Haven"' in page
    listing = client.get(reverse("proposals:list", args=[draft.budget_round.pk])).content.decode()
    assert f'"{_urls(draft)[0]}"' in listing


def test_an_unknown_size_is_not_found(client, draft, author):
    client.force_login(author)
    image = draft.images.get()
    url = reverse("proposals:image", args=[image.pk, "original"])
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_the_proxy_sends_the_file_when_accel_redirect_is_configured(
    client, draft, author, settings
):
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/_protected/"
    client.force_login(author)
    image_small, _large, attachment = _urls(draft)

    response = client.get(attachment)
    name = draft.attachments.get().file.name
    assert response.status_code == HTTPStatus.OK
    assert response["X-Accel-Redirect"] == f"/_protected/private/{name}"
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b""

    response = client.get(image_small)
    assert re.fullmatch(
        r"/_protected/media/images/[0-9a-f]{32}-[a-z0-9.-]*\.fill-480x270\.jpg",
        response["X-Accel-Redirect"],
    )
    assert response.content == b""


def test_the_server_sends_the_file_when_sendfile_is_configured(client, draft, author, settings):
    settings.PRIVATE_MEDIA_SENDFILE = True
    client.force_login(author)
    response = client.get(_urls(draft)[2])
    assert response["X-Sendfile"] == draft.attachments.get().file.path
    assert response.content == b""


def test_nothing_is_sent_by_the_proxy_to_whom_may_not_see_it(client, draft, settings):
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/_protected/"
    response = client.get(_urls(draft)[2])
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "X-Accel-Redirect" not in response
