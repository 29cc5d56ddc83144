"""The grant process in the Wagtail admin: a queue per committee and one screen per application.

The queue filters by committee, pool, stage and deadline, each offering only the committees the
person works for (`GrantQueueFilter`); its links carry the filtered queue in `?next=`, and a
step taken on an application's screen returns there (`frontend.admin.queue_to_return_to`).

The screen shows the whole application (every answer, the checklist, the budget, the
attachments) and the form of the application's current step (proposals/grants/forms.py); the
service it calls authorises the person by their role in the application's committee and writes
the audit log.
"""

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages

from committees.models import ApplicationDeadline, BudgetRound, Committee, DecisionMethod
from frontend.admin import queue_to_return_to
from frontend.forms import add_service_errors
from proposals.grants import selectors as grant_selectors
from proposals.grants import services as grant_services
from proposals.grants.forms import (
    AdvanceForm,
    AgendaForm,
    CompletenessForm,
    DecisionForm,
    PayoutForm,
    RecommendationForm,
)
from proposals.models import GrantApplication, GrantStage
from proposals.permissions import (
    STAFF,
    grant_committee_ids,
    may_take_grant_step,
    roles_of,
    sees_grants,
)

# The form of each stage's staff step; who may take it is the workflow's (GRANT_STAGE_ROLES).
STEP_FORMS = {
    GrantStage.SUBMITTED: CompletenessForm,
    GrantStage.COMPLETE: RecommendationForm,
    GrantStage.RECOMMENDED: AgendaForm,
    GrantStage.ON_AGENDA: DecisionForm,
    GrantStage.GRANTED: AdvanceForm,
    GrantStage.ACCOUNTS: PayoutForm,
}


class GrantQueueFilter(django_filters.FilterSet):
    """The queue's filters; every choice lies within the committees the person works for."""

    committee = django_filters.ModelChoiceFilter(
        field_name="proposal__budget_round__committee",
        queryset=Committee.objects.none(),
        label=gettext_lazy("Committee"),
    )
    pool = django_filters.ModelChoiceFilter(
        field_name="proposal__budget_round",
        queryset=BudgetRound.objects.none(),
        label=gettext_lazy("Grant pool"),
    )
    stage = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in GrantStage if s != GrantStage.DRAFT],
        label=gettext_lazy("Stage"),
    )
    deadline = django_filters.ModelChoiceFilter(
        queryset=ApplicationDeadline.objects.none(), label=gettext_lazy("Deadline")
    )

    class Meta:
        model = GrantApplication
        fields = ["committee", "pool", "stage", "deadline"]

    def __init__(self, data=None, queryset=None, *, committee_ids):
        super().__init__(data, queryset)
        committees = Committee.objects.order_by("name")
        pools = BudgetRound.objects.filter(decision_method=DecisionMethod.COMMITTEE).select_related(
            "committee"
        )
        deadlines = ApplicationDeadline.objects.select_related("budget_round")
        if committee_ids is not None:
            committees = committees.filter(pk__in=committee_ids)
            pools = pools.filter(committee_id__in=committee_ids)
            deadlines = deadlines.filter(budget_round__committee_id__in=committee_ids)
        self.filters["committee"].queryset = committees
        self.filters["pool"].queryset = pools.order_by("committee__name", "-ideas_start")
        self.filters["deadline"].queryset = deadlines.order_by("-closes_at")


def grant_queue_view(request):
    if not sees_grants(request.user):
        raise PermissionDenied
    committee_ids = grant_committee_ids(request.user)
    filters = GrantQueueFilter(
        request.GET or None,
        queryset=grant_selectors.grant_queue(committee_ids=committee_ids),
        committee_ids=committee_ids,
    )
    return TemplateResponse(
        request,
        "proposals/grants/admin/queue.html",
        {"applications": filters.qs, "filters": filters},
    )


def grant_process_view(request, pk):
    application = grant_selectors.grant_application_detail(pk=pk)
    if application is None or application.stage == GrantStage.DRAFT:
        raise Http404
    if not roles_of(request.user, application.proposal) & STAFF:
        raise PermissionDenied
    step = application.stage
    if step == GrantStage.ON_AGENDA and not application.agenda_item_id:
        step = GrantStage.RECOMMENDED  # its item was deleted from the agenda: put it on again
    form_class = STEP_FORMS.get(step)
    form = None
    # The decision is the meeting's: its form appears when the deciding meeting has begun.
    decision_waits = False
    if step == GrantStage.ON_AGENDA:
        decision_opens = grant_services.decision_opens_at(application)
        decision_waits = decision_opens is None or timezone.now() < decision_opens
        if decision_waits:
            form_class = None
    if form_class and may_take_grant_step(request.user, application, step):
        form = form_class(request.POST or None, application=application)
        if request.method == "POST" and form.is_valid():
            try:
                form.call(actor=request.user, application=application)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved. The applicant has been told by e-mail."))
                return redirect(
                    queue_to_return_to(
                        request, default=reverse("grant_process", args=[application.pk])
                    )
                )
    proposal = application.proposal
    payout = None
    if application.stage == GrantStage.ACCOUNTS:
        payout = grant_services.payout_for(application)
    return TemplateResponse(
        request,
        "proposals/grants/admin/process.html",
        {
            "application": application,
            "proposal": proposal,
            "form": form,
            "payout": payout,
            "decision_waits": decision_waits,
            "deciding_meeting": grant_services.deciding_meeting(application),
            "submit_label": _("Put on the agenda") if form_class is AgendaForm else _("Save"),
            "queue_url": queue_to_return_to(request, default=reverse("grant_queue")),
            "checklist": [
                (item.text, proposal.checklist_answers.get(str(item.pk)))
                for item in proposal.budget_round.checklist.all()
            ],
            "attachments": proposal.attachments.all(),
            "planned": [li for li in application.lines.all() if not li.actual],
            "actual": [li for li in application.lines.all() if li.actual],
            "history": application.proposal.history.select_related("actor", "meeting"),
        },
    )
