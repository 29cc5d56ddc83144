"""Forms of the follow-up: the public catalogue's filter, and the staff's forms in the admin."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from committees.models import District
from proposals.forms import MultipleFileField, MultipleFileInput
from proposals.models import EffectGoal, TrackedProject, TrackingStatus
from proposals.tracking import selectors
from proposals.tracking.services import STATUS_PATHS
from proposals.uploads import clean_image

MAX_PHOTOS = 5


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    area = forms.ModelChoiceField(
        label=gettext_lazy("Area"),
        required=False,
        queryset=District.objects.order_by("name"),
        empty_label=gettext_lazy("All areas"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories"))] + [
            (name, name) for name in selectors.catalogue_categories()
        ]


class ProjectForm(forms.ModelForm):
    class Meta:
        model = TrackedProject
        fields = ["responsible", "progress", "spent"]
        widgets = {
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100}),
            "spent": forms.NumberInput(attrs={"min": 0}),
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"))
    reason = forms.CharField(
        label=gettext_lazy("Public reason (required when cancelling)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (target, TrackingStatus(target).label)
            for (source, target) in STATUS_PATHS
            if source == project.status
        ]


class UpdateForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    photos = MultipleFileField(
        label=gettext_lazy("Photos (JPEG, PNG or WebP; location data is removed)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    photo_alt = forms.CharField(
        label=gettext_lazy("What the photos show (for people who cannot see them)"),
        required=False,
        max_length=250,
    )

    def clean_photos(self):
        files = self.cleaned_data.get("photos") or []
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("At most %(count)d photos per update.") % {"count": MAX_PHOTOS})
        return [clean_image(upload) for upload in files]

    def clean(self):
        data = super().clean()
        if data.get("photos") and not (data.get("photo_alt") or "").strip():
            self.add_error("photo_alt", _("Describe the photos for people who cannot see them."))
        return data


class GoalForm(forms.Form):
    indicator = forms.CharField(label=gettext_lazy("Indicator"), max_length=200)
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=50, required=False)
    baseline = forms.DecimalField(label=gettext_lazy("Baseline"), max_digits=14, decimal_places=2)
    target = forms.DecimalField(label=gettext_lazy("Target"), max_digits=14, decimal_places=2)


class MeasurementForm(forms.Form):
    goal = forms.ModelChoiceField(label=gettext_lazy("Indicator"), queryset=None)
    measured_on = forms.DateField(
        label=gettext_lazy("Measured on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    value = forms.DecimalField(label=gettext_lazy("Value"), max_digits=14, decimal_places=2)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = EffectGoal.objects.filter(project=project)
