"""Writes of the voting app: identities, eligibility, one ballot per voter, voting codes."""

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from committees.models import BudgetRound, District, Phase
from proposals.selectors import ballot_proposals
from voting import keys
from voting.live import broadcast
from voting.models import (
    AGE_BANDS,
    Ballot,
    Channel,
    Participation,
    VerifiedIdentity,
    VotingCode,
    VotingConfig,
)
from voting.tally.ballots import Limits, ballot_problems

CODE_ATTEMPTS_PER_CLIENT = 10  # wrong codes per client per window
CODE_ATTEMPT_WINDOW = 600  # seconds


class AlreadyVoted(ValidationError):
    pass


def config_for(budget_round: BudgetRound) -> VotingConfig:
    config, _created = VotingConfig.objects.get_or_create(budget_round=budget_round)
    return config


def ballot_costs(budget_round: BudgetRound) -> dict[str, int]:
    return {str(p.pk): p.cost for p in ballot_proposals(budget_round=budget_round)}


def limits_for(budget_round: BudgetRound, config: VotingConfig) -> Limits:
    return Limits(
        style=budget_round.ballot_style,
        pot=budget_round.pot,
        approval_min=config.approval_min,
        approval_max=config.approval_max,
        knapsack_min_share=config.knapsack_min_share,
        cumulative_points=config.cumulative_points,
        cumulative_max_per_project=config.cumulative_max_per_project,
        ranking_length=config.ranking_length,
    )


def age_band(*, birth_date: datetime.date, today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    age = (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )
    label = AGE_BANDS[0][1]
    for low, band in AGE_BANDS:
        if age >= low:
            label = band
    return label


# --- Identity and eligibility ----------------------------------------------------------------


@transaction.atomic
def identity_verify(
    *,
    user,
    provider: str,
    subject: str,
    national_id: str,
    birth_date: datetime.date,
    area: District | None,
) -> VerifiedIdentity:
    """Keep what eligibility needs from a verified login: never the national id or birth date."""
    identity, _created = VerifiedIdentity.objects.update_or_create(
        user=user,
        defaults={
            "provider": provider,
            "subject": subject,
            "person_key": keys.person_key(national_id=national_id),
            "area": area,
            "age_band": age_band(birth_date=birth_date),
            "verified_at": timezone.now(),
        },
    )
    return identity


@dataclass(frozen=True)
class Eligibility:
    can_vote: bool
    reason: str
    channel: str | None = None
    has_voted: bool = False
    can_change: bool = False
    # What the check loaded, so that casting need not load it again.
    identity: VerifiedIdentity | None = field(default=None, compare=False, repr=False)
    config: VotingConfig | None = field(default=None, compare=False, repr=False)


def _voting_districts(budget_round: BudgetRound) -> set[int]:
    ids = set(budget_round.voting_districts.values_list("pk", flat=True))
    return ids or {budget_round.committee.district_id}


def eligibility_online(*, user, budget_round: BudgetRound, check_voted: bool = True) -> Eligibility:
    """Whether this person can vote online now, and if not, why and what to do instead.

    `check_voted=False` leaves out whether they voted already, for casting: the ballot box
    itself refuses or replaces a second ballot.
    """
    config = config_for(budget_round)
    if budget_round.phase != Phase.VOTING:
        return Eligibility(False, _("Voting is not open in this round."))
    if not config.allow_online:
        return Eligibility(
            False,
            _("This round is not voted online. Vote with a code or at a polling station."),
        )
    if not (user and user.is_authenticated):
        return Eligibility(False, _("Log in and verify your identity to vote online."))
    identity = VerifiedIdentity.objects.filter(user=user).select_related("area").first()
    if identity is None:
        return Eligibility(False, _("Verify your identity with MitID to vote online."))
    if identity.min_age < budget_round.min_age:
        return Eligibility(
            False,
            _("Residents aged %(age)d or more can vote in this round.")
            % {"age": budget_round.min_age},
        )
    if identity.area_id not in _voting_districts(budget_round):
        return Eligibility(False, _("Only residents of the round's districts can vote."))
    if not check_voted:
        return Eligibility(
            True, _("You can vote online."), Channel.ONLINE, identity=identity, config=config
        )
    key = keys.voter_key(round_id=budget_round.pk, person=identity.person_key)
    existing = Participation.objects.filter(budget_round=budget_round, voter_key=key).first()
    if existing is not None:
        if existing.channel == Channel.ONLINE and config.allow_change:
            return Eligibility(
                True,
                _("You have voted. You can change your ballot until voting closes."),
                Channel.ONLINE,
                has_voted=True,
                can_change=True,
                identity=identity,
                config=config,
            )
        return Eligibility(
            False,
            _("You have already voted in this round (%(channel)s).")
            % {"channel": Channel(existing.channel).label},
            has_voted=True,
        )
    return Eligibility(
        True, _("You can vote online."), Channel.ONLINE, identity=identity, config=config
    )


# --- Casting a ballot ------------------------------------------------------------------------


def _cast(
    *,
    budget_round: BudgetRound,
    person: str,
    channel: str,
    selection: dict[str, int],
    replaceable: bool,
    area: District | None = None,
    age: str = "",
    station=None,
    entered_by=None,
    config: VotingConfig | None = None,
) -> Ballot:
    """The one way into the ballot box, for every channel."""
    config = config or config_for(budget_round)
    if budget_round.phase != Phase.VOTING:
        raise ValidationError(_("Voting is not open in this round."), code="closed")
    problems = ballot_problems(
        limits=limits_for(budget_round, config),
        costs=ballot_costs(budget_round),
        selection=selection,
    )
    if problems:
        raise ValidationError(problems, code="invalid")
    key = keys.voter_key(round_id=budget_round.pk, person=person)
    tag = keys.owner_tag(voter_key=key) if replaceable and config.allow_change else None
    today = timezone.localdate()
    ballot = Ballot(
        budget_round=budget_round,
        selection={str(k): int(v) for k, v in selection.items() if int(v) > 0},
        channel=channel,
        cast_on=today,
        receipt_code=keys.new_receipt(),
        owner_tag=tag,
        station=station,
        entered_by=entered_by,
    )
    # Most voters vote once: insert straight away (one transaction, two inserts). The unique
    # participation per voter turns a second ballot into an IntegrityError, and only then is
    # the existing participation read, under a row lock.
    try:
        with transaction.atomic():
            Participation.objects.create(
                budget_round=budget_round,
                voter_key=key,
                channel=channel,
                voted_on=today,
                area=area,
                age_band=age,
                station=station,
            )
            ballot.save(force_insert=True)
            # Live displays learn of the ballot once it is committed, and never if it is not.
            broadcast.round_changed_on_commit(budget_round.pk)
            return ballot
    except IntegrityError:
        pass
    try:
        with transaction.atomic():
            participation = (
                Participation.objects.select_for_update()
                .filter(budget_round=budget_round, voter_key=key)
                .first()
            )
            if participation is None:  # pragma: no cover - the insert failed on something else
                raise IntegrityError("participation vanished")
            checked_in = participation.voted_on is None and channel in (
                Channel.TABLET,
                Channel.PAPER,
            )
            if checked_in:
                participation.voted_on = today
                participation.channel = channel
                participation.save(update_fields=["voted_on", "channel"])
            elif tag and participation.channel == channel:
                Ballot.objects.filter(budget_round=budget_round, owner_tag=tag).delete()
            else:
                raise AlreadyVoted(
                    _("You have already voted in this round (%(channel)s).")
                    % {"channel": Channel(participation.channel).label},
                    code="already_voted",
                )
            ballot.save(force_insert=True)
            # Live displays learn of the ballot once it is committed, and never if it is not.
            broadcast.round_changed_on_commit(budget_round.pk)
            return ballot
    except IntegrityError as exc:
        # Another submission for the same voter won the race: theirs is the one ballot.
        raise AlreadyVoted(
            _("Your ballot was already received a moment ago."), code="already_voted"
        ) from exc


def ballot_cast_online(
    *,
    user,
    budget_round: BudgetRound,
    selection: dict[str, int],
    eligibility: Eligibility | None = None,
) -> Ballot:
    """Cast online. A view that has just checked `eligibility` for this user may pass it in."""
    eligibility = eligibility or eligibility_online(user=user, budget_round=budget_round)
    if not eligibility.can_vote:
        raise PermissionDenied(eligibility.reason)
    identity = eligibility.identity
    return _cast(
        config=eligibility.config,
        budget_round=budget_round,
        person=identity.person_key,
        channel=Channel.ONLINE,
        selection=selection,
        replaceable=True,
        area=identity.area,
        age=identity.age_band,
    )


# --- Voting codes ----------------------------------------------------------------------------


@transaction.atomic
def codes_generate(*, budget_round: BudgetRound, count: int, batch: str = "") -> list[str]:
    """Make one-time codes; the plain codes exist only in what this returns (print or mail)."""
    if not 1 <= count <= 100_000:
        raise ValidationError(_("Make from 1 to 100,000 codes at a time."))
    codes, rows = [], []
    while len(codes) < count:
        code = keys.new_code()
        codes.append(code)
        normal = keys.normalise_code(code)
        rows.append(
            VotingCode(
                budget_round=budget_round,
                code_hash=keys.code_hash(code),
                hint=normal[:4],
                batch=batch[:100],
            )
        )
    VotingCode.objects.bulk_create(rows)
    return codes


def _throttle_key(client: str) -> str:
    return f"voting-code-misses:{client}"


def code_redeem(*, budget_round: BudgetRound, code: str, client: str) -> VotingCode:
    """The code, if it is right, unused and not locked. Wrong tries count per client and code."""
    if cache.get(_throttle_key(client), 0) >= CODE_ATTEMPTS_PER_CLIENT:
        raise PermissionDenied(_("Too many wrong codes. Wait ten minutes and try again."))
    normal = keys.normalise_code(code)
    if len(normal) != 12:
        raise ValidationError(_("A voting code has 12 letters and digits, e.g. ABCD-EFGH-JKLM."))
    found = VotingCode.objects.filter(
        budget_round=budget_round, code_hash=keys.code_hash(code)
    ).first()
    if found is None:
        try:
            cache.add(_throttle_key(client), 0, CODE_ATTEMPT_WINDOW)
            cache.incr(_throttle_key(client))
        except ValueError:
            cache.set(_throttle_key(client), 1, CODE_ATTEMPT_WINDOW)
        # A miss on a code that starts the same way counts against that code.
        VotingCode.objects.filter(
            budget_round=budget_round, hint=normal[:4], misses__lt=VotingCode.MAX_MISSES
        ).update(misses=F("misses") + 1)
        raise ValidationError(_("That code is not right. Check it and try again."), code="wrong")
    if found.locked:
        raise ValidationError(
            _("This code is locked after too many wrong tries. Ask the committee for a new one."),
            code="locked",
        )
    if found.used:
        raise AlreadyVoted(_("This code has already been used."), code="used")
    return found


def ballot_cast_with_code(
    *, budget_round: BudgetRound, code: str, selection: dict[str, int], client: str
) -> Ballot:
    # Checked outside the transaction, so that a wrong try is counted even though it fails.
    found = code_redeem(budget_round=budget_round, code=code, client=client)
    with transaction.atomic():
        locked = VotingCode.objects.select_for_update().get(pk=found.pk)
        if locked.used:
            raise AlreadyVoted(_("This code has already been used."), code="used")
        ballot = _cast(
            budget_round=budget_round,
            person=f"code:{locked.code_hash}",
            channel=Channel.CODE,
            selection=selection,
            replaceable=False,
        )
        locked.used = True
        locked.save(update_fields=["used"])
        return ballot


# --- Confirming the result -------------------------------------------------------------------


@transaction.atomic
def result_confirm(
    *,
    moderator,
    budget_round: BudgetRound,
    final_selected: list[str] | None = None,
    reason: str = "",
):
    """The committee confirms the rule's outcome, or overrides it with a public reason.

    Proposals on the ballot become selected or not selected; both outcomes stay on record.
    """
    import hashlib

    from committees.permissions import is_moderator_of
    from committees.services import audit_record
    from proposals.models import State as ProposalState
    from proposals.services import proposal_transition_by_system
    from voting.management.commands.pb_export import export_round
    from voting.models import RoundResult
    from voting.selectors import round_projects, round_results

    if not is_moderator_of(moderator, budget_round.committee_id):
        raise PermissionDenied(_("Only the committee's moderators can confirm the result."))
    if budget_round.phase not in (Phase.RESULTS, Phase.IMPLEMENTATION):
        raise ValidationError(_("The result can be confirmed once voting has closed."))
    # Late paper keying locks the same row (voting.paper.services._require_keying_open).
    BudgetRound.objects.select_for_update().only("pk").get(pk=budget_round.pk)
    if RoundResult.objects.filter(budget_round=budget_round).exists():
        raise ValidationError(_("The result of this round is already confirmed."))
    from voting.models import PaperEntry

    unkeyed = (
        PaperEntry.objects.filter(station__budget_round=budget_round)
        .exclude(status=PaperEntry.Status.ACCEPTED)
        .count()
    )
    if unkeyed:
        raise ValidationError(
            ngettext(
                "%(count)d paper ballot still waits for its second keying or a new keying; "
                "finish it at the polling station's page first.",
                "%(count)d paper ballots still wait for their second keying or a new keying; "
                "finish them at the polling stations' pages first.",
                unkeyed,
            )
            % {"count": unkeyed}
        )
    outcome = round_results(budget_round=budget_round)
    projects = round_projects(budget_round=budget_round)
    final = list(outcome.selected if final_selected is None else final_selected)
    reason = (reason or "").strip()
    if set(final) != set(outcome.selected):
        if not reason:
            raise ValidationError(_("Give a public reason for changing the result."))
        if not set(final) <= set(projects):
            raise ValidationError(_("Only projects on the ballot can be selected."))
        if sum(projects[p].cost for p in final) > budget_round.pot:
            raise ValidationError(_("The selected projects cost more than the pot."))
    text = export_round(budget_round)
    result = RoundResult.objects.create(
        budget_round=budget_round,
        rule=budget_round.tally_rule,
        computed_selected=outcome.selected,
        final_selected=final,
        override_reason=reason if set(final) != set(outcome.selected) else "",
        ballots_sha256=hashlib.sha256(text.encode()).hexdigest(),
        ballot_count=Ballot.objects.filter(budget_round=budget_round).count(),
        confirmed_by=moderator,
        confirmed_at=timezone.now(),
    )
    for pid, proposal in projects.items():
        if proposal.state == ProposalState.FEASIBLE:
            target = ProposalState.SELECTED if pid in final else ProposalState.NOT_SELECTED
            # One e-mail tells each author the outcome: the results e-mail, after commit.
            proposal_transition_by_system(proposal=proposal, target=target, notify=False)
    audit_record(
        actor=moderator,
        action="voting.result_confirm",
        obj=budget_round,
        reason=result.override_reason,
        committee_id=budget_round.committee_id,
        data={"computed": outcome.selected, "final": final, "sha256": result.ballots_sha256},
    )
    round_id = budget_round.pk
    transaction.on_commit(lambda: _notify_results(round_id))
    return result


# --- Voting settings ---------------------------------------------------------------------------

# Fields that decide who may vote and what a valid ballot is: fixed once voting opens, so that
# every voter of a round votes under the same rules. The others may change at any time.
CONFIG_FIELDS_FROZEN_AT_VOTING = (
    "allow_online",
    "allow_codes",
    "allow_paper",
    "approval_min",
    "approval_max",
    "knapsack_min_share",
    "cumulative_points",
    "cumulative_max_per_project",
    "ranking_length",
    "allow_change",
)
CONFIG_FIELDS_ALWAYS = ("min_ballots_for_tally", "retention_days")


@transaction.atomic
def voting_config_update(*, moderator, budget_round: BudgetRound, values: dict) -> VotingConfig:
    """Change a round's voting settings; audited, and the ballot rules frozen once voting opens."""
    from committees.permissions import is_moderator_of
    from committees.services import audit_record

    if not is_moderator_of(moderator, budget_round.committee_id):
        raise PermissionDenied(_("Only the committee's moderators can change the voting settings."))
    config, _created = VotingConfig.objects.select_for_update().get_or_create(
        budget_round=budget_round
    )
    allowed = set(CONFIG_FIELDS_ALWAYS)
    if not budget_round.voting_has_opened:
        allowed |= set(CONFIG_FIELDS_FROZEN_AT_VOTING)
    changed = {}
    for name, value in values.items():
        if name not in allowed and name in CONFIG_FIELDS_FROZEN_AT_VOTING:
            if getattr(config, name) != value:
                raise ValidationError(
                    _("Voting has opened: who may vote and what a valid ballot is cannot change.")
                )
            continue
        if name not in allowed:
            raise ValidationError(_("Unknown voting setting."))
        if getattr(config, name) != value:
            changed[name] = [getattr(config, name), value]
            setattr(config, name, value)
    if not (config.allow_online or config.allow_codes or config.allow_paper):
        raise ValidationError(_("Keep at least one way to vote."))
    config.full_clean()
    config.save()
    if changed:
        audit_record(
            actor=moderator,
            action="voting.config_update",
            obj=budget_round,
            committee_id=budget_round.committee_id,
            data=changed,
        )
    return config


def _notify_results(round_id: int) -> None:
    from voting.results.notifications import send_results_published

    send_results_published(round_id=round_id)


# --- Following a round -----------------------------------------------------------------------


def round_follow(*, user, budget_round: BudgetRound) -> None:
    """The resident hears by e-mail when the results are published. Following twice is once."""
    from voting.models import RoundFollow

    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Log in to follow a round."))
    RoundFollow.objects.get_or_create(user=user, budget_round=budget_round)


def round_unfollow(*, user, budget_round: BudgetRound) -> None:
    from voting.models import RoundFollow

    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Log in to follow a round."))
    RoundFollow.objects.filter(user=user, budget_round=budget_round).delete()
