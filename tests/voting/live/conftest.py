"""The live tests' meeting: one of the voting round's committee, showing that round; its host."""

import pytest

from tests import factories


@pytest.fixture
def meeting(voting_round):
    return factories.meeting(committee=voting_round.committee, budget_round=voting_round)


@pytest.fixture
def host(meeting):
    return factories.meeting_host(committee=meeting.committee)
