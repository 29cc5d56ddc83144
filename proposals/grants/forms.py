"""Forms of the grant applicant: the application with its budget, and the accounts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.forms import MultipleFileField, MultipleFileInput
from proposals.grants.services import MAX_LINES, MAX_RECEIPTS, Line
from proposals.models import GrantApplication, LineKind, SubmitterKind

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
OPTIONAL_TO_SUBMIT = {"contact_phone"}


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
        # Optional for a draft, but not optional to submit: the label must not say otherwise.
        for name, field in self.fields.items():
            field.needed_to_submit = name not in OPTIONAL_TO_SUBMIT
        if application is not None and not self.is_bound:
            proposal = application.proposal
            for name in PROPOSAL_FIELDS:
                self.initial[name] = getattr(proposal, name)
            self.initial["description"] = _strip_tags(proposal.description)
            self.initial["submitter_kind"] = proposal.submitter_kind
            for name in ("applicant_name", "contact_name", "contact_phone", "contact_email",
                         "activity_date", "advertising", "volunteers"):  # fmt: skip
                self.initial[name] = getattr(application, name)

    def checklist_fields(self):
        return [self[f"check_{item.pk}"] for item in self.checklist]

    def proposal_data(self) -> dict:
        data = {name: (self.cleaned_data.get(name) or "").strip() for name in PROPOSAL_FIELDS}
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


def _strip_tags(html: str) -> str:
    from django.utils.html import strip_tags

    return strip_tags((html or "").replace("</p>", "\n\n")).strip()


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
        from proposals.uploads import clean_pdf

        files = self.cleaned_data.get("receipts") or []
        if len(files) > MAX_RECEIPTS:
            raise forms.ValidationError(_("At most 10 receipts."))
        return [clean_pdf(upload) for upload in files]
