import pytest
from django.core.cache import cache

from tests import factories
from tests.security.bad_input import World


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and wrong-code counters live in the cache; no case inherits another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def resident(client):
    """A signed-in resident (not verified)."""
    person = factories.user()
    client.force_login(person)
    return person


@pytest.fixture
def world(home_page):
    return World()


@pytest.fixture
def pool(committee):
    """A grant pool of `committee` open for applications."""
    return factories.grant_pool(committee=committee, pot=100_000)
