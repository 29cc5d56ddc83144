"""Forms of the grant process: the applicant's application with its budget and the accounts,
and the staff's form of each step in the admin."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from committees.models import Meeting
from proposals.forms import MultipleFileField, MultipleFileInput
from proposals.grants import services as grant_services
from proposals.grants.services import MAX_ATTACHMENTS, MAX_LINES, MAX_RECEIPTS, Line
from proposals.models import GrantApplication, LineKind, Recommendation, SubmitterKind
from proposals.richtext import description_as_text, text_as_html
from proposals.uploads import clean_pdf

TEXT_FIELDS = {
    "title": (_("Title of the activity"), 120, False),
    "summary": (_("Short summary"), 300, True),
    "description": (_("Describe the activity"), 5000, True),
    "location_text": (_("Where it takes place"), 200, False),
    "applicant_name": (_("Applying association or person"), 200, False),
    "contact_name": (_("Contact person"), 150, False),
    "contact_phone": (_("Contact phone"), 20, False),
    "advertising": (_("How is the activity advertised?"), 2000, True),
    "volunteers": (_("How do volunteers take part?"), 2000, True),
}
PROPOSAL_FIELDS = ("title", "summary", "description", "location_text")
OPTIONAL_TO_SUBMIT = {"contact_phone", "attachments", "remove_attachments"}


class GrantApplicationForm(forms.Form):
    """Every field optional for a draft; submitting checks the rest and lists what is missing."""

    submitter_kind = forms.ChoiceField(
        label=_("Who applies?"),
        required=False,
        widget=forms.RadioSelect,
        choices=[c for c in SubmitterKind.choices if c[0] != SubmitterKind.BUSINESS],
    )
    contact_email = forms.EmailField(
        label=_("Contact e-mail"),
        required=False,
        error_messages={"invalid": _("Write a valid e-mail address, e.g. name@example.dk.")},
    )
    activity_date = forms.DateField(
        label=_("Date of the activity"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Write the date as day-month-year, e.g. 24-06-2027.")},
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"],
    )
    attachments = MultipleFileField(
        label=_("Quotes and budgets (PDF)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "application/pdf"}),
        help_text=_("Up to 5 PDF files, for example a quote for the stage or a detailed budget."),
    )

    def __init__(self, *args, budget_round, application: GrantApplication | None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, max_length, long) in TEXT_FIELDS.items():
            widget = forms.Textarea(attrs={"rows": 3 if max_length < 3000 else 6}) if long else None
            self.fields[name] = forms.CharField(
                label=label, required=False, max_length=max_length, widget=widget
            )
        self.checklist = list(budget_round.checklist.all())
        answers = application.proposal.checklist_answers if application else {}
        for item in self.checklist:
            self.fields[f"check_{item.pk}"] = forms.ChoiceField(
                label=item.text,
                required=False,
                choices=[("yes", _("Yes")), ("no", _("No"))],
                widget=forms.RadioSelect,
                initial={True: "yes", False: "no"}.get(answers.get(str(item.pk))),
            )
        if application is not None and application.proposal.attachments.exists():
            self.fields["remove_attachments"] = forms.ModelMultipleChoiceField(
                queryset=application.proposal.attachments.all(),
                required=False,
                label=_("Remove attachments"),
                widget=forms.CheckboxSelectMultiple,
            )
        # Optional for a draft, but not optional to submit: the label must not say otherwise.
        for name, field in self.fields.items():
            field.needed_to_submit = name not in OPTIONAL_TO_SUBMIT
        if application is not None and not self.is_bound:
            proposal = application.proposal
            for name in PROPOSAL_FIELDS:
                self.initial[name] = getattr(proposal, name)
            self.initial["description"] = description_as_text(proposal.description)
            self.initial["submitter_kind"] = proposal.submitter_kind
            for name in ("applicant_name", "contact_name", "contact_phone", "contact_email",
                         "activity_date", "advertising", "volunteers"):  # fmt: skip
                self.initial[name] = getattr(application, name)

    def clean_attachments(self):
        """Each file through the upload rules every PDF of the platform passes."""
        files = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("At most %(count)s attachments.") % {"count": MAX_ATTACHMENTS}
            )
        return [clean_pdf(upload) for upload in files]

    def checklist_fields(self):
        return [self[f"check_{item.pk}"] for item in self.checklist]

    def proposal_data(self) -> dict:
        data = {name: (self.cleaned_data.get(name) or "").strip() for name in PROPOSAL_FIELDS}
        # The applicant edits the description as plain text: "<" is a character here, not markup.
        data["description"] = text_as_html(data["description"])
        kind = self.cleaned_data.get("submitter_kind") or SubmitterKind.ASSOCIATION
        applicant = (self.cleaned_data.get("applicant_name") or "").strip()
        data.update(
            submitter_kind=kind,
            organisation_name=applicant if kind != SubmitterKind.RESIDENT else "",
            contact_person=(self.cleaned_data.get("contact_name") or "").strip(),
            checklist_answers={
                str(item.pk): self.cleaned_data.get(f"check_{item.pk}") == "yes"
                for item in self.checklist
                if self.cleaned_data.get(f"check_{item.pk}") in ("yes", "no")
            },
        )
        return data

    def grant_data(self) -> dict:
        names = ("applicant_name", "contact_name", "contact_email", "contact_phone",
                 "advertising", "volunteers")  # fmt: skip
        data = {name: (self.cleaned_data.get(name) or "").strip() for name in names}
        data["activity_date"] = self.cleaned_data.get("activity_date")
        return data


class LineForm(forms.Form):
    kind = forms.ChoiceField(label=_("Income or expense"), choices=LineKind.choices)
    text = forms.CharField(label=_("What"), max_length=200, required=False)
    amount = forms.IntegerField(
        label=_("Amount (kr.)"),
        required=False,
        min_value=1,
        max_value=10**9,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
        error_messages={
            "min_value": _("The amount must be at least 1 kr."),
            "invalid": _("Write the amount as a whole number of kroner, for example 2500."),
        },
    )

    def clean(self):
        cleaned = super().clean()
        text, amount = (cleaned.get("text") or "").strip(), cleaned.get("amount")
        if bool(text) != (amount is not None) and "amount" not in self.errors:
            raise forms.ValidationError(_("Fill in both what the line is for and its amount."))
        return cleaned


class BaseLineFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            field.needed_to_submit = True  # an empty row is skipped, a started one is complete

    def lines(self) -> list[Line]:
        return [
            Line(
                form.cleaned_data["kind"],
                form.cleaned_data["text"].strip(),
                form.cleaned_data["amount"],
            )
            for form in self.forms
            if form.cleaned_data.get("amount") is not None
        ]


def lines_formset(data, *, application: GrantApplication | None, actual: bool):
    existing = []
    if application is not None:
        existing = [
            {"kind": line.kind, "text": line.text, "amount": line.amount}
            for line in application.lines.all()
            if line.actual == actual
        ]
    if not existing:
        existing = [
            {"kind": LineKind.EXPENSE},
            {"kind": LineKind.EXPENSE},
            {"kind": LineKind.INCOME},
        ]
    formset_class = forms.formset_factory(
        LineForm,
        formset=BaseLineFormSet,
        extra=2,
        max_num=MAX_LINES,
        validate_max=True,
        absolute_max=MAX_LINES,
    )
    return formset_class(data, initial=existing, prefix="actual" if actual else "budget")


class AccountsForm(forms.Form):
    receipts = MultipleFileField(
        label=_("Receipts (PDF)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "application/pdf"}),
        help_text=_(
            "Up to 10 PDF files. They are deleted automatically after the retention period."
        ),
    )

    def clean_receipts(self):
        files = self.cleaned_data.get("receipts") or []
        if len(files) > MAX_RECEIPTS:
            raise forms.ValidationError(_("At most 10 receipts."))
        return [clean_pdf(upload) for upload in files]


# --- The staff's step forms (proposals/grants/admin.py) ---------------------------------------

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
REASON = forms.CharField(
    label=_("Reasons (public)"),
    max_length=4000,
    widget=forms.Textarea(attrs={"rows": 4}),
)


class StepForm(forms.Form):
    """The form of one staff step, for one application."""

    def __init__(self, *args, application: GrantApplication, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application


class CompletenessForm(StepForm):
    complete = forms.ChoiceField(
        label=_("Is the application complete?"), choices=YES_NO, widget=forms.RadioSelect
    )
    missing = forms.CharField(
        label=_("What is missing (sent to the applicant)"),
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


class RecommendationForm(StepForm):
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
    )
    amount = forms.IntegerField(
        label=_("Amount for a grant in part (kr.)"),
        required=False,
        min_value=1,
        max_value=10**12,
    )
    reason = REASON

    def call(self, *, actor, application):
        return grant_services.grant_recommend(
            actor=actor, application=application, **self.cleaned_data
        )


class MeetingChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, default: Meeting | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.default = default

    def label_from_instance(self, meeting):
        label = _("%(title)s, %(start)s") % {
            "title": meeting.title,
            "start": date_format(timezone.localtime(meeting.starts_at), "SHORT_DATETIME_FORMAT"),
        }
        if meeting == self.default:
            return _("%(meeting)s (the deadline's meeting)") % {"meeting": label}
        return label


class AgendaForm(StepForm):
    """The secretariat puts a recommended application on a meeting's agenda: the deadline's
    meeting unless another upcoming one of the committee is chosen."""

    meeting = MeetingChoiceField(
        label=_("Put it on the agenda of the meeting"),
        queryset=Meeting.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, application: GrantApplication, **kwargs):
        super().__init__(*args, application=application, **kwargs)
        meetings = grant_services.agenda_meetings(application)
        default = meetings[0] if meetings and application.deadline_id else None
        field = self.fields["meeting"]
        field.queryset = Meeting.objects.filter(pk__in=[m.pk for m in meetings]).order_by(
            "starts_at", "pk"
        )
        field.default = default
        field.initial = default.pk if default else None

    def call(self, *, actor, application):
        return grant_services.grant_put_on_agenda(
            actor=actor, application=application, meeting=self.cleaned_data["meeting"]
        )


class DecisionForm(StepForm):
    granted = forms.ChoiceField(
        label=_("Did the committee grant the application?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    amount = forms.IntegerField(
        label=_("Granted amount (kr.)"), required=False, min_value=1, max_value=10**12
    )
    reason = forms.CharField(
        label=_("Reason for the decision (published)"),
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


class AdvanceForm(StepForm):
    amount = forms.IntegerField(label=_("Pay an advance (kr.)"), min_value=1, max_value=10**12)

    def call(self, *, actor, application):
        return grant_services.grant_advance_pay(
            actor=actor, application=application, amount=self.cleaned_data["amount"]
        )


class PayoutForm(StepForm):
    confirm = forms.BooleanField(
        label=_("The accounts and receipts are checked: approve the payout"),
        required=False,
    )
    missing = forms.CharField(
        label=_("Or send the accounts back: what must be corrected (sent to the applicant)"),
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
