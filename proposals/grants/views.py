"""Public and applicant pages of the grant process. No domain logic: services and selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from committees.models import BudgetRound
from frontend.forms import add_service_errors
from proposals import services as proposal_services
from proposals.files.serving import file_response
from proposals.grants import selectors as grant_selectors
from proposals.grants import services as grant_services
from proposals.grants.forms import AccountsForm, GrantApplicationForm, lines_formset
from proposals.models import GrantReceipt, GrantStage
from proposals.permissions import AUTHOR, STAFF, grant_roles_of, has_verified_email, roles_of


def _pool_or_404(round_id: int) -> BudgetRound:
    pool = get_object_or_404(BudgetRound.objects.select_related("committee__page"), pk=round_id)
    if not pool.is_grant_pool:
        raise Http404
    return pool


def grant_pool(request, round_id: int):
    pool = _pool_or_404(round_id)
    return TemplateResponse(
        request,
        "proposals/grants/pool.html",
        {"pool": pool, **grant_selectors.grant_pool_overview(budget_round=pool)},
    )


def _application_for(request, pk: int, *, allowed: set[str]):
    application = grant_selectors.grant_application_detail(pk=pk)
    if application is None:
        raise Http404
    roles = grant_roles_of(request.user, application)
    if not roles & allowed:
        raise Http404  # do not reveal that someone else's application exists
    return application, roles


@login_required
def grant_detail(request, pk: int):
    application, roles = _application_for(request, pk, allowed={AUTHOR, *STAFF})
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        try:
            grant_services.grant_application_withdraw(author=request.user, application=application)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
        else:
            messages.success(request, _("Your application is withdrawn."))
        return redirect("proposals:grant", pk=application.pk)
    return TemplateResponse(
        request,
        "proposals/grants/detail.html",
        {
            "application": application,
            "proposal": application.proposal,
            "pool": application.proposal.budget_round,
            "is_applicant": AUTHOR in roles,
            "editable": AUTHOR in roles and application.stage in grant_services.EDITABLE_STAGES,
            "accounts_due": AUTHOR in roles and application.stage == GrantStage.GRANTED,
            "withdrawable": AUTHOR in roles
            and application.stage in grant_services.WITHDRAWABLE_STAGES,
            "planned": [li for li in application.lines.all() if not li.actual],
            "actual": [li for li in application.lines.all() if li.actual],
        },
    )


@login_required
def grant_edit(request, round_id: int | None = None, pk: int | None = None):
    """Create or edit a draft (or a returned application); 'submit' sends it in."""
    application = None
    if pk is not None:
        application, _roles = _application_for(request, pk, allowed={AUTHOR})
        pool = application.proposal.budget_round
        if application.stage not in grant_services.EDITABLE_STAGES:
            messages.info(request, _("The application can no longer be changed."))
            return redirect("proposals:grant", pk=application.pk)
    else:
        pool = _pool_or_404(round_id)
    if not has_verified_email(request.user):
        messages.error(request, _("Verify your e-mail address before you apply."))
        return redirect("account_email")
    form = GrantApplicationForm(
        request.POST or None, request.FILES or None, budget_round=pool, application=application
    )
    formset = lines_formset(request.POST or None, application=application, actual=False)
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                # Cleaning the text takes a moment: done before the transaction takes the lock.
                proposal_data = proposal_services.proposal_text_prepare(form.proposal_data())
                with transaction.atomic():
                    application = grant_services.grant_application_save(
                        author=request.user,
                        budget_round=pool,
                        application=application,
                        proposal_data=proposal_data,
                        grant_data=form.grant_data(),
                        lines=formset.lines(),
                        attachments=form.cleaned_data["attachments"],
                        remove_attachments=[
                            item.pk for item in form.cleaned_data.get("remove_attachments") or []
                        ],
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if "submit" not in request.POST:
                    messages.success(request, _("Saved."))
                    return redirect("proposals:grant_edit", pk=application.pk)
                try:
                    grant_services.grant_application_submit(
                        author=request.user, application=application
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                    messages.warning(
                        request, _("Your draft is saved, but it cannot be submitted yet.")
                    )
                else:
                    messages.success(request, _("Thank you! Your application has been submitted."))
                    return redirect("proposals:grant", pk=application.pk)
        else:
            messages.error(
                request, _("Please correct the errors below. Nothing you typed is lost.")
            )
    return TemplateResponse(
        request,
        "proposals/grants/form.html",
        {
            "form": form,
            "formset": formset,
            "pool": pool,
            "application": application,
            "totals": grant_selectors.grant_budget_totals(application=application),
        },
    )


@login_required
def grant_accounts(request, pk: int):
    application, _roles = _application_for(request, pk, allowed={AUTHOR})
    if application.stage != GrantStage.GRANTED:
        messages.info(request, _("Accounts can be submitted once a grant has been given."))
        return redirect("proposals:grant", pk=application.pk)
    form = AccountsForm(request.POST or None, request.FILES or None)
    formset = lines_formset(request.POST or None, application=application, actual=True)
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                grant_services.grant_accounts_submit(
                    author=request.user,
                    application=application,
                    lines=formset.lines(),
                    receipts=form.cleaned_data["receipts"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you! Your accounts have been submitted."))
                return redirect("proposals:grant", pk=application.pk)
        else:
            messages.error(
                request, _("Please correct the errors below. Nothing you typed is lost.")
            )
    return TemplateResponse(
        request,
        "proposals/grants/accounts.html",
        {"form": form, "formset": formset, "application": application},
    )


@login_required
def grant_receipt(request, pk: int):
    """A receipt, for the applicant and the committee's staff only (never a public file)."""
    receipt = get_object_or_404(
        GrantReceipt.objects.select_related("application__proposal__budget_round"), pk=pk
    )
    if not roles_of(request.user, receipt.application.proposal) & {AUTHOR, *STAFF}:
        raise Http404
    return file_response(receipt.file, public=False, as_attachment=True, filename=receipt.title)
