"""A round's voting settings, edited by the committee's moderators in the admin."""

import re
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from committees.models import AuditEntry
from tests import factories
from voting import services
from voting.models import VotingConfig

pytestmark = pytest.mark.django_db


def _form(**changes):
    values = {
        "allow_online": "on",
        "allow_codes": "on",
        "allow_paper": "on",
        "approval_min": 1,
        "approval_max": 5,
        "knapsack_min_share": 0,
        "cumulative_points": 10,
        "cumulative_max_per_project": 5,
        "ranking_length": 3,
        "allow_change": "on",
        "min_ballots_for_tally": 10,
        "retention_days": 90,
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def test_a_moderator_changes_the_settings_before_voting(client, english, committee):
    budget_round = factories.budget_round(
        committee=committee, phase="review", ballot_style="approval"
    )
    client.force_login(factories.moderator(committee=committee))
    url = reverse("voting_config", args=[budget_round.pk])
    assert client.get(url).status_code == HTTPStatus.OK
    response = client.post(url, _form(allow_codes=None, approval_max=3, retention_days=30))
    assert response.status_code == HTTPStatus.FOUND
    config = VotingConfig.objects.get(budget_round=budget_round)
    assert (config.allow_codes, config.approval_max, config.retention_days) == (False, 3, 30)
    entry = AuditEntry.objects.get(action="voting.config_update")
    assert entry.data["approval_max"] == [5, 3]


def test_bad_values_are_refused_with_a_reason(client, english, committee):
    budget_round = factories.budget_round(
        committee=committee, phase="review", ballot_style="approval"
    )
    client.force_login(factories.moderator(committee=committee))
    url = reverse("voting_config", args=[budget_round.pk])
    response = client.post(url, _form(retention_days=0, approval_min=4, approval_max=2))
    assert response.status_code == HTTPStatus.OK
    assert not VotingConfig.objects.filter(budget_round=budget_round, retention_days=0).exists()
    response = client.post(url, _form(allow_online=None, allow_codes=None, allow_paper=None))
    with translation.override("da"):  # the admin speaks the person's language: Danish here
        expected = gettext("Keep at least one way to vote.")
    assert expected != "Keep at least one way to vote."
    assert expected in response.content.decode()
    assert VotingConfig.objects.get(budget_round=budget_round).allow_online


@pytest.mark.parametrize(
    ("style", "shown"),
    [
        ("approval", {"approval_min", "approval_max"}),
        ("knapsack", {"knapsack_min_share"}),
        ("cumulative", {"cumulative_points", "cumulative_max_per_project"}),
        ("ranking", {"ranking_length"}),
    ],
)
def test_the_settings_page_shows_only_the_ballot_styles_limits(client, committee, style, shown):
    limits = set(services.CONFIG_FIELDS_OF_STYLES)
    budget_round = factories.budget_round(committee=committee, phase="review", ballot_style=style)
    client.force_login(factories.moderator(committee=committee))
    url = reverse("voting_config", args=[budget_round.pk])
    html = client.get(url).content.decode()
    named = set(re.findall(r'name="([a-z_]+)"', html))
    assert named & limits == shown
    assert {"allow_online", "allow_change", "utility", "retention_days"} <= named
    # Another style's limit posted anyway is not a field of this page: it keeps its value.
    response = client.post(url, _form(approval_max=2, cumulative_points=12, ranking_length=9))
    assert response.status_code == HTTPStatus.FOUND
    config = VotingConfig.objects.get(budget_round=budget_round)
    stored = {
        "approval_max": config.approval_max,
        "cumulative_points": config.cumulative_points,
        "ranking_length": config.ranking_length,
    }
    defaults = {"approval_max": 5, "cumulative_points": 10, "ranking_length": 3}
    posted = {"approval_max": 2, "cumulative_points": 12, "ranking_length": 9}
    for name in stored:
        assert stored[name] == (posted[name] if name in shown else defaults[name]), name


def test_ballot_rules_are_fixed_once_voting_opens(client, english, committee, voting_round):
    moderator = factories.moderator(committee=committee)
    with pytest.raises(ValidationError, match="cannot change"):
        services.voting_config_update(
            moderator=moderator, budget_round=voting_round, values={"approval_max": 2}
        )
    client.force_login(moderator)
    url = reverse("voting_config", args=[voting_round.pk])
    # Disabled fields keep their stored values whatever is posted; the threshold still changes.
    client.post(url, _form(approval_max=2, min_ballots_for_tally=25))
    config = VotingConfig.objects.get(budget_round=voting_round)
    assert (config.approval_max, config.min_ballots_for_tally) == (5, 25)


def test_only_the_committees_moderators(client, committee, voting_round):
    other = factories.committee()
    outsider = factories.moderator(committee=other)
    staff = factories.polling_staff(committee=committee)
    url = reverse("voting_config", args=[voting_round.pk])
    for person in (outsider, staff):
        client.force_login(person)
        response = client.post(url, _form(min_ballots_for_tally=1))
        assert response.status_code == HTTPStatus.FOUND, person
        assert response["Location"] == "/admin/"  # Wagtail's answer: back to the dashboard
        with pytest.raises(PermissionDenied):
            services.voting_config_update(
                moderator=person, budget_round=voting_round, values={"min_ballots_for_tally": 1}
            )
    client.logout()
    assert client.get(url).status_code == HTTPStatus.FOUND  # to the admin login
    assert not VotingConfig.objects.filter(min_ballots_for_tally=1).exists()
