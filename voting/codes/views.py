"""Staff pages for one-time voting codes: make a batch and download it, in the same request.

Codes are stored only as keyed hashes, so the plain codes exist only in the response to the
POST that makes them: the files are built there and sent as a download, and can never be made
again. Who may: the round's committee's polling staff and moderators, and site admins.

Letters from the voter roll (`letters_from_roll`) bind each code to one person: the download is
one ZIP file holding the letters (PDF) and the supplier's manifest (CSV) of the same batch, in
the same order. Anonymous codes (`codes`) are made only in a round voted with codes alone.
"""

import io
import zipfile

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Min, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache

from committees.models import BudgetRound
from committees.services import audit_record
from frontend.forms import add_service_errors
from voting import permissions
from voting.codes import letters as codes_export
from voting.codes import services
from voting.models import RollEntry, VotingCode
from voting.selectors import round_config

MAX_CODES_PER_REQUEST = 10_000


class CodesForm(forms.Form):
    count = forms.IntegerField(
        label=gettext_lazy("Number of codes"),
        min_value=1,
        max_value=MAX_CODES_PER_REQUEST,
        help_text=gettext_lazy("From 1 to 10,000 at a time: one code for each letter or slip."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": gettext_lazy("Write how many codes to make."),
            "invalid": gettext_lazy("Write the number of codes as a whole number, e.g. 500."),
            "min_value": gettext_lazy("Make at least 1 code."),
            "max_value": gettext_lazy("Make at most 10,000 codes at a time."),
        },
    )
    batch = forms.CharField(
        label=gettext_lazy("Batch label"),
        max_length=100,
        help_text=gettext_lazy(
            "Tells the batches apart later, e.g. 'Letters, Nørrebro, March'. "
            "Up to 100 characters. It is printed on each letter."
        ),
        error_messages={
            "required": gettext_lazy("Give the batch a label."),
            "max_length": gettext_lazy("The label can be at most 100 characters."),
        },
    )
    file_format = forms.ChoiceField(
        label=gettext_lazy("File"),
        choices=[
            ("pdf", gettext_lazy("PDF: one A4 letter per code, ready to print")),
            ("csv", gettext_lazy("CSV: one row per code, for mail merge")),
        ],
        initial="pdf",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose PDF or CSV.")},
    )


class RollLettersForm(forms.Form):
    batch = forms.CharField(
        label=gettext_lazy("Batch label"),
        max_length=100,
        help_text=gettext_lazy(
            "E.g. 'Letters, March'. Up to 100 characters. It is printed on each letter and in "
            "the manifest."
        ),
        error_messages={
            "required": gettext_lazy("Give the batch a label."),
            "max_length": gettext_lazy("The label can be at most 100 characters."),
        },
    )


def vote_url(budget_round: BudgetRound) -> str:
    """Where a code is typed in, on the site's public address (letters leave the building)."""
    path = reverse("voting:ballot_code", args=[budget_round.pk])
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _batches(budget_round: BudgetRound) -> list[dict]:
    """The round's batches with how many codes are unused, used and locked (never the codes)."""
    locked = Q(used=False, misses__gte=VotingCode.MAX_MISSES)
    rows = (
        VotingCode.objects.filter(budget_round=budget_round)
        .values("batch")
        .annotate(
            total=Count("pk"),
            used_count=Count("pk", filter=Q(used=True)),
            locked_count=Count("pk", filter=locked),
            made_on=Min("created_on"),
        )
        .order_by("made_on", "batch")
    )
    return [
        {
            "batch": row["batch"],
            "made_on": row["made_on"],
            "total": row["total"],
            "used": row["used_count"],
            "locked": row["locked_count"],
            "unused": row["total"] - row["used_count"] - row["locked_count"],
        }
        for row in rows
    ]


def _file_name(budget_round: BudgetRound, batch: str, kind: str) -> str:
    return "-".join(
        part
        for part in (
            slugify(kind, allow_unicode=True),
            slugify(budget_round.title, allow_unicode=True),
            slugify(batch, allow_unicode=True),
            timezone.localdate().isoformat(),
        )
        if part
    )


def _download(
    *, budget_round: BudgetRound, codes: list[str], batch: str, file_format: str, vote_url: str
):
    if file_format == "csv":
        body = codes_export.codes_csv(
            codes, round_title=budget_round.title, batch=batch, vote_url=vote_url
        )
        content_type = "text/csv; charset=utf-8"
    else:
        body = codes_export.codes_pdf(
            codes,
            round_title=budget_round.title,
            committee=budget_round.committee.name,
            batch=batch,
            vote_url=vote_url,
        )
        content_type = "application/pdf"
    name = _file_name(budget_round, batch, _("voting-codes"))
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{name}.{file_format}"
    )
    return response


def _roll_summary(budget_round: BudgetRound) -> dict:
    rows = RollEntry.objects.filter(budget_round=budget_round).aggregate(
        people=Count("pk"), with_code=Count("code")
    )
    return {**rows, "without_code": rows["people"] - rows["with_code"]}


def _letters_download(*, budget_round: BudgetRound, letters: list, batch: str) -> HttpResponse:
    """One ZIP: the letters and the manifest of the same batch, page n being row n."""
    url = vote_url(budget_round)
    pdf = codes_export.codes_pdf(
        [letter.code for letter in letters],
        round_title=budget_round.title,
        committee=budget_round.committee.name,
        batch=batch,
        vote_url=url,
        addresses=[letter.address for letter in letters],
    )
    manifest = codes_export.manifest_csv(
        letters, round_title=budget_round.title, batch=batch, vote_url=url
    )
    name = _file_name(budget_round, batch, _("voting-letters"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.pdf", pdf)
        archive.writestr(f"{name}-manifest.csv", manifest)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{name}.zip"
    )
    return response


def _page(request, budget_round: BudgetRound, *, form=None, roll_form=None):
    config = round_config(budget_round=budget_round)
    return TemplateResponse(
        request,
        "voting/codes/batch.html",
        {
            "round": budget_round,
            "form": form or CodesForm(),
            "roll_form": roll_form or RollLettersForm(),
            "batches": _batches(budget_round),
            "roll": _roll_summary(budget_round),
            "anonymous_allowed": services.anonymous_codes_allowed(config),
        },
    )


def _staffed_round(request, round_id: int) -> BudgetRound:
    budget_round = get_object_or_404(BudgetRound.objects.select_related("committee"), pk=round_id)
    if not permissions.can_staff_round(request.user, budget_round):
        raise PermissionDenied
    return budget_round


@never_cache
@login_required
def letters_from_roll(request, round_id: int):
    """Issue a code to everyone on the roll who has none yet: letters and manifest at once."""
    budget_round = _staffed_round(request, round_id)
    if request.method != "POST":
        return redirect("voting:staff_codes", round_id=budget_round.pk)
    form = RollLettersForm(request.POST)
    if form.is_valid():
        batch = form.cleaned_data["batch"]
        try:
            # The files are made inside the transaction: if that fails, no person is left
            # with a code that nobody could ever send them.
            with transaction.atomic():
                letters = services.codes_issue_from_roll(budget_round=budget_round, batch=batch)
                audit_record(
                    actor=request.user,
                    action="voting.codes_issue_from_roll",
                    obj=budget_round,
                    committee_id=budget_round.committee_id,
                    data={"count": len(letters), "batch": batch},
                )
                response = _letters_download(
                    budget_round=budget_round, letters=letters, batch=batch
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d letter was made in the batch “%(batch)s” and downloaded with its "
                    "manifest. It cannot be downloaded again.",
                    "%(count)d letters were made in the batch “%(batch)s” and downloaded with "
                    "their manifest. They cannot be downloaded again.",
                    len(letters),
                )
                % {"count": len(letters), "batch": batch},
            )
            return response
    return _page(request, budget_round, roll_form=form)


@never_cache
@login_required
def codes(request, round_id: int):
    budget_round = _staffed_round(request, round_id)
    form = CodesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        count, batch = form.cleaned_data["count"], form.cleaned_data["batch"]
        try:
            # The file is made inside the transaction: if that fails, no codes are kept that
            # nobody could ever hand out.
            with transaction.atomic():
                made = services.codes_generate(budget_round=budget_round, count=count, batch=batch)
                audit_record(
                    actor=request.user,
                    action="voting.codes_generate",
                    obj=budget_round,
                    committee_id=budget_round.committee_id,
                    data={"count": len(made), "batch": batch},
                )
                response = _download(
                    budget_round=budget_round,
                    codes=made,
                    batch=batch,
                    file_format=form.cleaned_data["file_format"],
                    vote_url=vote_url(budget_round),
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d code was made in the batch “%(batch)s” and downloaded. "
                    "It cannot be downloaded again.",
                    "%(count)d codes were made in the batch “%(batch)s” and downloaded. "
                    "They cannot be downloaded again.",
                    len(made),
                )
                % {"count": len(made), "batch": batch},
            )
            return response
    return _page(request, budget_round, form=form)
