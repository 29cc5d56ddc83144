"""Public pages of the follow-up: a page per funded project, following it by e-mail, and the
city-wide catalogue of completed projects with "propose this in my area"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from proposals import notifications
from proposals.models import ProjectSubscription, TrackedProject
from proposals.permissions import has_verified_email
from proposals.tracking import selectors, services
from proposals.tracking.forms import CatalogueFilterForm

PAGE_SIZE = 12


def project_detail(request, pk: int):
    project = selectors.tracked_project_detail(pk=pk)
    if project is None:
        raise Http404
    proposal = project.proposal
    return TemplateResponse(
        request,
        "proposals/tracking/project_detail.html",
        {
            "project": project,
            "proposal": proposal,
            "round": proposal.budget_round,
            "updates": project.updates.all(),
            "goals": project.goals.all(),
            "subscribed": selectors.is_subscribed(user=request.user, project=project),
            "can_propose_again": proposal.state == "completed",
        },
    )


@login_required
@require_POST
def project_follow(request, pk: int):
    project = get_object_or_404(TrackedProject, pk=pk)
    if request.POST.get("action") == "unfollow":
        services.project_unsubscribe(user=request.user, project=project)
        messages.success(request, _("You no longer follow this project."))
        return redirect("tracking:detail", pk=pk)
    if not has_verified_email(request.user):
        messages.error(request, _("Verify your e-mail address before you follow a project."))
        return redirect("account_email")
    if services.project_subscribe(user=request.user, project=project):
        messages.success(request, _("You follow this project. We e-mail you when there is news."))
    else:
        messages.info(request, _("You already follow this project."))
    return redirect("tracking:detail", pk=pk)


def project_unsubscribe(request, token: str):
    """The link in every e-mail: works without logging in, confirmed with a button (POST)."""
    try:
        data = signing.loads(token, salt=notifications.UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise Http404 from None
    subscription = (
        ProjectSubscription.objects.filter(pk=data.get("s"), user_id=data.get("u"))
        .select_related("project__proposal")
        .first()
    )
    if request.method == "POST":
        if subscription is not None:
            project_id = subscription.project_id
            services.project_unsubscribe(user=subscription.user, project=subscription.project)
            messages.success(request, _("You no longer follow this project."))
            return redirect("tracking:detail", pk=project_id)
        return redirect("tracking:catalogue")
    return TemplateResponse(
        request, "proposals/tracking/unsubscribe.html", {"subscription": subscription}
    )


def catalogue(request):
    form = CatalogueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    area = filters.get("area")
    projects = selectors.catalogue(
        q=filters.get("q") or "",
        category=filters.get("category") or "",
        district=area.pk if area else None,
    )
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "proposals/tracking/catalogue.html",
        {"form": form, "page_obj": page, "projects": page.object_list, "query": query.urlencode()},
    )


@login_required
def propose_again(request, pk: int):
    """Pick an open round of another committee; the draft starts prefilled from the original."""
    project = get_object_or_404(
        TrackedProject.objects.select_related("proposal__budget_round__committee"), pk=pk
    )
    original = project.proposal
    if original.state != "completed":
        raise Http404
    rounds = selectors.open_rounds_elsewhere(committee_id=original.budget_round.committee_id)
    if request.method == "POST":
        if not has_verified_email(request.user):
            messages.error(request, _("Verify your e-mail address before you propose."))
            return redirect("account_email")
        choice = request.POST.get("round", "")
        budget_round = next((r for r in rounds if str(r.pk) == choice), None)
        if budget_round is None:
            messages.error(request, _("Choose one of the open rounds."))
        else:
            try:
                draft = services.proposal_propose_again(
                    author=request.user, original=original, budget_round=budget_round
                )
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(
                    request,
                    _("A draft has been started from the project. Adapt it to your area."),
                )
                return redirect("proposals:edit", pk=draft.pk)
    return TemplateResponse(
        request,
        "proposals/tracking/propose_again.html",
        {"project": project, "original": original, "rounds": rounds},
    )
