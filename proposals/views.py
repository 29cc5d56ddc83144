"""Public pages of proposals. Views hold no domain logic: they call services and selectors."""

import secrets

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees.models import BudgetRound
from frontend.forms import add_service_errors
from proposals import selectors, services
from proposals.comments.forms import CommentForm
from proposals.forms import ProposalFilterForm, ProposalForm
from proposals.media import attachment_store, image_store, images_remove
from proposals.models import Proposal, State
from proposals.permissions import (
    AUTHOR,
    MODERATOR,
    STAFF,
    can_view,
    has_verified_email,
    may_report,
    roles_of,
)

PAGE_SIZE = 20


def _map_settings() -> dict:
    return {"map_tile_url": settings.MAP_TILE_URL, "map_attribution": settings.MAP_ATTRIBUTION}


def _round_or_404(round_id: int) -> BudgetRound:
    return get_object_or_404(BudgetRound.objects.select_related("committee__page"), pk=round_id)


def proposal_list(request, round_id: int):
    budget_round = _round_or_404(round_id)
    form = ProposalFilterForm(request.GET or None, budget_round=budget_round)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if "shuffle_seed" not in request.session:
        request.session["shuffle_seed"] = secrets.randbelow(2**31 - 2) + 1
    proposals = selectors.proposal_list(
        budget_round=budget_round,
        q=filters.get("q") or "",
        category=filters.get("category"),
        state=filters.get("state") or "",
        kind=filters.get("kind") or "",
        cost_min=filters.get("cost_min"),
        cost_max=filters.get("cost_max"),
        sort=filters.get("sort") or "new",
        seed=request.session["shuffle_seed"],
    )
    try:
        page_size = min(max(int(request.GET.get("per_page", PAGE_SIZE)), 5), 100)
    except ValueError:
        page_size = PAGE_SIZE
    page = Paginator(proposals, page_size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "proposals/proposal_list.html",
        {
            "round": budget_round,
            "form": form,
            "page_obj": page,
            "proposals": page.object_list,
            "supported": selectors.user_supports(user=request.user, proposals=page.object_list),
            "query": query.urlencode(),
            "map_view": request.GET.get("view") == "map",
            **_map_settings(),
        },
    )


def proposal_detail(request, pk: int):
    proposal = selectors.proposal_detail(pk=pk)
    if proposal is None or not can_view(request.user, proposal):
        raise Http404
    roles = roles_of(request.user, proposal)
    if proposal.hidden and not roles & {AUTHOR, *STAFF}:
        # Hidden by a moderator: its page says why, and shows nothing of its text.
        return TemplateResponse(request, "proposals/moderation/hidden.html", {"proposal": proposal})
    # Fifty threads a page, each with all its answers.
    threads = selectors.proposal_comments(proposal=proposal, with_revisions=MODERATOR in roles)
    comments = Paginator(threads, 50).get_page(request.GET.get("comments"))
    return TemplateResponse(
        request,
        "proposals/proposal_detail.html",
        {
            "proposal": proposal,
            "round": proposal.budget_round,
            "is_author": AUTHOR in roles,
            "is_moderator": MODERATOR in roles,
            "editable": AUTHOR in roles and services.proposal_is_editable(proposal),
            "supported": bool(selectors.user_supports(user=request.user, proposals=[proposal])),
            "comment_form": CommentForm(),
            "comments": comments,
            "can_support": proposal.state in services.SUPPORTABLE_STATES,
            "can_report": may_report(request.user, proposal) and not proposal.hidden,
        },
    )


def _save_uploads(proposal: Proposal, form: ProposalForm, author) -> None:
    removed = form.cleaned_data.get("remove_images") or []
    if removed:
        images_remove(author=author, proposal=proposal, image_ids=[item.pk for item in removed])
    alt = form.cleaned_data.get("image_alt") or ""
    room = max(0, 5 - proposal.images.count())
    for clean in (form.cleaned_data.get("images") or [])[:room]:
        image_store(proposal=proposal, clean=clean, alt_text=alt)
    if form.cleaned_data.get("attachment"):
        attachment_store(proposal=proposal, clean=form.cleaned_data["attachment"])


@login_required
def proposal_edit(request, round_id: int | None = None, pk: int | None = None):
    """Create or edit a draft; 'submit' submits it. What was typed is kept on every error."""
    proposal = None
    if pk is not None:
        proposal = get_object_or_404(Proposal.objects.select_related("budget_round"), pk=pk)
        if proposal.author_id != request.user.pk:
            raise PermissionDenied
        budget_round = proposal.budget_round
    else:
        budget_round = _round_or_404(round_id)
    if budget_round.is_grant_pool:  # a grant pool takes applications, with their budget
        if proposal is not None and hasattr(proposal, "grant"):
            return redirect("proposals:grant_edit", pk=proposal.grant.pk)
        if proposal is None:
            return redirect("proposals:grant_create", round_id=budget_round.pk)
    if not has_verified_email(request.user):
        messages.error(request, _("Verify your e-mail address before you propose."))
        return redirect("account_email")
    if proposal is not None and not services.proposal_is_editable(proposal):
        messages.info(request, _("The proposal can no longer be changed: review has started."))
        return redirect("proposals:detail", pk=proposal.pk)
    form = ProposalForm(
        request.POST or None, request.FILES or None, instance=proposal, budget_round=budget_round
    )
    problems = {}
    if request.method == "POST":
        saved = False
        if form.is_valid():
            try:
                # Cleaning the text takes a moment: done before the transaction takes the lock.
                data = services.proposal_text_prepare(form.data_for_service())
                with transaction.atomic():
                    proposal = services.proposal_draft_save(
                        author=request.user,
                        budget_round=budget_round,
                        data=data,
                        proposal=proposal,
                    )
                    _save_uploads(proposal, form, request.user)
                saved = True
            except ValidationError as exc:
                add_service_errors(form, exc)
                proposal = form.instance if form.instance.pk else None
        if saved:
            if "resubmit" in request.POST and proposal.state == State.NEEDS_CHANGES:
                try:
                    services.proposal_resubmit(author=request.user, proposal=proposal)
                except ValidationError as exc:
                    problems = add_service_errors(form, exc)
                    messages.warning(
                        request, _("Your changes are saved, but it cannot be submitted yet.")
                    )
                else:
                    messages.success(request, _("Thank you! Your proposal is submitted again."))
                    return redirect("proposals:detail", pk=proposal.pk)
            elif "submit" in request.POST and proposal.state == "draft":
                try:
                    services.proposal_submit(author=request.user, proposal=proposal)
                except ValidationError as exc:
                    problems = add_service_errors(form, exc)
                    messages.warning(
                        request, _("Your draft is saved, but it cannot be submitted yet.")
                    )
                else:
                    messages.success(request, _("Thank you! Your proposal has been submitted."))
                    return redirect("proposals:detail", pk=proposal.pk)
            else:
                messages.success(request, _("Saved."))
                if not problems:
                    return redirect("proposals:edit", pk=proposal.pk)
        else:
            messages.error(
                request, _("Please correct the errors below. Nothing you typed is lost.")
            )
    return TemplateResponse(
        request,
        "proposals/proposal_form.html",
        {
            "form": form,
            "round": budget_round,
            "proposal": proposal,
            "changes_asked": selectors.changes_asked(proposal=proposal) if proposal else "",
            **_map_settings(),
        },
        status=200,
    )


@login_required
@require_POST
def proposal_support(request, pk: int):
    if limited := ratelimit.consume_or_429(request, action="support"):
        return limited
    proposal = get_object_or_404(Proposal.objects.select_related("budget_round"), pk=pk)
    if not can_view(request.user, proposal):
        raise Http404
    try:
        if request.POST.get("action") == "remove":
            services.support_remove(user=request.user, proposal=proposal)
            messages.success(request, _("Your support was removed."))
        elif services.support_add(user=request.user, proposal=proposal):
            messages.success(request, _("Thank you for your support."))
        else:
            messages.info(request, _("You already support this proposal."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("proposals:detail", pk=pk)


@login_required
@require_POST
def proposal_withdraw(request, pk: int):
    proposal = get_object_or_404(Proposal.objects.select_related("budget_round"), pk=pk)
    try:
        services.proposal_withdraw(author=request.user, proposal=proposal)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The proposal was withdrawn."))
    return redirect("proposals:detail", pk=pk)
