"""Writes of one-time voting codes: making them, redeeming one, and casting a ballot with it.

Codes are stored only as keyed hashes (`voting.keys.code_hash`); the plain codes exist only in
what `codes_generate` returns. Wrong tries count per client (`throttle_key`, in the cache) and
per code that starts the same way (`VotingCode.misses`, in the database), so that guessing is
slow from one place and a guessed-at code locks itself.
"""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from committees.models import BudgetRound
from voting import keys, services
from voting.ballot_box import AlreadyVoted
from voting.models import Ballot, Channel, VotingCode

CODE_ATTEMPTS_PER_CLIENT = 10  # wrong codes per client per window
CODE_ATTEMPT_WINDOW = 600  # seconds


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
    with transaction.atomic():
        locked = VotingCode.objects.select_for_update().get(pk=found.pk)
        if locked.used:
            raise AlreadyVoted(_("This code has already been used."), code="used")
        ballot = services.ballot_cast(
            budget_round=budget_round,
            person=f"code:{locked.code_hash}",
            channel=Channel.CODE,
            selection=selection,
            replaceable=False,
        )
        locked.used = True
        locked.save(update_fields=["used"])
        return ballot
