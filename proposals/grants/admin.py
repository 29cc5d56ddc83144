"""The grant process in the Wagtail admin: a queue per committee and one screen per application.

The screen shows the form of the application's current step; the service it calls authorises
the person by their role in the application's committee and writes the audit log.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from committees.models import CommitteeRole
from committees.permissions import committee_ids_for
from proposals.grants import selectors as grant_selectors
from proposals.grants import services as grant_services
from proposals.models import GrantStage, Recommendation
from proposals.permissions import MODERATOR, REVIEWER, roles_of

YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]
REASON = forms.CharField(
    label=gettext_lazy("Reasons (public)"),
    max_length=4000,
    widget=forms.Textarea(attrs={"rows": 4}),
)


class CompletenessForm(forms.Form):
    complete = forms.ChoiceField(
        label=gettext_lazy("Is the application complete?"), choices=YES_NO, widget=forms.RadioSelect
    )
    missing = forms.CharField(
        label=gettext_lazy("What is missing (sent to the applicant)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def call(self, *, actor, application):
        return grant_services.grant_completeness_check(
            actor=actor,
            application=application,
            complete=self.cleaned_data["complete"] == "yes",
            missing=self.cleaned_data["missing"],
        )


class RecommendationForm(forms.Form):
    recommendation = forms.ChoiceField(
        label=gettext_lazy("Recommendation"),
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
    )
    amount = forms.IntegerField(
        label=gettext_lazy("Amount for a grant in part (kr.)"),
        required=False,
        min_value=1,
        max_value=10**12,
    )
    reason = REASON

    def call(self, *, actor, application):
        return grant_services.grant_recommend(
            actor=actor, application=application, **self.cleaned_data
        )


class DecisionForm(forms.Form):
    granted = forms.ChoiceField(
        label=gettext_lazy("Did the committee grant the application?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    amount = forms.IntegerField(
        label=gettext_lazy("Granted amount (kr.)"), required=False, min_value=1, max_value=10**12
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the decision (published)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def call(self, *, actor, application):
        granted = self.cleaned_data["granted"] == "yes"
        return grant_services.grant_decide(
            actor=actor,
            application=application,
            granted=granted,
            amount=self.cleaned_data["amount"] if granted else None,
            reason=self.cleaned_data["reason"],
        )


class AdvanceForm(forms.Form):
    amount = forms.IntegerField(
        label=gettext_lazy("Pay an advance (kr.)"), min_value=1, max_value=10**12
    )

    def call(self, *, actor, application):
        return grant_services.grant_advance_pay(
            actor=actor, application=application, amount=self.cleaned_data["amount"]
        )


class PayoutForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("The accounts and receipts are checked: approve the payout"),
        required=False,
    )
    missing = forms.CharField(
        label=gettext_lazy(
            "Or send the accounts back: what must be corrected (sent to the applicant)"
        ),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("confirm")) == bool((data.get("missing") or "").strip()):
            raise forms.ValidationError(
                _("Either approve the payout, or say what the applicant must correct.")
            )
        return data

    def call(self, *, actor, application):
        if self.cleaned_data["confirm"]:
            return grant_services.grant_payout_approve(actor=actor, application=application)
        return grant_services.grant_accounts_return(
            actor=actor, application=application, missing=self.cleaned_data["missing"]
        )


# The form of each stage, and the roles that may take the step.
STEP_FORMS = {
    GrantStage.SUBMITTED: (CompletenessForm, {MODERATOR}),
    GrantStage.COMPLETE: (RecommendationForm, {MODERATOR, REVIEWER}),
    GrantStage.RECOMMENDED: (DecisionForm, {MODERATOR}),
    GrantStage.GRANTED: (AdvanceForm, {MODERATOR}),
    GrantStage.ACCOUNTS: (PayoutForm, {MODERATOR}),
}


def _staff_committees(user):
    if user.is_superuser:
        return None
    return committee_ids_for(user) | committee_ids_for(user, CommitteeRole.Role.REVIEWER)


def user_sees_grants(user) -> bool:
    return bool(user.is_superuser or _staff_committees(user))


def grant_queue_view(request):
    if not user_sees_grants(request.user):
        raise PermissionDenied
    stage = request.GET.get("stage") or ""
    if stage and stage not in GrantStage.values:
        stage = ""
    return TemplateResponse(
        request,
        "proposals/grants/admin/queue.html",
        {
            "applications": grant_selectors.grant_queue(
                committee_ids=_staff_committees(request.user), stage=stage
            ),
            "stage": stage,
            "stages": [s for s in GrantStage if s != GrantStage.DRAFT],
        },
    )


def grant_process_view(request, pk):
    application = grant_selectors.grant_application_detail(pk=pk)
    if application is None or application.stage == GrantStage.DRAFT:
        raise Http404
    roles = roles_of(request.user, application.proposal)
    if not roles & {MODERATOR, REVIEWER}:
        raise PermissionDenied
    form_class, step_roles = STEP_FORMS.get(application.stage, (None, set()))
    form = None
    if form_class and roles & step_roles:
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                form.call(actor=request.user, application=application)
            except ValidationError as exc:
                problems = exc.message_dict if hasattr(exc, "error_dict") else {}
                for field, errors in problems.items() or [(None, exc.messages)]:
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                from wagtail.admin import messages

                messages.success(request, _("Saved. The applicant has been told by e-mail."))
                return redirect(reverse("grant_process", args=[application.pk]))
    payout = None
    if application.stage == GrantStage.ACCOUNTS:
        payout = grant_services.payout_for(application)
    return TemplateResponse(
        request,
        "proposals/grants/admin/process.html",
        {
            "application": application,
            "proposal": application.proposal,
            "form": form,
            "payout": payout,
            "planned": [li for li in application.lines.all() if not li.actual],
            "actual": [li for li in application.lines.all() if li.actual],
            "history": application.proposal.history.select_related("actor"),
        },
    )
