"""Bad input to the follow-up of funded projects: unknown ids, tampered rounds and ids written
with thousands separators."""

from http import HTTPStatus

import pytest

from tests import factories
from tests.security.bad_input import en

pytestmark = pytest.mark.django_db


def test_following_an_unknown_project_or_round_is_not_found(client, committee):
    client.force_login(factories.user())
    assert client.post(en("tracking:follow", 999_999)).status_code == HTTPStatus.NOT_FOUND
    assert client.post(en("voting:follow", 999_999)).status_code == HTTPStatus.NOT_FOUND


def test_proposing_again_into_a_tampered_round_is_refused(client, committee):
    from proposals.models import Proposal

    implemented = factories.budget_round(committee=committee, phase="implementation")
    project = factories.funded_proposal(budget_round=implemented).tracking
    other = factories.committee("Valby Lokaludvalg", district_name="Valby")
    voting = factories.budget_round(committee=other, phase="voting")
    Proposal.objects.filter(pk=project.proposal_id).update(state="completed")
    client.force_login(factories.user())
    before = Proposal.objects.count()
    response = client.post(en("tracking:propose_again", project.pk), {"round": str(voting.pk)})
    assert response.status_code == HTTPStatus.OK
    assert Proposal.objects.count() == before


# --- Ids past 999 -------------------------------------------------------------------------------


def test_ids_in_forms_are_not_written_with_thousands_separators(client, committee, settings):
    """Numbers are grouped on the pages (1.234); an id in a form must stay 1234 or the form
    names nothing. Found when a long test run pushed ids past 999 on PostgreSQL."""
    from proposals.models import Proposal

    settings.USE_THOUSAND_SEPARATOR = True
    implemented = factories.budget_round(committee=committee, phase="implementation")
    project = factories.funded_proposal(budget_round=implemented).tracking
    Proposal.objects.filter(pk=project.proposal_id).update(state="completed")
    other = factories.committee("Valby Lokaludvalg", district_name="Valby")
    factories.budget_round(committee=other, phase="ideas", id=12_345)
    client.force_login(factories.user())
    page = client.get(en("tracking:propose_again", project.pk)).content.decode()
    assert 'value="12345"' in page and "12.345" not in page and "12,345" not in page
    response = client.post(en("tracking:propose_again", project.pk), {"round": "12345"})
    assert response.status_code == HTTPStatus.FOUND
    assert Proposal.objects.get(inspired_by=project.proposal_id).budget_round_id == 12_345
