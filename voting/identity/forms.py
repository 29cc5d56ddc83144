"""Forms of identity verification: choosing the area of a shared postcode."""

from django import forms
from django.utils.translation import gettext_lazy as _

from committees.models import Area


class AreaChoiceForm(forms.Form):
    """One of the areas the resident's postcode lies in, as radio buttons (never preselected)."""

    area = forms.ModelChoiceField(
        label=_("The area you live in"),
        queryset=Area.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose the area you live in."),
            "invalid_choice": _("Choose one of the areas your postcode lies in."),
        },
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = choices
