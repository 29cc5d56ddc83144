"""Voting in person: the voter roll at a polling station, tablets, and paper ballots keyed twice.

Polling staff check a person's identity, age and area at a table and check them off on the
round's voter roll: a `Participation` under the same voter key an online voter with that
national id gets, so that nobody votes both in person and online. The national id is used to
compute that key and is then forgotten; it is never stored, logged or shown again.

A check-in says what the voter will do:

- `intent="tablet"` (the default): the participation is created with `voted_on=None`, "checked
  in". The voter then votes on the station's tablet (`ballot_cast_at_station`), which sets
  `voted_on` and the channel "tablet" in the same transaction that puts the ballot in the box
  (`voting.ballot_box.ballot_insert_checked_in`).
  If the tablet cannot be used, `voter_paper_handout` gives the voter a paper ballot instead.
- `intent="paper"`: the voter is handed a paper ballot, which goes into the ballot box without
  a name on it. Handing it out is what counts as having voted, so `voted_on` is set at once and
  the channel is "paper"; the paper ballot itself is keyed later and can never be tied back to
  the voter.

Paper ballots are keyed twice. One staff member keys the ballot under the number printed on
it (`paper_key`); another staff member keys it again from the paper (`paper_confirm`), blind:
the second keyer is never shown the first keying, neither before nor after submitting their own,
so a check that merely agrees with the screen is impossible. Only when the two agree does the
ballot go into the box (`voting.ballot_box.ballot_insert_keyed`), tied to the station and to
the staff member who keyed it first. When they differ, the entry is marked as a mismatch and
the paper must be found and keyed again.

Per station, the ballots counted (tablet and accepted paper ballots) must equal the people who
voted there (`station_reconciliation`).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.areas import committee_area_of
from committees.models import Address, Area, BudgetRound, District, Phase
from voting import ballot_box, keys, permissions
from voting.age import age_on
from voting.ballot_box import AlreadyVoted
from voting.identity.services import age_band
from voting.live import broadcast
from voting.models import (
    Ballot,
    Channel,
    PaperEntry,
    Participation,
    PollingStation,
    RoundResult,
)
from voting.selectors import round_ballot_rows, round_config
from voting.services import (
    age_refusal,
    ballot_check,
    round_admits_residence,
    voting_area_names,
)

INTENTS = (Channel.TABLET, Channel.PAPER)


class PaperMismatch(ValidationError):
    """The second keying differs from the first: the entry is marked and no ballot is counted."""

    def __init__(self, message, *, entry: PaperEntry):
        super().__init__(message, code="mismatch")
        self.entry = entry


# --- Who may work at a polling station -------------------------------------------------------


def _require_staff(user, budget_round: BudgetRound) -> None:
    if not permissions.can_staff_round(user, budget_round):
        raise PermissionDenied(_("Only the committee's polling staff can do this."))


def _require_open(budget_round: BudgetRound) -> None:
    if budget_round.phase != Phase.VOTING:
        raise ValidationError(_("Voting is not open in this round."), code="closed")
    if not round_config(budget_round=budget_round).allow_paper:
        raise ValidationError(_("This round is not voted in person or on paper."), code="no_paper")


def _require_keying_open(budget_round: BudgetRound) -> None:
    """Paper ballots cast by the close are keyed after it too, until the result is confirmed.

    Call inside the keying's transaction: after the close, keying and `result_confirm` both
    lock the round's row, so a ballot is either keyed before the confirmation (and holds it
    back until its second keying) or refused after it.
    """
    if budget_round.phase == Phase.VOTING:
        _require_open(budget_round)
        return
    budget_round = BudgetRound.objects.select_for_update().get(pk=budget_round.pk)
    if budget_round.phase != Phase.RESULTS:
        raise ValidationError(_("Voting is not open in this round."), code="closed")
    if not round_config(budget_round=budget_round).allow_paper:
        raise ValidationError(_("This round is not voted in person or on paper."), code="no_paper")
    if RoundResult.objects.filter(budget_round=budget_round).exists():
        raise ValidationError(
            _("The result is confirmed: no more paper ballots can be keyed."), code="confirmed"
        )


def _clean_selection(selection: dict) -> dict[str, int]:
    try:
        return {str(k): int(v) for k, v in selection.items() if int(v) > 0}
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            _("Every value on the ballot must be a whole number of at least 0."), code="invalid"
        ) from exc


# --- The voter roll ----------------------------------------------------------------------------


def _national_id_digits(national_id: str, birth_date: datetime.date) -> str:
    digits = "".join(ch for ch in (national_id or "") if ch not in " -")
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        raise ValidationError(
            _("A CPR number has ten digits, for example 010190-1234."), code="national_id"
        )
    if digits[:6] != birth_date.strftime("%d%m%y"):
        raise ValidationError(
            _("The CPR number does not match the birth date. Check both with the ID card."),
            code="national_id",
        )
    return digits


def _already_message(participation: Participation) -> str:
    if participation.voted_on is None:
        return _(
            "This person is already checked in at a polling station and has not voted yet. "
            "Find them on the list of voters waiting to vote."
        )
    if participation.channel == Channel.ONLINE:
        return _("This person has already voted online in this round.")
    if participation.channel == Channel.CODE:
        return _("This person has already voted with a voting code in this round.")
    if participation.channel == Channel.TABLET:
        return _("This person has already voted at a polling station, on a tablet.")
    return _("This person has already voted at a polling station, on paper.")


def voter_check_in(
    *,
    staff,
    station: PollingStation,
    national_id: str,
    birth_date: datetime.date,
    area: Area | District | None,
    address: Address | None = None,
    intent: str = Channel.TABLET,
) -> Participation:
    """Check a person off on the round's voter roll. The national id is never stored.

    `area` is the committee area staff found from the address (a district stands for its
    committee's area only when it has one committee); `address`, when known, places the person
    in a local area.
    """
    budget_round = station.budget_round
    _require_staff(staff, budget_round)
    _require_open(budget_round)
    if intent not in INTENTS:
        raise ValidationError(_("Choose a tablet or a paper ballot."), code="intent")
    today = timezone.localdate()
    if birth_date > today:
        raise ValidationError(_("The birth date is in the future."), code="birth_date")
    digits = _national_id_digits(national_id, birth_date)
    band = age_band(birth_date=birth_date, today=today)
    # Exactly on the day, from the birth date: never from the band.
    if age_on(birth_date, today) < budget_round.min_age:
        raise ValidationError(age_refusal(budget_round), code="too_young")
    home = committee_area_of(area)
    if home is None or not round_admits_residence(
        budget_round=budget_round, home=home, address=address
    ):
        raise ValidationError(
            _("Only residents of %(areas)s can vote in this round.")
            % {"areas": voting_area_names(budget_round)},
            code="wrong_area",
        )
    key = keys.voter_key(round_id=budget_round.pk, person=keys.person_key(national_id=digits))
    existing = Participation.objects.filter(budget_round=budget_round, voter_key=key).first()
    if existing is not None:
        raise AlreadyVoted(_already_message(existing), code="already_voted")
    try:
        with transaction.atomic():
            return Participation.objects.create(
                budget_round=budget_round,
                voter_key=key,
                channel=Channel.PAPER,
                voted_on=today if intent == Channel.PAPER else None,
                area=home.committee.district,
                age_band=band,
                station=station,
                checked_in_by=staff,
            )
    except IntegrityError as exc:
        # The same person was checked in or voted online a moment ago.
        existing = Participation.objects.filter(budget_round=budget_round, voter_key=key).first()
        message = (
            _already_message(existing)
            if existing
            else _("This person was checked in a moment ago.")
        )
        raise AlreadyVoted(message, code="already_voted") from exc


def _lock_waiting(staff, participation: Participation) -> Participation:
    budget_round = participation.budget_round
    _require_staff(staff, budget_round)
    _require_open(budget_round)
    locked = (
        Participation.objects.select_for_update()
        .select_related("budget_round")
        .get(pk=participation.pk)
    )
    if locked.station_id is None:
        raise ValidationError(
            _("This voter was not checked in at a polling station."), code="not_checked_in"
        )
    if locked.voted_on is not None:
        raise AlreadyVoted(_already_message(locked), code="already_voted")
    return locked


def ballot_cast_at_station(
    *, staff, participation: Participation, selection: dict, channel: str = Channel.TABLET
) -> Ballot:
    """A checked-in voter votes on the station's tablet: their ballot and `voted_on` at once.

    The ballot carries the station but not the staff member: the voter, not staff, entered it.
    """
    if channel != Channel.TABLET:
        raise ValidationError(
            _("Paper ballots are keyed twice by staff, not cast for a voter."), code="channel"
        )
    budget_round = participation.budget_round
    clean = _clean_selection(selection)
    with transaction.atomic():
        locked = _lock_waiting(staff, participation)
        ballot_check(budget_round=budget_round, selection=clean)
        ballot = ballot_box.ballot_insert_checked_in(participation=locked, selection=clean)
    participation.refresh_from_db()
    return ballot


def voter_paper_handout(*, staff, participation: Participation) -> Participation:
    """A checked-in voter takes a paper ballot instead of the tablet: that counts as voting."""
    with transaction.atomic():
        locked = _lock_waiting(staff, participation)
        locked.voted_on = timezone.localdate()
        locked.channel = Channel.PAPER
        locked.save(update_fields=["voted_on", "channel"])
        broadcast.round_changed_on_commit(locked.budget_round_id)  # turnout changed
    participation.refresh_from_db()
    return participation


# --- Paper ballots, keyed twice ----------------------------------------------------------------


def _clean_number(batch_number: str) -> str:
    number = "".join((batch_number or "").split()).upper()
    if not number or len(number) > 32:
        raise ValidationError(
            _("Type the number printed on the paper ballot (at most 32 characters)."),
            code="batch_number",
        )
    return number


@transaction.atomic
def paper_key(*, staff, station: PollingStation, batch_number: str, selection: dict) -> PaperEntry:
    """The first keying of a paper ballot, or a new first keying after a mismatch."""
    budget_round = station.budget_round
    _require_staff(staff, budget_round)
    _require_keying_open(budget_round)
    number = _clean_number(batch_number)
    clean = _clean_selection(selection)
    ballot_check(budget_round=budget_round, selection=clean)
    entry = (
        PaperEntry.objects.select_for_update().filter(station=station, batch_number=number).first()
    )
    if entry is not None:
        if entry.status != PaperEntry.Status.MISMATCH:
            raise ValidationError(
                _("Ballot number %(number)s has already been keyed at this station.")
                % {"number": number},
                code="duplicate",
            )
        entry.selection = clean
        entry.keyed_by = staff
        entry.checked_by = None
        entry.status = PaperEntry.Status.PENDING
        entry.save(update_fields=["selection", "keyed_by", "checked_by", "status"])
        return entry
    try:
        with transaction.atomic():
            return PaperEntry.objects.create(
                station=station, batch_number=number, selection=clean, keyed_by=staff
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Ballot number %(number)s has already been keyed at this station.")
            % {"number": number},
            code="duplicate",
        ) from exc


def paper_confirm(*, staff, entry: PaperEntry, selection: dict) -> PaperEntry:
    """The second keying by another staff member, made blind from the paper ballot.

    Equal: the entry is accepted and one paper ballot goes into the box. Different: the entry
    is marked as a mismatch, no ballot is counted, and `PaperMismatch` is raised.
    """
    station = entry.station
    budget_round = station.budget_round
    _require_staff(staff, budget_round)
    if selection is None:
        raise ValidationError(
            _("Key the paper ballot again: the second keying is made from the paper."),
            code="blind",
        )
    clean = _clean_selection(selection)
    # The first keying was a valid ballot; a second keying that is not one is a slip of the
    # keyer's, refused with its reasons, rather than a mismatch that sends the paper back.
    ballot_check(budget_round=budget_round, selection=clean)
    with transaction.atomic():
        _require_keying_open(budget_round)
        locked = PaperEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.status != PaperEntry.Status.PENDING:
            raise ValidationError(
                _("Ballot number %(number)s is not waiting for a second keying.")
                % {"number": locked.batch_number},
                code="not_pending",
            )
        if locked.keyed_by_id == staff.pk:
            raise ValidationError(
                _("Another staff member must key the ballot again from the paper."),
                code="same_staff",
            )
        locked.checked_by = staff
        if clean != locked.selection:
            locked.status = PaperEntry.Status.MISMATCH
            locked.save(update_fields=["checked_by", "status"])
        else:
            ballot_check(budget_round=budget_round, selection=locked.selection)
            locked.status = PaperEntry.Status.ACCEPTED
            locked.save(update_fields=["checked_by", "status"])
            ballot_box.ballot_insert_keyed(
                budget_round=budget_round,
                selection=locked.selection,
                station=station,
                entered_by_id=locked.keyed_by_id,
            )
    entry.refresh_from_db()
    if entry.status == PaperEntry.Status.MISMATCH:
        raise PaperMismatch(
            _(
                "The two keyings of ballot number %(number)s differ, so it was not counted. "
                "Find the paper ballot and key it again."
            )
            % {"number": entry.batch_number},
            entry=entry,
        )
    return entry


# --- Reconciliation ----------------------------------------------------------------------------


def station_reconciliation(*, budget_round: BudgetRound) -> list[dict]:
    """Per station: people checked off against ballots counted. `balanced` is False on a gap."""
    stations = (
        PollingStation.objects.filter(budget_round=budget_round)
        .annotate(
            pending=Count("entries", filter=Q(entries__status=PaperEntry.Status.PENDING)),
            mismatch=Count("entries", filter=Q(entries__status=PaperEntry.Status.MISMATCH)),
        )
        .order_by("name")
    )
    people = {
        row["station"]: row
        for row in Participation.objects.filter(budget_round=budget_round, station__isnull=False)
        .values("station")
        .annotate(
            checked_in=Count("pk"),
            waiting=Count("pk", filter=Q(voted_on__isnull=True)),
            voted=Count("pk", filter=Q(voted_on__isnull=False)),
            voted_tablet=Count("pk", filter=Q(voted_on__isnull=False, channel=Channel.TABLET)),
            voted_paper=Count("pk", filter=Q(voted_on__isnull=False, channel=Channel.PAPER)),
        )
    }
    # Ballots still in the mixing buffer count too (voting.ballot_box).
    ballots: dict[int, dict[str, int]] = {}
    for ballot in round_ballot_rows(budget_round=budget_round):
        if ballot.station_id is not None:
            counts = ballots.setdefault(ballot.station_id, {"tablet": 0, "paper": 0})
            counts[ballot.channel] = counts.get(ballot.channel, 0) + 1
    rows = []
    for station in stations:
        counts = people.get(station.pk, {})
        cast = ballots.get(station.pk, {})
        voted = counts.get("voted", 0)
        counted = cast.get("tablet", 0) + cast.get("paper", 0)
        rows.append(
            {
                "station": station,
                "checked_in": counts.get("checked_in", 0),
                "waiting": counts.get("waiting", 0),
                "voted": voted,
                "voted_tablet": counts.get("voted_tablet", 0),
                "voted_paper": counts.get("voted_paper", 0),
                "tablet_ballots": cast.get("tablet", 0),
                "paper_accepted": cast.get("paper", 0),
                "paper_pending": station.pending,
                "paper_mismatch": station.mismatch,
                "ballots": counted,
                "balanced": counted == voted,
            }
        )
    return rows


# --- What a station page lists -----------------------------------------------------------------


def station_waiting(*, station: PollingStation) -> list[Participation]:
    """Voters checked in at this station who have not voted yet (the tablet queue)."""
    return list(Participation.objects.filter(station=station, voted_on__isnull=True).order_by("pk"))


def station_open_entries(*, station: PollingStation) -> list[PaperEntry]:
    """Paper entries of this station that wait for a second keying or must be keyed again."""
    return list(
        PaperEntry.objects.filter(station=station)
        .exclude(status=PaperEntry.Status.ACCEPTED)
        .select_related("keyed_by", "checked_by")
        .order_by("status", "batch_number")
    )
