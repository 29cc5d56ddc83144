"""Hostile queries to the open data API: each gets a clear answer, never a server error."""

import json
from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.security.bad_input import SCRIPT

pytestmark = pytest.mark.django_db


# --- Open data API ---------------------------------------------------------------------------

API_QUERIES = [
    ("api-proposal-list", {"page": "-1"}, HTTPStatus.NOT_FOUND),
    ("api-proposal-list", {"page": "abc"}, HTTPStatus.NOT_FOUND),
    ("api-proposal-list", {"page": "9" * 40}, HTTPStatus.NOT_FOUND),
    ("api-proposal-list", {"page_size": "100000"}, HTTPStatus.OK),
    ("api-proposal-list", {"committee": "9" * 40}, HTTPStatus.OK),
    ("api-proposal-list", {"committee": "²"}, HTTPStatus.OK),
    ("api-proposal-list", {"round": "9" * 40}, HTTPStatus.BAD_REQUEST),
    ("api-proposal-list", {"state": SCRIPT}, HTTPStatus.BAD_REQUEST),
    ("api-round-list", {"committee": "-1"}, HTTPStatus.OK),
    ("api-tracked-project-list", {"status": "\x00"}, HTTPStatus.BAD_REQUEST),
    ("api-tracked-project-list", {"round": "1.5"}, HTTPStatus.BAD_REQUEST),
    ("api-meeting-list", {"round": "1 OR 1=1"}, HTTPStatus.BAD_REQUEST),
    ("api-proposal-list", {"category": "²"}, HTTPStatus.OK),
    ("api-proposal-list", {"category": "9" * 40}, HTTPStatus.OK),
]


@pytest.mark.parametrize(("name", "params", "status"), API_QUERIES)
def test_hostile_api_query_gets_a_clear_answer(client, committee, settings, name, params, status):
    settings.API_ANON_RATE = "100000/minute"
    response = client.get(reverse(name), params)
    assert response.status_code == status
    body = response.json()
    assert SCRIPT not in json.dumps(body)
    if response.status_code == HTTPStatus.OK:
        assert len(body["results"]) <= 200
