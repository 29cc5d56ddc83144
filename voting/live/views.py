"""Live meetings over HTTP: the snapshot (refetch and polling fallback), the projector pages,
the attendees' join page with its quick vote, and the host's controls. Views call services and
selectors only."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from committees.models import BudgetRound, Meeting
from voting import keys, permissions, selectors
from voting.live import selectors as live_selectors
from voting.live import services as live
from voting.models import Channel, Participation, PollingStation, QuickVote

DEVICE_COOKIE = "borgerbudget_device"


def _round(round_id: int) -> BudgetRound:
    return get_object_or_404(BudgetRound.objects.select_related("committee"), pk=round_id)


def _meeting(meeting_id: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("committee", "budget_round"), pk=meeting_id, is_public=True
    )


def _snapshot_response(snapshot: dict) -> JsonResponse:
    # `seq` numbers the messages of one socket; a fetched snapshot is ordered by `generated_at`.
    snapshot = {**snapshot, "seq": None, "generated_at": int(timezone.now().timestamp() * 1000)}
    return JsonResponse(snapshot, json_dumps_params={"ensure_ascii": False})


@never_cache
@require_GET
def round_snapshot(request, round_id: int):
    return _snapshot_response(selectors.round_live_snapshot(budget_round=_round(round_id)))


@never_cache
@require_GET
def meeting_snapshot(request, meeting_id: int):
    return _snapshot_response(selectors.meeting_live_snapshot(meeting=_meeting(meeting_id)))


def _qr_svg(url: str) -> str:
    """The QR code as inline SVG, made on the server (no script, no third party). Without width
    and height but with a `viewBox`, so that it scales to fill whatever box the layout gives it."""
    return segno.make(url, error="m").svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True
    )


def _display(request, *, title, ws_path, snapshot_url, join_path, budget_round, meeting=None):
    join_url = request.build_absolute_uri(join_path)
    return TemplateResponse(
        request,
        "voting/live/display.html",
        {
            "title": title,
            "ws_path": ws_path,
            "snapshot_url": snapshot_url,
            "join_url": join_url,
            "join_label": join_url.split("://", 1)[-1],
            "qr_svg": _qr_svg(join_url),
            "round": budget_round,
            "meeting": meeting,
            "labels": _labels(),
            "is_host": bool(meeting and permissions.is_meeting_host(request.user, meeting)),
        },
    )


def _labels() -> dict:
    return {
        "channels": {value: str(label) for value, label in Channel.choices},
        "yes_no": [_("Yes"), _("No"), _("Abstain")],
        "kr": _("kr."),
        "votes": _("votes"),
        "ballots": _("%(count)s ballots so far"),
        "below_threshold": _(
            "The tally is shown once %(threshold)s ballots are in, so that early ballots "
            "cannot be guessed."
        ),
        "hidden_by_host": _("The running tally is hidden until the end of the meeting."),
        "frozen": _("Voting has closed. The result is about to be revealed."),
        "revealed": _("The final result"),
        "closed": _("Voting has closed."),
        "left": _("left"),
        "days": _("d"),
        "pot": _("Pot"),
        "pot_only": _("Pot: %(pot)s"),
        "time_left": _("Time left"),
        "pot_line": _("Pot line · pot %(pot)s · the projects above it cost %(spent)s"),
        "pot_summary": _("Pot %(pot)s · within the pot so far %(spent)s · left %(left)s"),
        "more": _("and %(count)s more projects"),
        "more_one": _("and 1 more project"),
        "frozen_open": _(
            "The room's result is frozen at %(count)s ballots and is about to be revealed. "
            "Online voting is still open."
        ),
        "revealed_open": _(
            "The room's result at %(count)s ballots. Online voting is still open; "
            "the round's result comes when it closes."
        ),
        "online_left": _("Online voting closes in"),
        "funded": _("within the pot"),
        "not_funded": _("not within the pot"),
        "answers": _("%(count)s answers so far"),
        "answers_one": _("1 answer so far"),
        "quick_running": _("Running now"),
        "quick_result": _("Result of the last quick vote"),
        "offline": _("Connection lost. Trying again…"),
        "polling": _("Live updates are blocked here; refreshing every few seconds."),
        "room_open": _("Voting in the room is open: scan the code or type the link."),
        "room_closed": _("Voting in the room is closed."),
    }


@never_cache
def round_display(request, round_id: int):
    budget_round = _round(round_id)
    return _display(
        request,
        title=budget_round.title,
        ws_path=f"/ws/rounds/{budget_round.pk}/live/",
        snapshot_url=reverse("voting:live_round_snapshot", args=[budget_round.pk]),
        join_path=reverse("live_round_short", args=[budget_round.pk]),
        budget_round=budget_round,
    )


@never_cache
def meeting_display(request, meeting_id: int):
    meeting = _meeting(meeting_id)
    return _display(
        request,
        title=meeting.title,
        ws_path=f"/ws/meetings/{meeting.pk}/live/",
        snapshot_url=reverse("voting:live_meeting_snapshot", args=[meeting.pk]),
        join_path=reverse("live_meeting_short", args=[meeting.pk]),
        # Never the name of another committee's round, even if one was attached past the admin.
        budget_round=meeting.budget_round if meeting.shows_own_round() else None,
        meeting=meeting,
    )


def _onward(request, view: str, **kwargs):
    """Short links carry no language prefix (so they would always lead to Danish pages): send
    the visitor on in their own language, from the language cookie or their phone's
    Accept-Language, Danish if neither names one of ours."""
    with translation.override(translation.get_language_from_request(request)):
        return redirect(view, **kwargs)


def round_short(request, round_id: int):
    return _onward(request, "voting:ballot", round_id=round_id)


def meeting_short(request, meeting_id: int):
    return _onward(request, "voting:live_join", meeting_id=meeting_id)


# --- Attendees: join by QR code, answer the quick vote ------------------------------------------


@never_cache
def meeting_join(request, meeting_id: int):
    meeting = _meeting(meeting_id)
    # Only the host's switch: a phone joining need not count the round's ballots.
    room_voting_open = selectors.meeting_live_state(meeting=meeting).room_voting_open
    vote = QuickVote.objects.filter(meeting=meeting, is_open=True).first()
    device = request.COOKIES.get(DEVICE_COOKIE, "")
    errors = []
    if request.method == "POST" and vote is not None:
        if str(vote.pk) != request.POST.get("quick_vote"):
            errors.append(_("That quick vote has closed. Here is the current one."))
        else:
            try:
                live.quick_vote_answer(
                    quick_vote=vote,
                    choice=request.POST.get("choice", ""),
                    user=request.user,
                    code=request.POST.get("code", ""),
                    device_token=device,
                )
            except (ValidationError, PermissionDenied) as error:
                errors.extend(getattr(error, "messages", None) or [str(error)])
            else:
                messages.success(request, _("Thank you. Your answer is counted."))
                return redirect("voting:live_join", meeting_id=meeting.pk)
    response = TemplateResponse(
        request,
        "voting/live/join.html",
        {
            "meeting": meeting,
            "vote": vote,
            "options": _vote_options(vote) if vote else [],
            "errors": errors,
            "round_open": bool(
                room_voting_open
                and meeting.budget_round_id
                and meeting.budget_round.phase == "voting"
            ),
        },
    )
    if not device:
        response.set_cookie(
            DEVICE_COOKIE,
            keys.new_device_token(),
            max_age=60 * 60 * 24,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return response


def _vote_options(vote: QuickVote) -> list[tuple[int, str]]:
    if vote.kind == QuickVote.Kind.YES_NO:
        return list(enumerate([_("Yes"), _("No"), _("Abstain")]))
    return list(enumerate(vote.options))


def _result_rows(vote: QuickVote) -> list[tuple[str, int]]:
    options = _vote_options(vote)
    counts = vote.result or [0] * len(options)
    return [(label, count) for (_i, label), count in zip(options, counts, strict=True)]


# --- Polling staff: a quick vote counted once per checked-in voter ----------------------------


def _station_for_meeting(request, meeting_id: int, station_id: int):
    meeting = _meeting(meeting_id)
    if not meeting.shows_own_round():
        raise PermissionDenied
    station = get_object_or_404(
        PollingStation.objects.select_related("budget_round__committee"),
        pk=station_id,
        budget_round_id=meeting.budget_round_id,
    )
    if not permissions.can_staff_round(request.user, station.budget_round):
        raise PermissionDenied
    vote = QuickVote.objects.filter(
        meeting=meeting, is_open=True, counted_by=QuickVote.CountedBy.CHECKED_IN
    ).first()
    return meeting, station, vote


@never_cache
@login_required
def meeting_station(request, meeting_id: int, station_id: int):
    """The station's tablet, in staff hands: pick the checked-in voter who answers next."""
    meeting, station, vote = _station_for_meeting(request, meeting_id, station_id)
    voters = (
        live_selectors.quick_vote_station_voters(quick_vote=vote, station=station) if vote else []
    )
    return TemplateResponse(
        request,
        "voting/live/station.html",
        {"meeting": meeting, "station": station, "vote": vote, "voters": voters},
    )


@never_cache
@login_required
def meeting_station_answer(request, meeting_id: int, station_id: int, pk: int):
    """The tablet, handed to the voter: they answer the quick vote, once."""
    meeting, station, vote = _station_for_meeting(request, meeting_id, station_id)
    participation = get_object_or_404(Participation, pk=pk, station=station)
    if vote is None:
        messages.info(request, _("No quick vote is running."))
        return redirect("voting:live_station", meeting_id=meeting.pk, station_id=station.pk)
    errors: list[str] = []
    if request.method == "POST":
        if str(vote.pk) != request.POST.get("quick_vote"):
            errors.append(_("That quick vote has closed. Here is the current one."))
        else:
            try:
                live.quick_vote_answer_checked_in(
                    staff=request.user,
                    quick_vote=vote,
                    station=station,
                    participation=participation,
                    choice=request.POST.get("choice", ""),
                )
            except (ValidationError, PermissionDenied) as error:
                errors.extend(getattr(error, "messages", None) or [str(error)])
            else:
                messages.success(request, _("Thank you. The answer is counted."))
                return redirect("voting:live_station", meeting_id=meeting.pk, station_id=station.pk)
    return TemplateResponse(
        request,
        "voting/live/station_answer.html",
        {
            "meeting": meeting,
            "station": station,
            "vote": vote,
            "participation": participation,
            "options": _vote_options(vote),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# --- Host controls ----------------------------------------------------------------------------


@never_cache
@login_required
def meeting_host(request, meeting_id: int):
    meeting = _meeting(meeting_id)
    if not permissions.is_meeting_host(request.user, meeting):
        raise PermissionDenied
    codes: list[str] = []
    errors: list[str] = []
    if request.method == "POST":
        message = {
            "action": request.POST.get("action", ""),
            "question": request.POST.get("question", ""),
            "kind": request.POST.get("kind", ""),
            "counted_by": request.POST.get("counted_by", ""),
            "options": request.POST.get("options", ""),
            "agenda_item": request.POST.get("agenda_item", ""),
            "code_count": request.POST.get("code_count", ""),
            "while_voting_open": request.POST.get("while_voting_open") == "on",
        }
        try:
            reply = live.meeting_live_control(user=request.user, meeting=meeting, message=message)
        except ValidationError as error:
            errors = error.messages
        else:
            codes = reply.get("codes") or []
            if not codes:
                messages.success(request, _("Done."))
                return redirect("voting:live_host", meeting_id=meeting.pk)
    last_closed = (
        QuickVote.objects.filter(meeting=meeting, is_open=False).order_by("closed_at").last()
    )
    stations = (
        list(
            PollingStation.objects.filter(budget_round_id=meeting.budget_round_id).order_by("name")
        )
        if meeting.shows_own_round()
        else []
    )
    snapshot = selectors.meeting_live_snapshot(meeting=meeting)
    quick_titles = (snapshot["quick_vote"] or {}).get("agenda_item") or {}
    quick_item = quick_titles.get(translation.get_language(), "")
    return TemplateResponse(
        request,
        "voting/live/host.html",
        {
            "meeting": meeting,
            "snapshot": snapshot,
            "quick_item": quick_item,
            "shows_round": meeting.shows_own_round(),
            "voting_open": live.online_voting_open(meeting),
            "last_closed": last_closed,
            "last_result": _result_rows(last_closed) if last_closed else [],
            "ws_path": f"/ws/meetings/{meeting.pk}/live/",
            "snapshot_url": reverse("voting:live_meeting_snapshot", args=[meeting.pk]),
            "labels": _labels(),
            "agenda_items": meeting.agenda_items.all(),
            "codes": codes,
            "errors": errors,
            "kinds": QuickVote.Kind.choices,
            "counted_by": [
                (value, label)
                for value, label in QuickVote.CountedBy.choices
                if stations or value != QuickVote.CountedBy.CHECKED_IN
            ],
            "stations": stations,
            "posted": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )
