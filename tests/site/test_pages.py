"""The base layout in Danish and English: skip link, language switcher, footer links."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import translation

from frontend.money import format_kroner

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "language", "expected"),
    [
        ("/", "da", "Dit lokalområde, dit budget"),
        ("/en/", "en", "Your neighbourhood, your budget"),
    ],
)
def test_home_page_in_danish_and_english(client, home_page, path, language, expected):
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert expected in html
    assert 'href="#main-content"' in html and 'id="main-content"' in html
    assert 'name="language" value="da"' in html and 'name="language" value="en"' in html
    assert reverse("accessibility") in html or "/en/tilgaengelighed/" in html
    assert "cdn" not in html.lower()


def test_unknown_page_is_a_translated_404(client, home_page):
    response = client.get("/en/no-such-page/")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_money_in_danish_and_english():
    assert format_kroner(1234, "da") == "1.234 kr."
    assert format_kroner(1234567, "da") == "1.234.567 kr."
    assert format_kroner(0, "da") == "0 kr."
    assert format_kroner(1234, "en") == "DKK 1,234"


def test_dates_in_danish():
    import datetime

    from django.utils.formats import date_format

    with translation.override("da"):
        assert date_format(datetime.date(2026, 11, 23)) == "23. november 2026"
        assert date_format(datetime.date(2026, 11, 23), "SHORT_DATE_FORMAT") == "23.11.2026"


def test_static_assets_are_served_locally(client):
    for path in ("/static/dkfds/css/dkfds.min.css", "/static/frontend/site.js"):
        response = client.get(path)
        assert response.status_code == HTTPStatus.OK, path
