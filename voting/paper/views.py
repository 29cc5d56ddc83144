"""Pages for polling staff: check voters in, let them vote on a tablet, key paper ballots twice.

Views hold no domain logic: they call `voting.paper.services`. Every page is for the polling
staff and moderators of the round's committee and for site admins; anonymous visitors are sent
to log in.
The CPR number typed at check-in is never echoed back, stored or kept in error reports.
"""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from committees.areas import committee_areas_of_postcode
from committees.models import Area, BudgetRound
from committees.postcodes import find_committees
from frontend.forms import add_service_errors
from frontend.money import format_kroner
from voting import permissions
from voting.ballot_list import ballot_list
from voting.models import Channel, PaperEntry, Participation, PollingStation, QuickVote
from voting.paper import services as paper
from voting.selectors import round_config
from voting.services import limits_for

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%d%m%Y"]
POSTCODE_RE = re.compile(r"^\d{4}$")
MAX_INPUT_VALUE = 1000  # the ballot rules give the real limits; this only bounds the input


# --- Forms -----------------------------------------------------------------------------------


class CheckInForm(forms.Form):
    national_id = forms.CharField(
        label=gettext_lazy("CPR number"),
        max_length=11,
        help_text=gettext_lazy(
            "From the health card or ID. It checks the person off and is not stored."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )
    birth_date = forms.DateField(
        label=gettext_lazy("Birth date"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"),
    )
    postcode = forms.CharField(
        label=gettext_lazy("Postcode of the address"),
        max_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    home_area = forms.ModelChoiceField(
        label=gettext_lazy("Area"),
        queryset=Area.objects.filter(kind=Area.Kind.COMMITTEE).order_by("name"),
        required=False,
        help_text=gettext_lazy(
            "Only needed when several committees share the postcode: choose from the address."
        ),
    )
    intent = forms.ChoiceField(
        label=gettext_lazy("The voter votes"),
        choices=[
            (Channel.TABLET, gettext_lazy("on the tablet")),
            (Channel.PAPER, gettext_lazy("on a paper ballot")),
        ],
        initial=Channel.TABLET,
        widget=forms.RadioSelect,
    )

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        if not POSTCODE_RE.match(postcode):
            raise ValidationError(_("Type the four digits of the postcode, for example 2100."))
        return postcode

    def clean(self):
        cleaned = super().clean()
        postcode = cleaned.get("postcode")
        if not postcode:
            return cleaned
        result = find_committees(postcode)
        if result.kind != "postcode":
            self.add_error(
                "postcode",
                _("%(postcode)s is not in the City of Copenhagen.") % {"postcode": postcode},
            )
            return cleaned
        areas = committee_areas_of_postcode(postcode)
        chosen = cleaned.get("home_area")
        names = ", ".join(area.name for area in areas)
        if not areas:
            self.add_error(
                "postcode",
                _("No committee covers postcode %(postcode)s yet.") % {"postcode": postcode},
            )
        elif chosen is not None and chosen not in areas:
            self.add_error(
                "home_area",
                _("Postcode %(postcode)s lies in %(areas)s.")
                % {"postcode": postcode, "areas": names},
            )
        elif chosen is None and len(areas) > 1:
            # Never the first of them: the staff member asks for the address and chooses.
            self.add_error(
                "home_area",
                _(
                    "Several committees share postcode %(postcode)s (%(areas)s). "
                    "Choose the person's area from their address."
                )
                % {"postcode": postcode, "areas": names},
            )
        else:
            cleaned["area"] = chosen or areas[0]
        return cleaned


class BallotForm(forms.Form):
    """The round's ballot: a checkbox per project, or a number for points and ranks."""

    def __init__(self, *args, budget_round: BudgetRound, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.style = budget_round.ballot_style
        self.limits = limits_for(budget_round, round_config(budget_round=budget_round))
        self.proposals = list(proposals)
        for proposal in self.proposals:
            label = f"{proposal.title} ({format_kroner(proposal.cost or 0)})"
            if self.style in ("approval", "knapsack"):
                field = forms.BooleanField(label=label, required=False)
            else:
                field = forms.IntegerField(
                    label=label, required=False, min_value=0, max_value=MAX_INPUT_VALUE
                )
                field.widget.attrs.update(
                    {"inputmode": "numeric", "class": "form-input input-width-xs"}
                )
            self.fields[f"p_{proposal.pk}"] = field

    @property
    def ballot_fields(self):
        return [self[f"p_{p.pk}"] for p in self.proposals]

    @property
    def instructions(self) -> str:
        """For staff keying a paper ballot."""
        return {
            "approval": _("Tick the projects the voter chose."),
            "knapsack": _("Tick the projects the voter chose."),
            "cumulative": _("Type the points the voter gave each project; leave the rest empty."),
            "ranking": _("Type the voter's ranks (1 = first choice); leave the rest empty."),
        }.get(self.style, "")

    @property
    def voter_instructions(self) -> str:
        """For the voter at the tablet."""
        limits = self.limits
        if self.style == "approval":
            return _("Choose from %(low)d to %(high)d projects.") % {
                "low": limits.approval_min,
                "high": limits.approval_max,
            }
        if self.style == "knapsack":
            return _("Choose projects that together cost at most %(pot)s.") % {
                "pot": format_kroner(limits.pot)
            }
        if self.style == "cumulative":
            return _("Spread up to %(points)d points, at most %(max)d on one project.") % {
                "points": limits.cumulative_points,
                "max": limits.cumulative_max_per_project,
            }
        return _("Number up to %(k)d projects in order: 1 for your first choice.") % {
            "k": limits.ranking_length
        }

    def selection(self) -> dict[str, int]:
        chosen = {}
        for proposal in self.proposals:
            value = self.cleaned_data.get(f"p_{proposal.pk}")
            value = int(value) if value not in (None, False, "") else 0
            if value:
                chosen[str(proposal.pk)] = value
        return chosen


class PaperKeyForm(BallotForm):
    batch_number = forms.CharField(
        label=gettext_lazy("Number on the paper ballot"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "form-input input-width-s"}),
    )


# --- Helpers ---------------------------------------------------------------------------------


def _station_or_404(request, station_id: int) -> PollingStation:
    station = get_object_or_404(
        PollingStation.objects.select_related("budget_round__committee"), pk=station_id
    )
    if not permissions.can_staff_round(request.user, station.budget_round):
        raise PermissionDenied
    return station


def _ballot_form(request, budget_round: BudgetRound, form_class=BallotForm):
    return form_class(
        request.POST if request.method == "POST" else None,
        budget_round=budget_round,
        proposals=ballot_list(budget_round=budget_round),
    )


def _station_row(station: PollingStation) -> dict:
    rows = paper.station_reconciliation(budget_round=station.budget_round)
    return next(row for row in rows if row["station"].pk == station.pk)


# --- Views -----------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("national_id", "birth_date")
@login_required
def station(request, station_id: int):
    """The table at the door: check a voter in on the voter roll."""
    station = _station_or_404(request, station_id)
    form = CheckInForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                participation = paper.voter_check_in(
                    staff=request.user,
                    station=station,
                    national_id=data["national_id"],
                    birth_date=data["birth_date"],
                    area=data["area"],
                    intent=data["intent"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if participation.voted_on is None:
                    messages.success(request, _("The voter is checked off. Hand them the tablet."))
                    return redirect(
                        "voting:paper_tablet", station_id=station.pk, pk=participation.pk
                    )
                messages.success(
                    request,
                    _("The voter is checked off. Hand them a paper ballot and an envelope."),
                )
                return redirect("voting:paper_station", station_id=station.pk)
        # Never echo the CPR number back into the page.
        form.data = form.data.copy()
        form.data["national_id"] = ""
    return TemplateResponse(
        request,
        "voting/paper/station.html",
        {
            "station": station,
            "round": station.budget_round,
            "form": form,
            "waiting": paper.station_waiting(station=station),
            "row": _station_row(station),
            # A meeting of the round counting a quick vote per checked-in voter: its tablet page.
            "quick_votes": QuickVote.objects.filter(
                is_open=True,
                counted_by=QuickVote.CountedBy.CHECKED_IN,
                meeting__is_public=True,
                meeting__budget_round=station.budget_round,
                meeting__committee_id=station.budget_round.committee_id,
            ).select_related("meeting"),
        },
    )


@never_cache
@login_required
def tablet(request, station_id: int, pk: int):
    """The tablet: a checked-in voter votes; staff can give a paper ballot instead."""
    station = _station_or_404(request, station_id)
    participation = get_object_or_404(Participation, pk=pk, station=station)
    budget_round = station.budget_round
    if participation.voted_on is not None:
        messages.info(request, _("This voter has already voted."))
        return redirect("voting:paper_station", station_id=station.pk)
    form = _ballot_form(request, budget_round)
    if request.method == "POST":
        valid = form.is_valid()
        try:
            if "paper_instead" in request.POST:
                paper.voter_paper_handout(staff=request.user, participation=participation)
                messages.success(request, _("Hand the voter a paper ballot and an envelope."))
                return redirect("voting:paper_station", station_id=station.pk)
            if valid:
                ballot = paper.ballot_cast_at_station(
                    staff=request.user, participation=participation, selection=form.selection()
                )
                # The receipt is for the voter's eyes only: on the tablet, in this one response
                # (never stored, never cached, not in a message the staff's next page shows).
                # "Done" leads back to the check-in, which says only that the voter has voted.
                return TemplateResponse(
                    request,
                    "voting/paper/tablet_receipt.html",
                    {"station": station, "round": budget_round, "code": ballot.receipt_code},
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
    return TemplateResponse(
        request,
        "voting/paper/tablet.html",
        {"station": station, "round": budget_round, "participation": participation, "form": form},
    )


@never_cache
@login_required
def key(request, station_id: int):
    """The first keying of paper ballots, and the queue of ballots waiting for a second one."""
    station = _station_or_404(request, station_id)
    budget_round = station.budget_round
    form = _ballot_form(request, budget_round, PaperKeyForm)
    if request.method == "POST" and form.is_valid():
        try:
            entry = paper.paper_key(
                staff=request.user,
                station=station,
                batch_number=form.cleaned_data["batch_number"],
                selection=form.selection(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Ballot number %(number)s is keyed. Another staff member must now key it "
                    "again from the paper."
                )
                % {"number": entry.batch_number},
            )
            return redirect("voting:paper_key", station_id=station.pk)
    entries = paper.station_open_entries(station=station)
    return TemplateResponse(
        request,
        "voting/paper/key.html",
        {
            "station": station,
            "round": budget_round,
            "form": form,
            "to_confirm": [
                e
                for e in entries
                if e.status == PaperEntry.Status.PENDING and e.keyed_by_id != request.user.pk
            ],
            "keyed_by_me": [
                e
                for e in entries
                if e.status == PaperEntry.Status.PENDING and e.keyed_by_id == request.user.pk
            ],
            "mismatches": [e for e in entries if e.status == PaperEntry.Status.MISMATCH],
        },
    )


@never_cache
@login_required
def confirm(request, station_id: int, pk: int):
    """The second keying, blind: the page never shows what the first keyer entered."""
    station = _station_or_404(request, station_id)
    entry = get_object_or_404(PaperEntry.objects.select_related("keyed_by"), pk=pk, station=station)
    budget_round = station.budget_round
    if entry.status != PaperEntry.Status.PENDING:
        messages.info(
            request,
            _("Ballot number %(number)s is not waiting for a second keying.")
            % {"number": entry.batch_number},
        )
        return redirect("voting:paper_key", station_id=station.pk)
    form = _ballot_form(request, budget_round)
    if request.method == "POST":
        if form.is_valid():
            try:
                paper.paper_confirm(staff=request.user, entry=entry, selection=form.selection())
            except paper.PaperMismatch as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("voting:paper_key", station_id=station.pk)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Ballot number %(number)s is counted.") % {"number": entry.batch_number},
                )
                return redirect("voting:paper_key", station_id=station.pk)
    return TemplateResponse(
        request,
        "voting/paper/confirm.html",
        {
            "station": station,
            "round": budget_round,
            "entry": entry,
            "form": form,
            "own_entry": entry.keyed_by_id == request.user.pk,
        },
    )


@never_cache
@login_required
def reconciliation(request, round_id: int):
    """Per station: people checked off against ballots counted."""
    budget_round = get_object_or_404(BudgetRound.objects.select_related("committee"), pk=round_id)
    if not permissions.can_staff_round(request.user, budget_round):
        raise PermissionDenied
    return TemplateResponse(
        request,
        "voting/paper/reconciliation.html",
        {"round": budget_round, "rows": paper.station_reconciliation(budget_round=budget_round)},
    )
