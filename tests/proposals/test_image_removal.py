"""The proposal form shows the stored images as thumbnails and lets the author remove them."""

import io
import os
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from proposals.models import Proposal, ProposalImage
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)  # the files go after the commit


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def draft(client, committee, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    budget_round = factories.ideas_round(committee=committee)
    author = factories.user()
    client.force_login(author)
    client.post(
        reverse("proposals:create", args=[budget_round.pk]),
        {
            **factories.proposal_form_data(budget_round),
            "images": [
                SimpleUploadedFile("a.jpg", _jpeg(), content_type="image/jpeg"),
                SimpleUploadedFile("b.jpg", _jpeg(), content_type="image/jpeg"),
            ],
            "image_alt": "Gården i dag",
            "save": "1",
        },
    )
    return Proposal.objects.get()


def test_the_author_sees_thumbnails_and_removes_one_image(client, draft):
    first, second = draft.images.order_by("sort_order")
    stored_file = first.image.file.path
    edit = reverse("proposals:edit", args=[draft.pk])
    html = client.get(edit).content.decode()
    for item in (first, second):
        assert reverse("proposals:image", args=[item.pk, "lille"]) in html  # the thumbnail
        assert f'name="remove_images" value="{item.pk}"' in html
    assert "Fjern dette billede" in html

    response = client.post(
        edit,
        {
            **factories.proposal_form_data(draft.budget_round),
            "remove_images": [first.pk],
            "save": "1",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert list(draft.images.all()) == [second]
    assert not ProposalImage.objects.filter(pk=first.pk).exists()
    assert not os.path.exists(stored_file)  # the stored file is gone too


def test_an_image_of_another_proposal_cannot_be_removed(client, draft, committee):
    other = factories.proposal(budget_round=draft.budget_round)
    theirs = ProposalImage.objects.create(proposal=other, image=draft.images.first().image)
    response = client.post(
        reverse("proposals:edit", args=[draft.pk]),
        {
            **factories.proposal_form_data(draft.budget_round),
            "remove_images": [theirs.pk],
            "save": "1",
        },
    )
    assert response.status_code == HTTPStatus.OK  # the form explains; nothing is removed
    assert ProposalImage.objects.filter(pk=theirs.pk).exists()
    assert draft.images.count() == 2
