from django import forms
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from proposals.models import Proposal, State, SubmitterKind
from proposals.models.proposals import GRANT_STATE_LABELS
from proposals.richtext import DESCRIPTION_MAX_LENGTH
from proposals.services import EDITABLE_FIELDS
from proposals.uploads import clean_image, clean_pdf

MAX_IMAGES = 5
# The filter's choice for a grant in the proposal state FEASIBLE, which is two of its stages.
GRANT_RECOMMENDED_OR_ON_AGENDA = pgettext_lazy("grant state", "Recommended or on the agenda")
NEEDED_TO_SUBMIT = {
    "submitter_kind",
    "title",
    "summary",
    "description",
    "estimated_cost",
    "category",
    "location_text",
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, as Django's documentation recommends."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ProposalForm(forms.ModelForm):
    """Every field optional here: a draft saves whatever was typed; submission checks the rest."""

    images = MultipleFileField(
        label=_("Images"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/heic"}),
        help_text=_("Up to 5 images: JPEG, PNG or WebP. Location data in photos is removed."),
    )
    image_alt = forms.CharField(
        label=_("What the images show"),
        required=False,
        max_length=250,
        help_text=_("A short description for people who cannot see the images."),
    )
    estimated_cost = forms.IntegerField(
        label=_("Estimated cost (kr.)"),
        required=False,
        min_value=1,
        max_value=10**12,
        help_text=_("Whole kroner, including VAT."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
        error_messages={
            "min_value": _("The cost must be at least 1 kr."),
            "max_value": _("That is more than any round can fund."),
            "invalid": _("Write the cost as a whole number of kroner, for example 25000."),
        },
    )
    attachment = forms.FileField(
        label=_("Attachment (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    class Meta:
        model = Proposal
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "submitter_kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 8}),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "latitude": forms.HiddenInput,
            "longitude": forms.HiddenInput,
        }
        help_texts = {
            "description": _(
                "Paragraphs and simple formatting are kept; everything else is removed."
            ),
        }

    def __init__(self, *args, budget_round, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget_round = budget_round
        for name, field in self.fields.items():
            field.required = False  # a draft saves whatever was typed
            # ...but the label does not call a field optional that submitting needs.
            field.needed_to_submit = name in NEEDED_TO_SUBMIT
        # Refused before anything is cleaned or stored (the model's TextField has no limit).
        description = self.fields["description"]
        description.max_length = DESCRIPTION_MAX_LENGTH
        description.validators.append(MaxLengthValidator(DESCRIPTION_MAX_LENGTH))
        description.widget.attrs["maxlength"] = str(DESCRIPTION_MAX_LENGTH)
        self.fields["category"].queryset = budget_round.categories.all()
        if self.instance.pk:  # the images already stored, each with a box to remove it
            self.fields["remove_images"] = forms.ModelMultipleChoiceField(
                queryset=self.instance.images.all(),
                required=False,
                label=_("Remove images"),
                widget=forms.CheckboxSelectMultiple,
            )
        self.fields["submitter_kind"].choices = SubmitterKind.choices
        self.checklist = list(budget_round.checklist.all())
        answers = (self.instance.checklist_answers if self.instance else None) or {}
        for item in self.checklist:
            name = f"check_{item.pk}"
            self.fields[name] = forms.TypedChoiceField(
                label=item.text,
                required=False,
                choices=[("yes", _("Yes")), ("no", _("No"))],
                widget=forms.RadioSelect,
                initial={True: "yes", False: "no"}.get(answers.get(str(item.pk))),
            )
            self.fields[name].needed_to_submit = True

    # Copenhagen with a margin; a point outside is a slip of the mouse, not a place in the area.
    AREA_BOUNDS = ((55.60, 12.44), (55.74, 12.66))

    def clean(self):
        cleaned = super().clean()
        lat, lng = cleaned.get("latitude"), cleaned.get("longitude")
        if (lat is None) != (lng is None):
            self.add_error("latitude", _("The point on the map is incomplete. Mark it again."))
        elif lat is not None:
            (south, west), (north, east) = self.AREA_BOUNDS
            if not (south <= lat <= north and west <= lng <= east):
                self.add_error(
                    "latitude", _("The point on the map is outside the committee's area.")
                )
        return cleaned

    def clean_cvr_number(self):
        value = (self.cleaned_data.get("cvr_number") or "").replace(" ", "")
        if value and (not value.isdigit() or len(value) != 8):
            raise forms.ValidationError(_("A CVR number has 8 digits."))
        return value

    def clean_images(self):
        files = self.cleaned_data.get("images") or []
        if len(files) > MAX_IMAGES:
            raise forms.ValidationError(_("At most 5 images."))
        cleaned = []
        for upload in files:
            cleaned.append(clean_image(upload))
        return cleaned

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        return clean_pdf(upload)

    def data_for_service(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in EDITABLE_FIELDS}
        for name in EDITABLE_FIELDS:
            if isinstance(Proposal._meta.get_field(name), models.CharField | models.TextField):
                data[name] = (data.get(name) or "").strip()
        data["submitter_kind"] = data.get("submitter_kind") or SubmitterKind.RESIDENT
        answers = {}
        for item in self.checklist:
            value = self.cleaned_data.get(f"check_{item.pk}")
            if value in ("yes", "no"):
                answers[str(item.pk)] = value == "yes"
        data["checklist_answers"] = answers
        return data


class ProposalFilterForm(forms.Form):
    SORTS = [
        ("new", _("Newest")),
        ("support", _("Most supported")),
        ("random", _("Random order")),
    ]
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    state = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Submitted by"), required=False)
    cost_min = forms.IntegerField(
        label=_("Cost from (kr.)"), required=False, min_value=0, max_value=10**12
    )
    cost_max = forms.IntegerField(
        label=_("Cost up to (kr.)"), required=False, min_value=0, max_value=10**12
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)

    PUBLIC_STATES = [s for s in State if s not in (State.DRAFT,)]

    def __init__(self, *args, budget_round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories"))] + [
            (c.pk, c.name) for c in budget_round.categories.all()
        ]
        if budget_round.is_grant_pool:  # a grant application's states, in the grant's words
            labels = {**GRANT_STATE_LABELS, State.FEASIBLE: GRANT_RECOMMENDED_OR_ON_AGENDA}
            states = [(s, label) for s, label in labels.items() if s != State.DRAFT]
        else:
            states = [(s.value, s.label) for s in self.PUBLIC_STATES]
        self.fields["state"].choices = [("", _("All")), *states]
        self.fields["kind"].choices = [("", _("Everyone"))] + list(SubmitterKind.choices)
