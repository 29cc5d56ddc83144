"""Writes of the voting app that every channel shares: eligibility, checking and casting a
ballot, the round's voting settings, following a round.

The ballot box itself is `voting.ballot_box`; the channels' own writes live in their packages:
`voting.identity.services` (verified identities), `voting.codes.services` (one-time codes),
`voting.paper.services` (polling stations and paper), `voting.results.services` (confirming
the result) and `voting.live.services` (live meetings).
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.areas import area_admits
from committees.models import Address, Area, BudgetRound, District, Phase
from committees.permissions import is_signed_in
from committees.selectors import round_areas
from committees.services import audit_record
from voting import age, ballot_box, keys, permissions
from voting.ballot_list import ballot_list
from voting.models import (
    Ballot,
    Channel,
    Participation,
    RoundFollow,
    VerifiedIdentity,
    VotingCode,
    VotingConfig,
)
from voting.selectors import round_config
from voting.tally.ballots import Limits, ballot_problems


def ballot_costs(budget_round: BudgetRound) -> dict[str, int]:
    return {str(p.pk): p.cost for p in ballot_list(budget_round=budget_round)}


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


# --- Eligibility -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    can_vote: bool
    reason: str
    channel: str | None = None
    has_voted: bool = False
    can_change: bool = False
    # The person's postcode lies in several areas: they choose theirs (voting:identity_area).
    needs_area_choice: bool = False
    # Online voting cannot take this person, but a letter code or a polling station can: an
    # identity without a CPR number beside those channels, or an age claim that cannot tell
    # the round's minimum age. The ballot page links to the identity page, which lists them.
    other_ways: bool = False
    # What the check loaded, so that casting need not load it again.
    identity: VerifiedIdentity | None = field(default=None, compare=False, repr=False)
    config: VotingConfig | None = field(default=None, compare=False, repr=False)


def voting_districts(budget_round: BudgetRound) -> set[int]:
    """The districts of the round's areas: for turnout figures, never for who may vote."""
    return {area.committee.district_id for area in round_areas(budget_round=budget_round)}


def voting_area_names(budget_round: BudgetRound) -> str:
    return ", ".join(area.name for area in round_areas(budget_round=budget_round))


def round_admits_residence(
    *, budget_round: BudgetRound, home: Area | None, address: Address | None
) -> bool:
    """Whether a resident of committee area `home` (at `address`) may vote in the round."""
    return any(
        area_admits(area=area, home=home, address=address)
        for area in round_areas(budget_round=budget_round)
    )


def age_refusal(budget_round: BudgetRound) -> str:
    return _("Residents aged %(age)d or more on the voting day can vote in this round.") % {
        "age": budget_round.min_age
    }


def online_needs_person_number(config: VotingConfig) -> bool:
    """Whether online voters need an identity with a CPR number in a round with these settings.

    Letter codes from the voter roll and polling stations know a voter by their CPR number. An
    identity verified without one (an "over N" or birth date claim only) is known by the
    broker's subject, a key no letter or station shares: its online ballot would not stop the
    same person's code or station vote. So where either of those channels is on, online voting
    takes only identities with a CPR number; a round voted online alone takes every identity.
    """
    return config.allow_codes or config.allow_paper


def person_number_refusal() -> str:
    return _(
        "Your identity was verified without a CPR number. This round is also voted with "
        "letter codes or at polling stations, which know voters by their CPR number, so you "
        "cannot vote online here: vote with the code from your letter or at a polling station."
    )


def eligibility_online(*, user, budget_round: BudgetRound, check_voted: bool = True) -> Eligibility:
    """Whether this person can vote online now, and if not, why and what to do instead.

    `check_voted=False` leaves out whether they voted already, for casting: the ballot box
    itself refuses or replaces a second ballot.
    """
    config = round_config(budget_round=budget_round)
    if budget_round.phase != Phase.VOTING:
        return Eligibility(False, _("Voting is not open in this round."))
    if not config.allow_online:
        return Eligibility(
            False,
            _("This round is not voted online. Vote with a code or at a polling station."),
        )
    if not is_signed_in(user):
        return Eligibility(False, _("Log in and verify your identity to vote online."))
    identity = (
        VerifiedIdentity.objects.filter(user=user)
        .select_related("area", "home_area", "address")
        .first()
    )
    if identity is None:
        return Eligibility(False, _("Verify your identity with MitID to vote online."))
    old_enough = age.admits(
        minimum=budget_round.min_age,
        age_min=identity.age_min,
        age_max=identity.age_max,
        known_on=identity.age_known_on,
        day=timezone.localdate(),
    )
    if old_enough is False:
        return Eligibility(False, age_refusal(budget_round))
    if old_enough is None and identity.age_known_on == timezone.localdate():
        # Checked today and still undecided: the broker sent only an age claim that does not
        # answer this round's minimum ("not over 18" for a minimum of 15). Verifying again
        # would say the same, so the person is sent where their birth date is known.
        return Eligibility(
            False,
            _(
                "Your identity provider did not say whether you are %(age)d or older. Vote with "
                "the code from your letter or at a polling station."
            )
            % {"age": budget_round.min_age},
            other_ways=True,
        )
    if old_enough is None:
        return Eligibility(
            False,
            _(
                "Your age on the voting day decides whether you can vote. Verify your identity "
                "again today."
            ),
        )
    if identity.home_area_id is None and identity.area_choices.exists():
        return Eligibility(
            False,
            _("Your postcode is shared by several areas. Choose the area you live in."),
            needs_area_choice=True,
        )
    if not round_admits_residence(
        budget_round=budget_round, home=identity.home_area, address=identity.address
    ):
        return Eligibility(
            False,
            _("Only residents of %(areas)s can vote in this round.")
            % {"areas": voting_area_names(budget_round)},
        )
    if not identity.has_person_number and online_needs_person_number(config):
        return Eligibility(False, person_number_refusal(), other_ways=True)
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
        return Eligibility(False, ballot_box.already_voted_message(existing), has_voted=True)
    return Eligibility(
        True, _("You can vote online."), Channel.ONLINE, identity=identity, config=config
    )


# --- Casting a ballot ------------------------------------------------------------------------


def round_phase_now(*, budget_round: BudgetRound) -> str:
    """The round's phase by its dates as stored now, not as this request first read them: staff
    may close or extend voting (`voting.phases.services`) while a ballot is on its way."""
    stored = BudgetRound.objects.filter(pk=budget_round.pk).first()
    return (stored or budget_round).phase


def ballot_check(
    *, budget_round: BudgetRound, selection: dict[str, int], config: VotingConfig | None = None
) -> None:
    """Refuse a ballot that breaks the round's ballot rules, with every problem at once."""
    problems = ballot_problems(
        limits=limits_for(budget_round, config or round_config(budget_round=budget_round)),
        costs=ballot_costs(budget_round),
        selection=selection,
    )
    if problems:
        raise ValidationError(problems, code="invalid")


def ballot_cast(
    *,
    budget_round: BudgetRound,
    person: str = "",
    voter_key: str = "",
    channel: str,
    selection: dict[str, int],
    replaceable: bool,
    area: District | None = None,
    age: str = "",
    config: VotingConfig | None = None,
) -> Ballot:
    """A voter known by a person key (online, voting code) casts a checked ballot.

    A letter code from the voter roll knows its person's voter key, and passes `voter_key`."""
    config = config or round_config(budget_round=budget_round)
    if round_phase_now(budget_round=budget_round) != Phase.VOTING:
        raise ValidationError(_("Voting is not open in this round."), code="closed")
    ballot_check(budget_round=budget_round, selection=selection, config=config)
    return ballot_box.ballot_insert(
        budget_round=budget_round,
        person=person,
        voter_key=voter_key,
        channel=channel,
        selection=selection,
        replaceable=replaceable and config.allow_change,
        area=area,
        age=age,
    )


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
    return ballot_cast(
        config=eligibility.config,
        budget_round=budget_round,
        person=identity.person_key,
        channel=Channel.ONLINE,
        selection=selection,
        replaceable=True,
        area=identity.area,
        age=identity.age_band,
    )


def voting_config_for_new_round(sender, instance, created=False, raw=False, **kwargs) -> None:
    """A new round gets its voting settings at once, with the defaults, so that reading them
    (`selectors.round_config`) never writes. Connected in `VotingAppConfig.ready()` to the
    post_save of BudgetRound, which lives in `committees` and knows nothing of voting."""
    if created and not raw:
        VotingConfig.objects.get_or_create(budget_round=instance)


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
    "utility",
)
CONFIG_FIELDS_ALWAYS = ("min_ballots_for_tally", "retention_days")
# The ballot limits that belong to each ballot style: the settings page shows only the chosen
# style's, and the others keep their stored values (a style changed before voting gets them back).
CONFIG_FIELDS_BY_STYLE = {
    "approval": ("approval_min", "approval_max"),
    "knapsack": ("knapsack_min_share",),
    "cumulative": ("cumulative_points", "cumulative_max_per_project"),
    "ranking": ("ranking_length",),
}
CONFIG_FIELDS_OF_STYLES = tuple(name for names in CONFIG_FIELDS_BY_STYLE.values() for name in names)


def config_fields_for(budget_round: BudgetRound) -> tuple[str, ...]:
    """The voting settings that apply to this round: every setting but other styles' limits."""
    own = CONFIG_FIELDS_BY_STYLE.get(budget_round.ballot_style, ())
    return tuple(
        name
        for name in (*CONFIG_FIELDS_FROZEN_AT_VOTING, *CONFIG_FIELDS_ALWAYS)
        if name in own or name not in CONFIG_FIELDS_OF_STYLES
    )


@transaction.atomic
def voting_config_update(*, moderator, budget_round: BudgetRound, values: dict) -> VotingConfig:
    """Change a round's voting settings; audited, and the ballot rules frozen once voting opens."""
    if not permissions.can_moderate_round(moderator, budget_round):
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
    if (config.allow_online or config.allow_paper) and VotingCode.objects.filter(
        budget_round=budget_round, roll_entry__isnull=True
    ).exists():
        raise ValidationError(
            _(
                "This round has voting codes that belong to nobody in particular, so it can "
                "only be voted with codes: a person could otherwise vote with such a code and "
                "again online or at a polling station. Keep online and in-person voting off."
            )
        )
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


# --- Following a round -----------------------------------------------------------------------


def round_follow(*, user, budget_round: BudgetRound) -> None:
    """The resident hears by e-mail when the results are published. Following twice is once."""
    if not is_signed_in(user):
        raise PermissionDenied(_("Log in to follow a round."))
    RoundFollow.objects.get_or_create(user=user, budget_round=budget_round)


def round_unfollow(*, user, budget_round: BudgetRound) -> None:
    if not is_signed_in(user):
        raise PermissionDenied(_("Log in to follow a round."))
    RoundFollow.objects.filter(user=user, budget_round=budget_round).delete()
