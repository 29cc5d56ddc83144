import io

import pytest
from django.core.management import call_command

from proposals.models import Proposal, State

pytestmark = pytest.mark.django_db


def test_seed_demo_has_proposals_in_every_state(settings, tmp_path, home_page):
    settings.VAR_DIR, settings.DEBUG = tmp_path, True
    call_command("seed_demo", stdout=io.StringIO())
    assert set(Proposal.objects.values_list("state", flat=True)) == set(State.values)
    count = Proposal.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Proposal.objects.count() == count
    for proposal in Proposal.objects.exclude(state=State.DRAFT):
        assert proposal.case_number
        assert proposal.support_count == proposal.supports.count()
        assert proposal.history.last().to_state == proposal.state
