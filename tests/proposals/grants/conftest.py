"""The grant tests' usual cast: a 100,000 kr. pool of `committee` (tests/conftest.py), its
secretariat (moderators) and its working group (reviewers)."""

import pytest

from tests import factories


@pytest.fixture
def pool(committee):
    """A grant pool of 100,000 kr. with one application deadline and its deciding meeting."""
    return factories.grant_pool(committee=committee, pot=100_000)


@pytest.fixture
def secretariat(committee):
    """A moderator of `committee`: checks, puts on the agenda, decides and pays out grants."""
    return factories.moderator(committee=committee)


@pytest.fixture
def working_group(committee):
    """A reviewer of `committee`: recommends grant applications."""
    return factories.reviewer(committee=committee)
