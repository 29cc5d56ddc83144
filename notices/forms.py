from django import forms
from django.utils.translation import gettext_lazy as _

from committees.models import Committee
from notices.kinds import CHOOSABLE
from notices.models import NoticePreference


class PreferenceForm(forms.Form):
    wanted = forms.MultipleChoiceField(
        label=_("E-mail me about"),
        choices=[(kind.value, kind.label) for kind in CHOOSABLE],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    digest = forms.ChoiceField(
        label=_("How often"),
        choices=NoticePreference.Digest.choices,
        widget=forms.RadioSelect,
        help_text=_("Your vote confirmation and answers about your own proposals come at once."),
    )
    committees = forms.ModelMultipleChoiceField(
        label=_("Committees you follow"),
        queryset=Committee.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("You hear when ideas open, when voting opens and closes, and the results."),
    )
