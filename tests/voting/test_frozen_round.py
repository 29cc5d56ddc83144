"""Rules frozen while the vote runs: the round's settings and its ballot list cannot change once
voting opens, a confirmed result locks the schedule, and every edit of a round is in the audit
log with its before and after."""

import datetime
import hashlib
import io
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from committees.models import AuditEntry, BudgetRound
from committees.services import audit_chain_verify, round_phase_change
from proposals import services as proposal_services
from proposals.models import Proposal, Support
from tests import factories
from tests.voting.conftest import project_ids
from voting import services
from voting.results.ballot_file import export_round
from voting.results.services import result_confirm
from voting.selectors import round_projects, round_results

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_an_authors_support_of_their_own_proposal_never_counts(committee):
    from voting.ballot_list import counted_supports

    budget_round = factories.budget_round(committee=committee, phase="review")
    budget_round.supports_verified_only = False
    author = factories.user()
    own = factories.proposal(budget_round=budget_round, author=author, state="feasible")
    Support.objects.create(user=author, proposal=own)  # made before such supports were refused
    Support.objects.create(user=factories.user(), proposal=own)
    assert counted_supports(budget_round=budget_round) == {own.pk: 1}


def _minute(when: datetime.datetime) -> datetime.datetime:
    return when.replace(second=0, microsecond=0)


def _round_in(committee, phase: str, **fields) -> BudgetRound:
    """A round whose dates are whole minutes, as the admin's date fields post them back."""
    dates = factories.round_dates(phase=phase, now=_minute(timezone.now()))
    return factories.voting_round(committee=committee, **{**dates, **fields})


def _cast_all(budget_round, count: int = 3) -> None:
    ids = project_ids(budget_round)
    for n in range(count):
        services.ballot_cast(
            budget_round=budget_round,
            person=f"person-{budget_round.pk}-{n}",
            channel="online",
            selection={ids["Bænke"]: 1, ids["Træer"]: 1},
            replaceable=False,
        )


def _to_results(budget_round) -> BudgetRound:
    """The clock passes the end of voting (written past the model, as time passes)."""
    now = timezone.now()
    BudgetRound.objects.filter(pk=budget_round.pk).update(
        voting_end=now - datetime.timedelta(minutes=1),
        results_start=now - datetime.timedelta(minutes=1),
    )
    return BudgetRound.objects.get(pk=budget_round.pk)


def _admin_form(budget_round, **overrides) -> dict:
    local = {
        name: timezone.localtime(getattr(budget_round, name)).strftime("%Y-%m-%d %H:%M")
        for name in (
            "ideas_start",
            "ideas_end",
            "review_start",
            "review_end",
            "voting_start",
            "voting_end",
            "results_start",
            "implementation_start",
        )
    }
    data = {
        "committee": budget_round.committee_id,
        "title": budget_round.title,
        "slug": budget_round.slug,
        "pot": budget_round.pot,
        "min_cost": budget_round.min_cost,
        "max_cost": budget_round.max_cost,
        "min_age": budget_round.min_age,
        "min_supports": budget_round.min_supports,
        "supports_verified_only": "on" if budget_round.supports_verified_only else "",
        "decision_method": budget_round.decision_method,
        "tally_rule": budget_round.tally_rule,
        "ballot_style": budget_round.ballot_style,
        "voting_areas": [a.pk for a in budget_round.voting_areas.all()],
        **factories.ROUND_ADMIN_INLINES_EMPTY,
        **local,
    }
    data.update(overrides)
    return data


# --- The threshold and the ballot list --------------------------------------------------------


def test_raising_the_threshold_mid_vote_is_refused_and_the_tally_still_works(
    client, committee, moderator
):
    budget_round = _round_in(committee, "voting")
    _cast_all(budget_round)
    budget_round.min_supports = 5
    with pytest.raises(ValidationError):
        budget_round.save()
    # Nor through the admin: the field is shown read-only and a posted value is ignored.
    client.force_login(moderator)
    url = reverse("budgetround:edit", args=[budget_round.pk])
    page = client.get(url).content.decode()
    assert (
        'name="min_supports"' in page and "disabled" in page.split('name="min_supports"')[1][:200]
    )
    response = client.post(url, _admin_form(budget_round, min_supports=5, pot=1_000_000))
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    stored = BudgetRound.objects.get(pk=budget_round.pk)
    assert (stored.min_supports, stored.pot) == (0, 100_000)
    # Even a threshold written past every service leaves the ballot list as it was at opening.
    BudgetRound.objects.filter(pk=budget_round.pk).update(min_supports=5)
    stored = BudgetRound.objects.get(pk=budget_round.pk)
    assert sorted(p.title for p in round_projects(budget_round=stored).values()) == [
        "Bænke",
        "Legeplads",
        "Træer",
    ]
    results = _to_results(stored)
    assert sorted(round_results(budget_round=results).selected) == sorted(
        [project_ids(results)["Bænke"], project_ids(results)["Træer"]]
    )
    assert client.get(reverse("voting:results", args=[results.pk])).status_code == HTTPStatus.OK


def test_a_project_leaving_the_ballot_list_never_breaks_a_tally(client, committee):
    """Ballots naming a project that is not on the list (a list damaged in the database) are
    counted for the projects that are; the results page answers."""
    budget_round = _round_in(committee, "voting")
    _cast_all(budget_round)
    from voting.models import BallotEntry

    BallotEntry.objects.filter(
        ballot_list__budget_round=budget_round, proposal__title="Træer"
    ).delete()
    results = _to_results(budget_round)
    ids = project_ids(results)
    selected = round_results(budget_round=results).selected
    assert ids["Bænke"] in selected and ids["Træer"] not in selected
    assert client.get(reverse("voting:results", args=[results.pk])).status_code == HTTPStatus.OK


def test_the_ballot_list_is_written_once_when_voting_opens_and_audited(committee):
    budget_round = _round_in(committee, "voting")
    first = round_projects(budget_round=budget_round)
    # A proposal made feasible after voting opened does not join the ballot.
    factories.proposal(budget_round=budget_round, state="feasible", title="Sent")
    assert round_projects(budget_round=budget_round).keys() == first.keys()
    entry = AuditEntry.objects.get(action="round.ballot_list_freeze")
    assert sorted(entry.data["proposals"]) == sorted(int(pid) for pid in first)
    assert audit_chain_verify() == []


def test_a_proposal_hidden_by_a_moderator_is_not_put_on_the_ballot(committee):
    budget_round = _round_in(committee, "voting")
    Proposal.objects.filter(budget_round=budget_round, title="Bænke").update(
        hidden=True, hidden_reason="Krænkende billede."
    )
    titles = {p.title for p in round_projects(budget_round=budget_round).values()}
    assert titles == {"Legeplads", "Træer"}


def test_supports_cannot_be_withdrawn_once_voting_has_opened(committee):
    budget_round = _round_in(committee, "voting")
    proposal = Proposal.objects.get(budget_round=budget_round, title="Bænke")
    supporter = factories.verified_voter(area=committee.district)
    Support.objects.create(user=supporter, proposal=proposal)
    Proposal.objects.filter(pk=proposal.pk).update(support_count=1)
    with pytest.raises(ValidationError, match="voting has opened"):
        proposal_services.support_remove(user=supporter, proposal=proposal)
    assert Support.objects.filter(user=supporter, proposal=proposal).exists()
    assert Proposal.objects.get(pk=proposal.pk).support_count == 1


def test_supports_can_be_withdrawn_before_voting(committee):
    budget_round = _round_in(committee, "review")
    proposal = Proposal.objects.get(budget_round=budget_round, title="Bænke")
    supporter = factories.verified_voter(area=committee.district)
    assert proposal_services.support_add(user=supporter, proposal=proposal)
    assert proposal_services.support_remove(user=supporter, proposal=proposal)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pot", 200_000),
        ("min_cost", 500),
        ("max_cost", 90_000),
        ("min_age", 18),
        ("min_supports", 3),
        ("ballot_style", "approval"),
        ("tally_rule", "mes"),
        ("decision_method", "committee"),
    ],
)
def test_every_frozen_setting_is_refused_once_voting_opens(committee, field, value):
    budget_round = _round_in(committee, "voting")
    setattr(budget_round, field, value)
    with pytest.raises(ValidationError):
        budget_round.full_clean()
    with pytest.raises(ValidationError):
        budget_round.save()


def test_the_round_areas_are_frozen_once_voting_opens(committee):
    from committees.models import Area

    budget_round = _round_in(committee, "voting")
    other = factories.committee("Amager Vest Lokaludvalg")
    with pytest.raises(ValidationError), transaction.atomic():
        budget_round.voting_areas.add(Area.objects.get(committee=other))
    with pytest.raises(ValidationError), transaction.atomic():
        Area.objects.get(committee=other).rounds.add(budget_round)
    assert not budget_round.voting_areas.exists()


def test_settings_may_change_before_voting(committee):
    budget_round = _round_in(committee, "review")
    budget_round.min_supports = 3
    budget_round.pot = 200_000
    budget_round.full_clean()
    budget_round.save()


def test_utility_is_frozen_with_the_other_voting_settings(committee, moderator):
    budget_round = _round_in(committee, "voting")
    with pytest.raises(ValidationError):
        services.voting_config_update(
            moderator=moderator, budget_round=budget_round, values={"utility": "cost"}
        )


# --- A confirmed result locks the round ---------------------------------------------------------


def test_extending_voting_after_the_result_is_confirmed_is_refused(committee, moderator):
    budget_round = _round_in(committee, "voting")
    _cast_all(budget_round)
    budget_round = _to_results(budget_round)
    result = result_confirm(moderator=moderator, budget_round=budget_round)
    later = timezone.now() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError, match="confirmed"):
        round_phase_change(
            budget_round=budget_round,
            phase="voting",
            new_end=later,
            reason="Flere skal kunne stemme.",
            actor=moderator,
        )
    stored = BudgetRound.objects.get(pk=budget_round.pk)
    assert stored.voting_end == budget_round.voting_end
    # Nor past the service: the model keeps the voting dates of a confirmed round.
    stored.voting_end = later
    stored.results_start = later
    with pytest.raises(ValidationError):
        stored.save()
    assert hashlib.sha256(export_round(budget_round).encode()).hexdigest() == (
        result.ballots_sha256
    )


def test_closing_voting_early_works_until_the_result_is_confirmed(committee, moderator):
    budget_round = _round_in(committee, "voting")
    changed = round_phase_change(
        budget_round=budget_round,
        phase="voting",
        new_end=timezone.now() - datetime.timedelta(minutes=1),
        reason="Valget lukker tidligt.",
        actor=moderator,
    )
    assert changed.phase == "results"


# --- Every edit of a round is in the audit log ----------------------------------------------------


def test_an_admin_edit_of_a_round_is_audited_with_before_and_after(client, committee, moderator):
    budget_round = _round_in(committee, "ideas")
    client.force_login(moderator)
    response = client.post(
        reverse("budgetround:edit", args=[budget_round.pk]),
        _admin_form(budget_round, pot=150_000, min_supports=4),
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="round.update")
    assert entry.actor == moderator
    assert entry.object_id == str(budget_round.pk)
    assert entry.committee_id == committee.pk
    assert entry.data["changes"] == {"pot": [100_000, 150_000], "min_supports": [0, 4]}
    assert audit_chain_verify() == []


def test_an_admin_edit_of_the_round_areas_is_audited(client, committee, moderator):
    from committees.models import Area

    budget_round = _round_in(committee, "ideas")
    own = Area.objects.get(committee=committee)
    client.force_login(moderator)
    response = client.post(
        reverse("budgetround:edit", args=[budget_round.pk]),
        _admin_form(budget_round, voting_areas=[own.pk]),
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="round.update")
    assert entry.data["changes"] == {"voting_areas": [[], [own.pk]]}


def test_an_admin_save_without_changes_writes_no_entry(client, committee, moderator):
    budget_round = _round_in(committee, "ideas")
    client.force_login(moderator)
    response = client.post(
        reverse("budgetround:edit", args=[budget_round.pk]), _admin_form(budget_round)
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    assert not AuditEntry.objects.filter(action="round.update").exists()


# --- Which supports count -------------------------------------------------------------------------


def test_only_verified_residents_supports_decide_what_reaches_the_ballot(committee):
    from django.core.management import call_command

    budget_round = factories.budget_round(
        committee=committee, phase="review", min_supports=2, pot=100_000, max_cost=100_000
    )
    assert budget_round.supports_verified_only  # the default for a new round
    throwaway = factories.proposal(budget_round=budget_round, state="feasible", title="Snydt")
    backed = factories.proposal(budget_round=budget_round, state="feasible", title="Båret")
    neighbour = factories.committee("Amager Vest Lokaludvalg", district_name="Amager")
    for _n in range(3):  # e-mail accounts only: verified addresses, no identity
        assert proposal_services.support_add(user=factories.user(), proposal=throwaway)
    assert proposal_services.support_add(
        user=factories.verified_voter(area=neighbour.district), proposal=throwaway
    )
    for _n in range(2):
        assert proposal_services.support_add(
            user=factories.verified_voter(area=committee.district), proposal=backed
        )
    assert Proposal.objects.get(pk=throwaway.pk).support_count == 4  # shown, not counted
    # Voting opens; the scheduler's command writes the list.
    dates = factories.round_dates(phase="voting")
    BudgetRound.objects.filter(pk=budget_round.pk).update(**dates)
    out = io.StringIO()
    call_command("ballot_lists_freeze", stdout=out)
    assert f"round {budget_round.pk}: 1 project(s)" in out.getvalue()
    budget_round = BudgetRound.objects.get(pk=budget_round.pk)
    assert [p.title for p in round_projects(budget_round=budget_round).values()] == ["Båret"]
    entry = AuditEntry.objects.get(action="round.ballot_list_freeze")
    assert entry.data["counted_supports"] == {str(backed.pk): 2}
