"""Writes of one-time voting codes: making them, redeeming one, and casting a ballot with it.

Codes are stored only as keyed hashes (`voting.keys.code_hash`); the plain codes exist only in
what `codes_generate` returns. Wrong tries count per client (`throttle_key`, in the cache) and
per code that starts the same way (`VotingCode.misses`, in the database), so that guessing is
slow from one place and a guessed-at code locks itself.

A code is either issued from the round's voter roll (`codes_issue_from_roll`), bound to one
person, or anonymous (`codes_generate`). A bound code votes under its person's voter key, the
key that person also has online and at a polling station, so whichever channel they use first
is their only one. An anonymous code is a voter of its own: it is made, and counted, only in a
round voted with codes alone, where there is no other channel to vote in again.
"""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from committees.models import BudgetRound
from voting import keys, services
from voting.age import age_on
from voting.ballot_box import AlreadyVoted
from voting.identity.services import age_band
from voting.models import Ballot, Channel, RollEntry, VotingCode, VotingConfig
from voting.selectors import round_config

CODE_ATTEMPTS_PER_CLIENT = 10  # wrong codes per client per window
CODE_ATTEMPT_WINDOW = 600  # seconds
MAX_LETTERS_PER_BATCH = 10_000


def anonymous_codes_allowed(config: VotingConfig) -> bool:
    """Only where nobody can vote in another channel: a code of nobody in particular would
    otherwise let its holder vote twice."""
    return not (config.allow_online or config.allow_paper)


ANONYMOUS_CODES_REFUSED = _lazy(
    "Codes that are not tied to a person on the voter roll can only be used in a round voted "
    "with codes alone: otherwise a person could vote with such a code and again online or at a "
    "polling station. Issue letters from the voter roll instead, or turn off online and "
    "in-person voting."
)


@transaction.atomic
def codes_generate(*, budget_round: BudgetRound, count: int, batch: str = "") -> list[str]:
    """Make one-time codes; the plain codes exist only in what this returns (print or mail)."""
    if not 1 <= count <= 100_000:
        raise ValidationError(_("Make from 1 to 100,000 codes at a time."))
    if not anonymous_codes_allowed(round_config(budget_round=budget_round)):
        raise ValidationError(ANONYMOUS_CODES_REFUSED, code="anonymous_codes")
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


@dataclass(frozen=True)
class Letter:
    """One letter of a batch issued from the roll: the plain code and where it goes."""

    number: int
    code: str
    address: str
    area: str


@transaction.atomic
def codes_issue_from_roll(
    *, budget_round: BudgetRound, batch: str, limit: int = MAX_LETTERS_PER_BATCH
) -> list[Letter]:
    """A code for each person on the roll who has none yet (up to `limit`), bound to them.

    The plain codes exist only in what this returns: the letters and the supplier's manifest
    are both made from it, in the same order. Issuing is serialised per round (a lock on the
    round's row), so two staff members issuing at once never give one person two codes.
    """
    BudgetRound.objects.select_for_update().filter(pk=budget_round.pk).first()
    if not round_config(budget_round=budget_round).allow_codes:
        raise ValidationError(_("This round does not use voting codes."), code="no_codes")
    if timezone.now() >= budget_round.voting_end:
        raise ValidationError(_("Voting has closed in this round."), code="closed")
    waiting = (
        RollEntry.objects.filter(budget_round=budget_round, code__isnull=True)
        .select_related("area")
        .order_by("pk")[:limit]
    )
    entries = list(waiting)
    if not entries:
        if RollEntry.objects.filter(budget_round=budget_round).exists():
            raise ValidationError(
                _("Everyone on the voter roll has a code already."), code="roll_done"
            )
        raise ValidationError(
            _("This round has no voter roll yet: import the municipality's extract first."),
            code="no_roll",
        )
    letters, rows = [], []
    for number, entry in enumerate(entries, start=1):
        code = keys.new_code()
        letters.append(
            Letter(
                number=number,
                code=code,
                address=entry.address,
                area=entry.area.name if entry.area else "",
            )
        )
        rows.append(
            VotingCode(
                budget_round=budget_round,
                code_hash=keys.code_hash(code),
                hint=keys.normalise_code(code)[:4],
                batch=batch[:100],
                roll_entry=entry,
            )
        )
    VotingCode.objects.bulk_create(rows)
    return letters


def throttle_key(client: str) -> str:
    return f"voting-code-misses:{client}"


def code_redeem(*, budget_round: BudgetRound, code: str, client: str) -> VotingCode:
    """The code, if it is right, unused and not locked. Wrong tries count per client and code."""
    if cache.get(throttle_key(client), 0) >= CODE_ATTEMPTS_PER_CLIENT:
        raise PermissionDenied(_("Too many wrong codes. Wait ten minutes and try again."))
    normal = keys.normalise_code(code)
    if len(normal) != 12:
        raise ValidationError(_("A voting code has 12 letters and digits, e.g. ABCD-EFGH-JKLM."))
    found = VotingCode.objects.filter(
        budget_round=budget_round, code_hash=keys.code_hash(code)
    ).first()
    if found is None:
        try:
            cache.add(throttle_key(client), 0, CODE_ATTEMPT_WINDOW)
            cache.incr(throttle_key(client))
        except ValueError:
            cache.set(throttle_key(client), 1, CODE_ATTEMPT_WINDOW)
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
    # The ballot is checked before the code is locked, as online: reading the round's ballot
    # for the first time may lock the round to freeze its list, and a lock on the round held
    # while this voter's participation waits on another channel's would deadlock the two.
    services.ballot_check(budget_round=budget_round, selection=selection)
    with transaction.atomic():
        locked = VotingCode.objects.select_for_update().get(pk=found.pk)
        if locked.used:
            raise AlreadyVoted(_("This code has already been used."), code="used")
        entry = (
            RollEntry.objects.filter(pk=locked.roll_entry_id)
            .select_related("area__committee")
            .first()
        )
        if entry is not None:
            # The person's own voter key: a ballot of theirs in any other channel stops this one.
            ballot = services.ballot_cast(
                budget_round=budget_round,
                voter_key=entry.voter_key,
                channel=Channel.CODE,
                selection=selection,
                replaceable=False,
                # Turnout by district, as online (`VerifiedIdentity.area`) and at a station.
                area=entry.area.committee.district if entry.area else None,
                age=_roll_age_band(budget_round=budget_round, birth_date=entry.birth_date),
            )
        elif anonymous_codes_allowed(round_config(budget_round=budget_round)):
            ballot = services.ballot_cast(
                budget_round=budget_round,
                person=f"code:{locked.code_hash}",
                channel=Channel.CODE,
                selection=selection,
                replaceable=False,
            )
        else:
            raise ValidationError(ANONYMOUS_CODES_REFUSED, code="anonymous_codes")
        locked.used = True
        locked.save(update_fields=["used"])
        return ballot


def _roll_age_band(*, budget_round: BudgetRound, birth_date: datetime.date) -> str:
    """The age band on the day the code is used; refused under the round's minimum age, which
    is reached exactly on the birthday (`voting.age.age_on`)."""
    today = timezone.localdate()
    if age_on(birth_date, today) < budget_round.min_age:
        raise ValidationError(services.age_refusal(budget_round), code="too_young")
    return age_band(birth_date=birth_date, today=today)
