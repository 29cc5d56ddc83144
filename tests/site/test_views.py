"""The site-wide pages of pbsite.views: the language switch, privacy and accessibility."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

PASSWORD = "en-god-adgangskode-2026"


@pytest.mark.parametrize("language", ["da", "en"])
def test_accessibility_statement(client, language):
    with translation.override(language):
        url = reverse("accessibility")
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert "(WCAG) 2.1" in response.content.decode()


def test_switching_language_keeps_the_page(client, home_page):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/tilgaengelighed/"})
    assert response["Location"] == "/en/tilgaengelighed/"
    response = client.post(reverse("set_language"), {"language": "da", "next": "/en/"})
    assert response["Location"] == "/"


def test_language_switch_is_remembered_on_the_account(client, django_user_model):
    user = django_user_model.objects.create_user(email="skifter@example.dk", password=PASSWORD)
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/en/"
    user.refresh_from_db()
    assert user.preferred_language == "en"


@pytest.mark.parametrize(("language", "heading"), [("da", "Privatliv"), ("en", "Privacy")])
def test_privacy_statement(client, language, heading):
    with translation.override(language):
        url = reverse("privacy")
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert f"<h1>{heading}</h1>" in html
