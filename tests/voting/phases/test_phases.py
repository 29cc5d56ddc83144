"""Phase changes as explicit actions: close ideas, open voting, close voting now, extend voting.

Each is refused outside its phase, to anyone but the committee's moderators, and when what it
does has changed since the moderator looked; each writes one audit entry with its reason."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from committees.models import AuditEntry, BudgetRound
from committees.services import audit_chain_verify
from proposals import services as proposal_services
from tests import factories
from tests.voting.conftest import project_ids
from voting import services as voting_services
from voting.models import BallotEntry, BallotList
from voting.phases import services
from voting.phases.selectors import (
    CLOSE_IDEAS,
    CLOSE_VOTING,
    EXTEND_VOTING,
    OPEN_VOTING,
    phase_preview,
)
from voting.results.services import result_confirm
from voting.selectors import round_turnout

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _review_round(committee, projects=(("Bænke", 30_000), ("Træer", 40_000))):
    budget_round = factories.budget_round(
        committee=committee, phase="review", pot=100_000, max_cost=100_000
    )
    for title, cost in projects:
        factories.proposal(
            budget_round=budget_round, state="feasible", title=title, estimated_cost=cost
        )
    return budget_round


def _expected(budget_round, action, **kwargs) -> str:
    return phase_preview(budget_round=budget_round, action=action, **kwargs).fingerprint


def _fresh(budget_round) -> BudgetRound:
    return BudgetRound.objects.get(pk=budget_round.pk)


# --- Open voting -------------------------------------------------------------------------------


def test_opening_voting_fixes_the_ballot_that_was_previewed(committee, moderator):
    budget_round = _review_round(committee)
    preview = phase_preview(budget_round=budget_round, action=OPEN_VOTING)
    assert [p["title"] for p in preview.ballot] == ["Bænke", "Træer"]
    assert preview.areas == [committee.name]
    assert preview.min_age == 15
    assert {"voting_start", "review_end"} == set(preview.changes)

    services.round_voting_open(
        actor=moderator, budget_round=budget_round, expected=preview.fingerprint
    )

    stored = _fresh(budget_round)
    assert stored.phase == "voting"
    assert stored.voting_start <= timezone.now()
    assert stored.review_end <= stored.voting_start
    ballot_list = BallotList.objects.get(budget_round=stored)
    costs = BallotEntry.objects.filter(ballot_list=ballot_list).values_list("cost", flat=True)
    assert sorted(costs) == [30_000, 40_000]
    entry = AuditEntry.objects.get(action="round.open_voting")
    assert entry.actor == moderator
    assert entry.data["ballot"] == [p["id"] for p in preview.ballot]
    old, new = entry.data["changes"]["voting_start"]
    assert old == budget_round.voting_start.isoformat()
    assert new == stored.voting_start.isoformat()
    assert audit_chain_verify() == []


def test_voting_cannot_open_with_an_empty_ballot(committee, moderator):
    budget_round = _review_round(committee, projects=())
    with pytest.raises(ValidationError, match="No project would be on the ballot"):
        services.round_voting_open(
            actor=moderator,
            budget_round=budget_round,
            expected=_expected(budget_round, OPEN_VOTING),
        )
    assert _fresh(budget_round).phase == "review"
    assert not BallotList.objects.filter(budget_round=budget_round).exists()
    assert not AuditEntry.objects.filter(action="round.open_voting").exists()


def test_a_ballot_changed_since_the_preview_is_not_opened(committee, moderator):
    budget_round = _review_round(committee)
    seen = _expected(budget_round, OPEN_VOTING)
    late = factories.proposal(budget_round=budget_round, state="feasible", title="Cykelstativ")
    with pytest.raises(ValidationError) as refused:
        services.round_voting_open(actor=moderator, budget_round=budget_round, expected=seen)
    assert refused.value.code == "stale"
    assert _fresh(budget_round).phase == "review"
    # Confirming the new preview opens the ballot with the late project on it.
    services.round_voting_open(
        actor=moderator, budget_round=budget_round, expected=_expected(budget_round, OPEN_VOTING)
    )
    assert BallotEntry.objects.filter(proposal=late).exists()


def test_two_moderators_confirming_at_once_open_voting_once(committee, moderator):
    other = factories.moderator(committee=committee)
    budget_round = _review_round(committee)
    seen = _expected(budget_round, OPEN_VOTING)
    services.round_voting_open(actor=moderator, budget_round=budget_round, expected=seen)
    # The second click held the same page: the round it loaded still said "review".
    with pytest.raises(ValidationError) as refused:
        services.round_voting_open(actor=other, budget_round=budget_round, expected=seen)
    assert refused.value.code == "phase"
    assert AuditEntry.objects.filter(action="round.open_voting").count() == 1
    assert BallotList.objects.filter(budget_round=budget_round).count() == 1


def test_only_the_committees_moderators_change_the_phase(committee):
    budget_round = _review_round(committee)
    seen = _expected(budget_round, OPEN_VOTING)
    other_committee = factories.committee("Valby Lokaludvalg", district_name="Valby")
    for person in (
        factories.moderator(committee=other_committee),
        factories.reviewer(committee=committee, budget_round=budget_round),
        factories.polling_staff(committee=committee),
        factories.user(),
    ):
        with pytest.raises(PermissionDenied):
            services.round_voting_open(actor=person, budget_round=budget_round, expected=seen)
    assert _fresh(budget_round).phase == "review"


def test_a_grant_pool_has_no_phase_actions(committee, moderator):
    pool = factories.grant_pool(committee=committee)
    with pytest.raises(ValidationError, match="grant pool"):
        services.round_ideas_close(
            actor=moderator, budget_round=pool, reason="Puljen lukker.", expected=""
        )


# --- Close ideas -------------------------------------------------------------------------------


def test_closing_ideas_starts_the_review_and_needs_a_reason(committee, moderator):
    budget_round = factories.budget_round(committee=committee, phase="ideas")
    factories.proposal(budget_round=budget_round, state="submitted")
    preview = phase_preview(budget_round=budget_round, action=CLOSE_IDEAS)
    assert preview.counts == {"submitted": 1, "drafts": 0}
    with pytest.raises(ValidationError, match="reason"):
        services.round_ideas_close(
            actor=moderator, budget_round=budget_round, reason="  ", expected=preview.fingerprint
        )
    services.round_ideas_close(
        actor=moderator,
        budget_round=budget_round,
        reason="Nok forslag til runden.",
        expected=preview.fingerprint,
    )
    stored = _fresh(budget_round)
    assert stored.phase == "review"
    assert AuditEntry.objects.get(action="round.close_ideas").reason == "Nok forslag til runden."


# --- Close voting now, and a ballot in the same second -------------------------------------------


def test_a_ballot_on_its_way_when_voting_closes_is_refused(committee, moderator):
    budget_round = factories.voting_round(committee=committee)
    ids = project_ids(budget_round)
    voting_services.ballot_cast(
        budget_round=budget_round,
        person="before",
        channel="online",
        selection={ids["Bænke"]: 1},
        replaceable=False,
    )
    # The voter's request loaded the round while voting was open; staff close it meanwhile.
    in_flight = _fresh(budget_round)
    services.round_voting_close(
        actor=moderator,
        budget_round=budget_round,
        reason="Valgstedet er lukket.",
        expected=_expected(budget_round, CLOSE_VOTING),
    )
    assert in_flight.phase == "voting"  # what the voter's request still believes
    with pytest.raises(ValidationError, match="Voting is not open"):
        voting_services.ballot_cast(
            budget_round=in_flight,
            person="after",
            channel="online",
            selection={ids["Bænke"]: 1},
            replaceable=False,
        )
    stored = _fresh(budget_round)
    assert stored.phase == "results"
    assert stored.voting_end <= timezone.now()
    assert sum(round_turnout(budget_round=stored).values()) == 1


def test_closing_voting_needs_a_reason(committee, moderator):
    budget_round = factories.voting_round(committee=committee)
    with pytest.raises(ValidationError, match="reason"):
        services.round_voting_close(
            actor=moderator,
            budget_round=budget_round,
            reason="",
            expected=_expected(budget_round, CLOSE_VOTING),
        )
    assert _fresh(budget_round).phase == "voting"


# --- Extend voting -------------------------------------------------------------------------------


def test_extending_voting_moves_the_end_and_the_results(committee, moderator):
    budget_round = factories.voting_round(committee=committee)
    new_end = budget_round.voting_end + datetime.timedelta(days=2)
    services.round_voting_extend(
        actor=moderator,
        budget_round=budget_round,
        new_end=new_end,
        reason="Strømsvigt på valgstedet.",
        expected=_expected(budget_round, EXTEND_VOTING, new_end=new_end),
    )
    stored = _fresh(budget_round)
    assert stored.voting_end == new_end
    assert stored.results_start == new_end
    entry = AuditEntry.objects.get(action="round.extend_voting")
    assert entry.data["changes"]["voting_end"] == [
        budget_round.voting_end.isoformat(),
        new_end.isoformat(),
    ]
    assert entry.reason == "Strømsvigt på valgstedet."


@pytest.mark.parametrize(
    ("days", "message"),
    [(-1, "later than"), (61, "60 days"), (15, "implementation starts")],
)
def test_a_bad_new_end_is_refused_with_a_reason(committee, moderator, days, message):
    budget_round = factories.voting_round(committee=committee)
    new_end = budget_round.voting_end + datetime.timedelta(days=days)
    if days == 61:
        budget_round.implementation_start = new_end + datetime.timedelta(days=1)
        BudgetRound.objects.filter(pk=budget_round.pk).update(
            implementation_start=budget_round.implementation_start
        )
    with pytest.raises(ValidationError, match=message):
        services.round_voting_extend(
            actor=moderator,
            budget_round=budget_round,
            new_end=new_end,
            reason="Flere skal kunne stemme.",
            expected=_expected(budget_round, EXTEND_VOTING, new_end=new_end),
        )
    assert _fresh(budget_round).voting_end == budget_round.voting_end


def test_voting_cannot_be_extended_once_the_result_is_confirmed(committee, moderator):
    budget_round = factories.voting_round(committee=committee)
    services.round_voting_close(
        actor=moderator,
        budget_round=budget_round,
        reason="Valget lukker.",
        expected=_expected(budget_round, CLOSE_VOTING),
    )
    result_confirm(moderator=moderator, budget_round=_fresh(budget_round))
    stored = _fresh(budget_round)
    new_end = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="confirmed"):
        services.round_voting_extend(
            actor=moderator,
            budget_round=stored,
            new_end=new_end,
            reason="Flere skal kunne stemme.",
            expected=_expected(stored, EXTEND_VOTING, new_end=new_end),
        )


# --- The staff pages -----------------------------------------------------------------------------


def _fingerprint(html: str) -> str:
    return re.search(r'name="expected" value="([0-9a-f]+)"', html).group(1)


def test_the_preview_page_shows_the_ballot_and_confirming_opens_voting(
    client, committee, moderator
):
    budget_round = _review_round(committee)
    client.force_login(moderator)
    index = client.get(reverse("voting_phase", args=[budget_round.pk]))
    action_url = reverse("voting_phase_action", args=[budget_round.pk, OPEN_VOTING])
    assert action_url in index.content.decode()
    assert reverse("voting_phase_action", args=[budget_round.pk, CLOSE_VOTING]) not in (
        index.content.decode()
    )
    page = client.get(action_url)
    html = page.content.decode()
    with translation.override("da"):  # the admin speaks the moderator's language
        style = str(budget_round.get_ballot_style_display())
    for shown in ("Bænke", "Træer", committee.name, style):
        assert shown in html
    response = client.post(action_url, {"expected": _fingerprint(html), "confirm": "1"})
    assert response.status_code == HTTPStatus.FOUND
    assert _fresh(budget_round).phase == "voting"
    # The same page confirmed again (a second tab) is refused with the reason, not a crash.
    again = client.post(action_url, {"expected": _fingerprint(html), "confirm": "1"})
    assert again.status_code == HTTPStatus.OK
    with translation.override("da"):
        refused = gettext(
            "This round is in the phase “%(phase)s”: this change is no longer possible."
        ) % {"phase": gettext("Voting")}
    assert refused in again.content.decode()
    assert AuditEntry.objects.filter(action="round.open_voting").count() == 1


def test_an_extension_is_previewed_before_it_is_confirmed(client, committee, moderator):
    budget_round = factories.voting_round(committee=committee)
    client.force_login(moderator)
    url = reverse("voting_phase_action", args=[budget_round.pk, EXTEND_VOTING])
    html = client.get(url).content.decode()
    local = timezone.localtime(budget_round.voting_end + datetime.timedelta(days=1))
    new_end = local.strftime("%Y-%m-%dT%H:%M")
    data = {"expected": _fingerprint(html), "new_end": new_end, "reason": "Strømsvigt."}
    previewed = client.post(url, {**data, "preview": "1"})
    assert previewed.status_code == HTTPStatus.OK
    assert _fresh(budget_round).voting_end == budget_round.voting_end
    data["expected"] = _fingerprint(previewed.content.decode())
    assert client.post(url, {**data, "confirm": "1"}).status_code == HTTPStatus.FOUND
    assert _fresh(budget_round).voting_end == local.replace(second=0, microsecond=0)


def test_phase_pages_are_for_the_committees_moderators(client, committee):
    budget_round = _review_round(committee)
    client.force_login(factories.reviewer(committee=committee, budget_round=budget_round))
    for url in (
        reverse("voting_phase", args=[budget_round.pk]),
        reverse("voting_phase_action", args=[budget_round.pk, OPEN_VOTING]),
    ):
        assert client.get(url).status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.FOUND)
    client.force_login(factories.moderator(committee=committee))
    unknown = reverse("voting_phase_action", args=[budget_round.pk, "reopen-ideas"])
    assert client.get(unknown).status_code == HTTPStatus.NOT_FOUND


def test_withdrawn_after_the_preview_is_not_on_the_ballot(committee, moderator):
    budget_round = _review_round(committee)
    seen = _expected(budget_round, OPEN_VOTING)
    bench = budget_round.proposals.get(title="Bænke")
    proposal_services.proposal_withdraw(author=bench.author, proposal=bench)
    with pytest.raises(ValidationError):
        services.round_voting_open(actor=moderator, budget_round=budget_round, expected=seen)


def test_the_phase_page_is_linked_from_the_overview_and_the_schedule(client, committee, moderator):
    budget_round = _review_round(committee)
    client.force_login(moderator)
    phase_url = reverse("voting_phase", args=[budget_round.pk])
    assert phase_url in client.get(reverse("voting_overview")).content.decode()
    schedule = client.get(reverse("round_schedule", args=[budget_round.pk]))
    assert phase_url in schedule.content.decode()
