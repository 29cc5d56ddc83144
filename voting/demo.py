"""Demo voting: ballots in the demo committee's voting round, and a confirmed, published result."""

import datetime
import hashlib
import json
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from committees.demo import DEMO_COMMITTEE, logins_file
from committees.models import BudgetRound, Meeting, User
from committees.services import round_lock
from proposals.models import Proposal, State, StatusChange
from proposals.tracking.services import tracked_projects_backfill
from voting import ballot_box
from voting.ballot_list import ballot_list
from voting.codes.services import codes_issue_from_roll
from voting.identity import devprovider
from voting.identity.services import identity_verify
from voting.live import services as live
from voting.models import (
    Ballot,
    MeetingLive,
    Participation,
    PollingStation,
    QuickVote,
    RollEntry,
    RoundResult,
    VerifiedIdentity,
    VotingConfig,
)
from voting.results.ballot_file import export_round
from voting.roll.services import roll_import
from voting.selectors import round_results

DEMO_VOTERS = 40


AGE_BANDS = ["18-24", "25-34", "35-49", "50-64", "65+"]


def _ballots(
    budget_round: BudgetRound,
    rng: random.Random,
    channel_cycle: list[str],
    age_weights: list[int] | None = None,
) -> int:
    """Knapsack ballots from demo voters: each picks favourites that fit the pot."""
    if Participation.objects.filter(budget_round=budget_round).exists():
        return 0
    projects = list(ballot_list(budget_round=budget_round))
    if not projects:
        return 0
    day = budget_round.voting_start.date()
    for number in range(DEMO_VOTERS):
        channel = channel_cycle[number % len(channel_cycle)]
        age = (
            rng.choices(AGE_BANDS, weights=age_weights)[0] if age_weights else rng.choice(AGE_BANDS)
        )
        choice, total = {}, 0
        for project in rng.sample(projects, k=len(projects)):
            if rng.random() < 0.6 and total + project.cost <= budget_round.pot:
                choice[str(project.pk)] = 1
                total += project.cost
        ballot_box.ballot_insert(
            budget_round=budget_round,
            person=f"demo-voter:{number}",
            channel=channel,
            selection=choice or {str(projects[0].pk): 1},
            replaceable=False,
            area=budget_round.committee.district,
            age=age,
            cast_on=day,
            while_voting=False,
        )
    return DEMO_VOTERS


def _publish(budget_round: BudgetRound) -> None:
    if RoundResult.objects.filter(budget_round=budget_round).exists():
        return
    # The demo's results round: its proposals go back on the ballot and the vote decides.
    Proposal.objects.filter(
        budget_round=budget_round, state__in=[State.SELECTED, State.NOT_SELECTED]
    ).update(state=State.FEASIBLE)
    # Most demo voters in two age bands: the results page shows those and merges the rest.
    _ballots(budget_round, random.Random(7), ["online", "code", "paper"], [1, 5, 5, 2, 1])
    outcome = round_results(budget_round=budget_round)
    for proposal in ballot_list(budget_round=budget_round):
        target = State.SELECTED if str(proposal.pk) in outcome.selected else State.NOT_SELECTED
        StatusChange.objects.create(
            proposal=proposal, from_state=proposal.state, to_state=target, actor=None
        )
        proposal.state = target
        proposal.save(update_fields=["state"])
    text = export_round(budget_round)
    RoundResult.objects.create(
        budget_round=budget_round,
        rule=budget_round.tally_rule,
        computed_selected=outcome.selected,
        final_selected=outcome.selected,
        ballots_sha256=hashlib.sha256(text.encode()).hexdigest(),
        ballot_count=Ballot.objects.filter(budget_round=budget_round).count(),
        confirmed_by=None,
        confirmed_at=timezone.now() - datetime.timedelta(days=1),
    )
    round_lock(budget_round=budget_round)


def _demo_resident_verified(voting: BudgetRound) -> None:
    """The demo resident can vote online at once: as if they had verified with MitID."""
    resident = User.objects.filter(email="beboer@demo.borgerbudget.dk").first()
    if resident is None or VerifiedIdentity.objects.filter(user=resident).exists():
        return
    identity_verify(
        user=resident,
        provider="demo",
        subject="demo-resident",
        national_id="0101801234",
        birth_date=datetime.date(1980, 1, 1),
        area=voting.committee.district,
    )


DEMO_ROLL = [  # made-up people; the first is the demo resident, who can also vote online
    {"cpr": "0101801234", "birth_date": "1980-01-01", "address": "Øster Allé 1, 2100 København Ø"},
    {"cpr": "1505921111", "birth_date": "1992-05-15", "address": "Jagtvej 200, 2100 København Ø"},
    {"cpr": "2011652222", "birth_date": "1965-11-20", "address": "Ryesgade 3, 2100 København Ø"},
]  # fmt: skip


def _demo_codes(voting: BudgetRound) -> list[str]:
    """Letter codes for a small demo voter roll, kept (in plain text) beside the demo logins
    only. The first belongs to the demo resident: once they vote online, it is refused."""
    path = logins_file()
    stored = json.loads(path.read_text()) if path.exists() else {}
    if RollEntry.objects.filter(budget_round=voting).exists():
        return stored.get("voting_codes", [])
    roll_import(budget_round=voting, rows=DEMO_ROLL)
    codes = [letter.code for letter in codes_issue_from_roll(budget_round=voting, batch="Demo")]
    stored["voting_codes"] = codes
    path.write_text(json.dumps(stored, indent=2, ensure_ascii=False))
    return codes


def _demo_live_meeting(voting: BudgetRound):
    """The demo's public meeting shows the voting round live, with voting in the room open.

    The meeting before it holds a closed quick vote, recorded in its minutes."""
    meetings = Meeting.objects.filter(budget_round=voting, is_public=True).order_by("starts_at")
    upcoming = meetings.filter(starts_at__gte=timezone.now()).first() or meetings.last()
    if upcoming is None:
        return None
    MeetingLive.objects.get_or_create(meeting=upcoming, defaults={"room_voting_open": True})
    past = meetings.filter(starts_at__lt=timezone.now()).first()
    host = User.objects.filter(email="moedeleder@demo.borgerbudget.dk").first()
    if past and host and not QuickVote.objects.filter(meeting=past).exists():
        item = past.agenda_items.first()
        vote, _codes = live.quick_vote_start(
            user=host,
            meeting=past,
            question="Skal lokaludvalget holde endnu et borgermøde om puljen?",
            kind=QuickVote.Kind.YES_NO,
            counted_by=QuickVote.CountedBy.DEVICE,
            agenda_item_id=item.pk if item else None,
        )
        for number, choice in enumerate([0] * 14 + [1] * 4 + [2] * 2):
            live.quick_vote_answer(quick_vote=vote, choice=choice, device_token=f"demo-{number}")
        live.quick_vote_close(user=host, quick_vote=vote)
    return upcoming


@transaction.atomic
def seed(*, stdout) -> None:
    voting = BudgetRound.objects.filter(committee__name=DEMO_COMMITTEE, slug="demo-voting").first()
    results = BudgetRound.objects.filter(
        committee__name=DEMO_COMMITTEE, slug="demo-results"
    ).first()
    if voting is None or results is None:
        return
    for budget_round in (voting, results):
        VotingConfig.objects.get_or_create(budget_round=budget_round)
        PollingStation.objects.get_or_create(
            budget_round=budget_round,
            name="Østerbro Bibliotek",
            defaults={"address": "Dag Hammarskjølds Allé 19, 2100 København Ø"},
        )
    added = _ballots(voting, random.Random(2026), ["online", "online", "code", "tablet"])
    _demo_resident_verified(voting)
    codes = _demo_codes(voting)
    _publish(results)
    tracked_projects_backfill()  # the published round's winners are followed up too
    meeting = _demo_live_meeting(voting)
    stdout.write(
        f"Demo voting: {added} new ballots in '{voting.title}'; result of '{results.title}' "
        f"published ({Ballot.objects.filter(budget_round=results).count()} ballots)."
    )
    stdout.write(
        f"  vote online as the resident at /afstemning/runde/{voting.pk}/ ; one-time codes for "
        f"/afstemning/runde/{voting.pk}/kode/: {', '.join(codes) or '(used up or reset)'} "
        "(letters from the demo voter roll; the first is the resident's own)"
    )
    if meeting is not None:
        stdout.write(
            f"  live display of '{meeting.title}': /afstemning/live/moede/{meeting.pk}/ (round: "
            f"/afstemning/live/runde/{voting.pk}/); host controls, as the meeting host: "
            f"/afstemning/live/moede/{meeting.pk}/styring/"
        )
    if settings.DEV_IDENTITY_PROVIDER:
        stdout.write(
            "Test identity provider (development only): sign up or log in, open /afstemning/"
            "identitet/, choose 'MitID (test)' and pick one of these made-up persons:"
        )
        for line in devprovider.persons_summary():
            stdout.write(f"  {line}")
