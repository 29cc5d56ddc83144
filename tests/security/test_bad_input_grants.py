"""Bad input to grant applications: each bad value is explained and nothing is submitted;
script is stored as typed and shown escaped."""

from http import HTTPStatus

import pytest

from proposals.models import GrantApplication, GrantStage
from tests import factories
from tests.security.bad_input import SCRIPT, en

pytestmark = pytest.mark.django_db


# --- Grant application form ----------------------------------------------------------------


GRANT_CASES = [
    ({"budget-0-amount": "-5"}, "The amount must be at least 1 kr."),
    ({"budget-0-amount": "0"}, "The amount must be at least 1 kr."),
    ({"budget-0-amount": "12,5"}, "Write the amount as a whole number of kroner"),
    ({"budget-0-amount": "9" * 30}, "less than or equal to"),
    ({"budget-0-amount": ""}, "Fill in both what the line is for and its amount."),
    ({"budget-0-kind": "gift"}, "Select a valid choice"),
    ({"contact_email": "mette(at)example"}, "Write a valid e-mail address"),
    ({"activity_date": "31-02-2027"}, "Write the date as day-month-year"),
    ({"title": "x" * 5000}, "at most"),
    ({"budget-TOTAL_FORMS": "100000"}, "at most"),
    ({"budget-TOTAL_FORMS": None}, "ManagementForm data is missing"),
]


@pytest.mark.parametrize(("overrides", "error"), GRANT_CASES)
def test_bad_grant_application_is_explained_and_nothing_is_submitted(
    client, pool, overrides, error
):
    client.force_login(factories.user())
    response = client.post(
        en("proposals:grant_create", pool.pk), factories.grant_form_data(pool, **overrides)
    )
    assert response.status_code == HTTPStatus.OK
    assert error in response.content.decode()
    assert not GrantApplication.objects.exclude(stage=GrantStage.DRAFT).exists()


def test_script_in_a_grant_application_is_stored_as_text_and_shown_escaped(client, pool):
    applicant = factories.user()
    client.force_login(applicant)
    response = client.post(
        en("proposals:grant_create", pool.pk),
        factories.grant_form_data(pool, title=f"Fest {SCRIPT}", applicant_name=SCRIPT),
    )
    assert response.status_code == HTTPStatus.FOUND
    application = GrantApplication.objects.get()
    assert application.applicant_name == SCRIPT
    page = client.get(en("proposals:grant", application.pk)).content.decode()
    assert SCRIPT not in page and "&lt;script&gt;" in page
    public = client.get(en("proposals:grant_pool", pool.pk)).content.decode()
    assert SCRIPT not in public
