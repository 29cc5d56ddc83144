"""Writes of live meetings: the host's controls and quick votes. Consumers and views call these.

Every control is authorised here, for every call: only the hosts of the meeting's committee (and
site admins) may use them. Each write publishes to the live displays after it commits.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from committees.ids import parse_id
from committees.models import AgendaItem, Meeting, MinutesEntry
from committees.permissions import is_signed_in
from committees.services import audit_record, meeting_minutes_record
from voting import keys, permissions
from voting.live import broadcast
from voting.models import (
    MeetingLive,
    Participation,
    PollingStation,
    QuickVote,
    QuickVoteAnswer,
    QuickVoteCode,
)
from voting.selectors import round_live_snapshot

YES_NO_OPTIONS = ["yes", "no", "abstain"]
MAX_OPTIONS = 10
MAX_CODES = 500


def _require_host(user, meeting: Meeting) -> None:
    if not permissions.is_meeting_host(user, meeting):
        raise PermissionDenied(_("Only the meeting's hosts can control the live display."))


def _changed(meeting: Meeting) -> None:
    broadcast.meeting_changed_on_commit(meeting.pk)
    if meeting.budget_round_id:  # the round's own display follows the host's hide and freeze
        broadcast.round_changed_on_commit(meeting.budget_round_id)


def _live_locked(meeting: Meeting) -> MeetingLive:
    MeetingLive.objects.get_or_create(meeting=meeting)
    return MeetingLive.objects.select_for_update().get(meeting=meeting)


SWITCHES = {
    "open_voting": {"room_voting_open": True},
    "close_voting": {"room_voting_open": False},
    "hide_tally": {"tally_visible": False},
    "show_tally": {"tally_visible": True},
}


@transaction.atomic
def meeting_live_switch(*, user, meeting: Meeting, action: str) -> MeetingLive:
    """Open or close voting in the room; hide or show the running tally."""
    _require_host(user, meeting)
    if action not in SWITCHES:
        raise ValidationError(_("Unknown control."), code="unknown")
    live = _live_locked(meeting)
    for name, value in SWITCHES[action].items():
        setattr(live, name, value)
    live.save()
    audit_record(
        actor=user, action=f"live.{action}", obj=meeting, committee_id=meeting.committee_id
    )
    _changed(meeting)
    return live


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def online_voting_open(meeting: Meeting) -> bool:
    """Whether ballots may still arrive online for the meeting's round: a tally frozen now would
    leave them out, and the display would speak of a result while voting goes on."""
    budget_round = meeting.budget_round
    return bool(
        budget_round is not None
        and budget_round.phase == "voting"
        and budget_round.voting_end > timezone.now()
    )


@transaction.atomic
def meeting_live_freeze(*, user, meeting: Meeting, while_voting_open: bool = False) -> MeetingLive:
    """Stop the tally where it is: the final result, revealed later with `meeting_live_reveal`.

    While online voting is still open the host must say so (`while_voting_open`): the frozen
    tally then is the room's result at this moment, not the round's.
    """
    _require_host(user, meeting)
    if not meeting.shows_own_round():
        raise ValidationError(_("This meeting shows no budget round."), code="no_round")
    if online_voting_open(meeting) and not while_voting_open:
        raise ValidationError(
            _(
                "Online voting is still open until %(end)s: ballots cast after the freeze are "
                "not in the frozen result. Tick the box to freeze anyway."
            )
            % {"end": _when(meeting.budget_round.voting_end)},
            code="voting_open",
        )
    live = _live_locked(meeting)
    snapshot = round_live_snapshot(budget_round=meeting.budget_round, hidden_by_host=False)
    live.frozen_tally = {
        "tally_state": snapshot["tally_state"],
        "tally": snapshot["tally"],
        "ballots": snapshot["ballots"],
    }
    live.stage = MeetingLive.Stage.FROZEN
    live.save()
    audit_record(
        actor=user,
        action="live.freeze",
        obj=meeting,
        committee_id=meeting.committee_id,
        data={"ballots": snapshot["ballots"], "while_voting_open": online_voting_open(meeting)},
    )
    _changed(meeting)
    return live


@transaction.atomic
def meeting_live_reveal(*, user, meeting: Meeting) -> MeetingLive:
    _require_host(user, meeting)
    live = _live_locked(meeting)
    if live.stage != MeetingLive.Stage.FROZEN:
        raise ValidationError(_("Freeze the result before revealing it."), code="not_frozen")
    live.stage = MeetingLive.Stage.REVEALED
    live.save()
    audit_record(actor=user, action="live.reveal", obj=meeting, committee_id=meeting.committee_id)
    _changed(meeting)
    return live


@transaction.atomic
def meeting_live_resume(*, user, meeting: Meeting) -> MeetingLive:
    """Back to the running tally after a freeze (e.g. frozen by mistake)."""
    _require_host(user, meeting)
    live = _live_locked(meeting)
    live.stage = MeetingLive.Stage.LIVE
    live.frozen_tally = None
    live.save()
    audit_record(actor=user, action="live.resume", obj=meeting, committee_id=meeting.committee_id)
    _changed(meeting)
    return live


# --- Quick votes -----------------------------------------------------------------------------


def _clean_options(kind: str, options) -> list[str]:
    if kind == QuickVote.Kind.YES_NO:
        return list(YES_NO_OPTIONS)
    if kind != QuickVote.Kind.CHOOSE_ONE:
        raise ValidationError(_("Choose the kind of quick vote."), code="kind")
    if isinstance(options, str):
        options = options.splitlines()
    if not isinstance(options, list | tuple):  # a number, a mapping, null from a socket
        options = []
    cleaned = [str(o).strip()[:100] for o in (options or []) if str(o).strip()]
    if not 2 <= len(cleaned) <= MAX_OPTIONS:
        raise ValidationError(
            _("Give from 2 to %(max)d answers, one a line.") % {"max": MAX_OPTIONS},
            code="options",
        )
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError(_("Each answer may appear only once."), code="options")
    return cleaned


@transaction.atomic
def quick_vote_start(
    *,
    user,
    meeting: Meeting,
    question: str,
    kind: str,
    counted_by: str,
    options=None,
    agenda_item_id: int | None = None,
    code_count: int = 0,
) -> tuple[QuickVote, list[str]]:
    """Start a quick vote; returns it and, when counted by code, the plain one-time codes."""
    _require_host(user, meeting)
    question = (question or "").strip()
    if not question or len(question) > 300:
        raise ValidationError(_("Write the question (at most 300 characters)."), code="question")
    if counted_by not in QuickVote.CountedBy.values:
        raise ValidationError(_("Choose how answers are counted once per person."), code="by")
    cleaned = _clean_options(kind, options)
    item = None
    if agenda_item_id:
        item = AgendaItem.objects.filter(pk=agenda_item_id, meeting=meeting).first()
        if item is None:
            raise ValidationError(_("That agenda item is not on this meeting."), code="item")
    if counted_by == QuickVote.CountedBy.CHECKED_IN and not (
        meeting.shows_own_round()
        and PollingStation.objects.filter(budget_round_id=meeting.budget_round_id).exists()
    ):
        raise ValidationError(
            _(
                "Only a meeting that shows its committee's round, with polling stations, can "
                "count once per checked-in voter."
            ),
            code="by",
        )
    if counted_by == QuickVote.CountedBy.CODE and not 1 <= int(code_count or 0) <= MAX_CODES:
        raise ValidationError(
            _("Make from 1 to %(max)d codes for the room.") % {"max": MAX_CODES}, code="codes"
        )
    if QuickVote.objects.select_for_update().filter(meeting=meeting, is_open=True).exists():
        raise ValidationError(_("Close the running quick vote first."), code="running")
    try:
        with transaction.atomic():
            vote = QuickVote.objects.create(
                meeting=meeting,
                agenda_item=item,
                question=question,
                kind=kind,
                options=cleaned,
                counted_by=counted_by,
                opened_at=timezone.now(),
                created_by=user,
            )
    except IntegrityError as exc:
        raise ValidationError(_("Close the running quick vote first."), code="running") from exc
    codes = []
    if counted_by == QuickVote.CountedBy.CODE:
        codes = [keys.new_code() for _n in range(int(code_count))]
        QuickVoteCode.objects.bulk_create(
            QuickVoteCode(quick_vote=vote, code_hash=keys.code_hash(f"q{vote.pk}{c}"))
            for c in codes
        )
    audit_record(
        actor=user,
        action="live.quick_vote_start",
        obj=meeting,
        committee_id=meeting.committee_id,
        data={"quick_vote": vote.pk, "question": question},
    )
    broadcast.meeting_changed_on_commit(meeting.pk)  # the round's display shows no quick vote
    return vote, codes


def quick_vote_answer(
    *,
    quick_vote: QuickVote,
    choice: int,
    user=None,
    code: str = "",
    device_token: str = "",
) -> QuickVoteAnswer:
    """One answer per person, by the quick vote's chosen way of telling people apart."""
    try:
        choice = int(choice)
    except (TypeError, ValueError):
        choice = -1
    if not 0 <= choice < len(quick_vote.options):
        raise ValidationError(_("Choose one of the answers."), code="choice")
    with transaction.atomic():
        vote = QuickVote.objects.select_for_update().get(pk=quick_vote.pk)
        if not vote.is_open:
            raise ValidationError(_("This quick vote is closed."), code="closed")
        if vote.counted_by == QuickVote.CountedBy.CHECKED_IN:
            # Counted per person on the roll: a phone, signed in or not, is nobody on it.
            raise ValidationError(
                _("This quick vote is answered on the polling station's tablet."), code="station"
            )
        if vote.counted_by == QuickVote.CountedBy.ACCOUNT:
            if not is_signed_in(user):
                raise PermissionDenied(_("Log in to answer this quick vote."))
            person = f"user:{user.pk}"
        elif vote.counted_by == QuickVote.CountedBy.CODE:
            found = QuickVoteCode.objects.filter(
                quick_vote=vote, code_hash=keys.code_hash(f"q{vote.pk}{keys.normalise_code(code)}")
            ).first()
            if found is None:
                raise ValidationError(_("That code is not right. Check it and try again."), "wrong")
            if found.used:
                raise ValidationError(_("This code has already been used."), code="used")
            found.used = True
            found.save(update_fields=["used"])
            person = f"code:{found.pk}"
        elif is_signed_in(user):
            # Signed in: the account answers, whichever browser or phone it uses.
            person = f"user:{user.pk}"
        else:
            if not device_token or len(device_token) > 64:
                raise ValidationError(_("Open the meeting's join page to answer."), "device")
            person = f"device:{device_token}"
        try:
            with transaction.atomic():
                answer = QuickVoteAnswer.objects.create(
                    quick_vote=vote,
                    voter_key=keys.quick_vote_key(quick_vote_id=vote.pk, person=person),
                    choice=choice,
                )
        except IntegrityError as exc:
            raise ValidationError(_("You have already answered."), code="already") from exc
        broadcast.meeting_changed_on_commit(vote.meeting_id)
    return answer


def checked_in_person(participation: Participation) -> str:
    """Who a checked-in voter is to a quick vote: their key on the round's roll, the same at
    every station and tablet of the round."""
    return f"voter:{participation.voter_key}"


def quick_vote_present(participation: Participation) -> bool:
    """Whether a checked-in voter may still be in the room: waiting for the tablet, or voted at
    the station today. Someone checked in on an earlier day who never voted has gone home, and
    their place on the roll must not be answered for by whoever holds the tablet."""
    return participation.station_id is not None and (
        participation.voted_on is None or participation.voted_on == timezone.localdate()
    )


def quick_vote_answer_checked_in(
    *, staff, quick_vote: QuickVote, station: PollingStation, participation: Participation, choice
) -> QuickVoteAnswer:
    """A checked-in voter answers on the station's tablet, picked by the polling staff.

    Staff of the round's committee pick the person; the person answers. The participation's row
    is locked as for a tablet ballot (`voting.paper.services._lock_waiting`), and the answer is
    keyed by the person's voter key, so the database's `one_answer_per_person` holds one answer
    per person whichever tablet, station or staff member is used.
    """
    try:
        choice = int(choice)
    except (TypeError, ValueError):
        choice = -1
    if not 0 <= choice < len(quick_vote.options):
        raise ValidationError(_("Choose one of the answers."), code="choice")
    meeting = quick_vote.meeting
    budget_round = meeting.budget_round if meeting.shows_own_round() else None
    if budget_round is None or not permissions.can_staff_round(staff, budget_round):
        raise PermissionDenied(_("Only the committee's polling staff can do this."))
    if station.budget_round_id != budget_round.pk:
        raise PermissionDenied(_("This polling station is not in the meeting's round."))
    with transaction.atomic():
        vote = QuickVote.objects.select_for_update().get(pk=quick_vote.pk)
        if not vote.is_open:
            raise ValidationError(_("This quick vote is closed."), code="closed")
        if vote.counted_by != QuickVote.CountedBy.CHECKED_IN:
            raise ValidationError(
                _("This quick vote is not counted per checked-in voter."), code="by"
            )
        locked = (
            Participation.objects.select_for_update()
            .filter(pk=participation.pk, budget_round=budget_round, station=station)
            .first()
        )
        if locked is None:
            raise ValidationError(
                _("This voter was not checked in at this polling station."),
                code="not_checked_in",
            )
        if not quick_vote_present(locked):
            raise ValidationError(
                _("This voter was checked in on an earlier day and did not vote then."),
                code="gone",
            )
        try:
            with transaction.atomic():
                answer = QuickVoteAnswer.objects.create(
                    quick_vote=vote,
                    voter_key=keys.quick_vote_key(
                        quick_vote_id=vote.pk, person=checked_in_person(locked)
                    ),
                    choice=choice,
                )
        except IntegrityError as exc:
            raise ValidationError(
                _("This voter has already answered this quick vote."), code="already"
            ) from exc
        broadcast.meeting_changed_on_commit(vote.meeting_id)
    return answer


def quick_vote_counts(*, quick_vote: QuickVote) -> list[int]:
    counts = [0] * len(quick_vote.options)
    for choice in QuickVoteAnswer.objects.filter(quick_vote=quick_vote).values_list(
        "choice", flat=True
    ):
        counts[choice] += 1
    return counts


def _option_label(vote: QuickVote, index: int) -> str:
    if vote.kind == QuickVote.Kind.YES_NO:
        return [_("Yes"), _("No"), _("Abstain")][index]
    return vote.options[index]


def quick_vote_minutes_params(vote: QuickVote) -> dict:
    """A closed quick vote as a minutes line's parameters (`committees.MinutesEntry`); an item
    the platform generated comes with its data, so its title is worded for each reader."""
    params = {
        "quick_vote": vote.pk,
        "question": vote.question,
        "agenda_item": vote.agenda_item.title if vote.agenda_item_id else "",
        "yes_no": vote.kind == QuickVote.Kind.YES_NO,
        "options": list(vote.options),
        "counts": list(vote.result or []),
    }
    if vote.agenda_item_id and vote.agenda_item.generated:
        params["agenda_item_generated"] = vote.agenda_item.generated
    return params


@transaction.atomic
def quick_vote_close(*, user, quick_vote: QuickVote) -> QuickVote:
    """Close the vote, store its counts, and add them to the meeting's minutes."""
    meeting = quick_vote.meeting
    _require_host(user, meeting)
    vote = QuickVote.objects.select_for_update().get(pk=quick_vote.pk)
    if not vote.is_open:
        raise ValidationError(_("This quick vote is closed."), code="closed")
    counts = quick_vote_counts(quick_vote=vote)
    vote.is_open = False
    vote.closed_at = timezone.now()
    vote.result = counts
    vote.save(update_fields=["is_open", "closed_at", "result"])
    # Into the minutes as data: each reader sees the line in their own language.
    meeting_minutes_record(
        meeting_id=meeting.pk,
        kind=MinutesEntry.Kind.QUICK_VOTE,
        params=quick_vote_minutes_params(vote),
    )
    audit_record(
        actor=user,
        action="live.quick_vote_close",
        obj=meeting,
        committee_id=meeting.committee_id,
        data={"quick_vote": vote.pk, "result": counts},
    )
    broadcast.meeting_changed_on_commit(meeting.pk)
    return vote


def meeting_live_control(*, user, meeting: Meeting, message: dict) -> dict:
    """One control message from the host's socket (or form): authorised here, every time."""
    _require_host(user, meeting)
    action = str(message.get("action", ""))
    if action in SWITCHES:
        meeting_live_switch(user=user, meeting=meeting, action=action)
    elif action == "freeze":
        meeting_live_freeze(
            user=user, meeting=meeting, while_voting_open=message.get("while_voting_open") is True
        )
    elif action == "reveal":
        meeting_live_reveal(user=user, meeting=meeting)
    elif action == "resume":
        meeting_live_resume(user=user, meeting=meeting)
    elif action == "quick_vote_start":
        if message.get("agenda_item") not in (None, "") and (
            parse_id(message.get("agenda_item")) is None
        ):
            raise ValidationError(_("That agenda item is not on this meeting."), code="item")
        vote, codes = quick_vote_start(
            user=user,
            meeting=meeting,
            question=str(message.get("question", "")),
            kind=str(message.get("kind", "")),
            counted_by=str(message.get("counted_by", "")),
            options=message.get("options"),
            agenda_item_id=parse_id(message.get("agenda_item")),
            code_count=parse_id(message.get("code_count")) or 0,
        )
        return {"action": action, "quick_vote": vote.pk, "codes": codes}
    elif action == "quick_vote_close":
        vote = QuickVote.objects.filter(meeting=meeting, is_open=True).first()
        if vote is None:
            raise ValidationError(_("No quick vote is running."), code="none")
        quick_vote_close(user=user, quick_vote=vote)
    else:
        raise ValidationError(_("Unknown control."), code="unknown")
    return {"action": action}
