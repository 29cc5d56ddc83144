"""The resident's report form and the moderator's decision form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import REPORT_DETAILS_MAX_LENGTH, ReportReason
from proposals.moderation.services import HIDDEN_REASON_MAX_LENGTH


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why do you report it?"),
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why you report it.")},
    )
    details = forms.CharField(
        label=_("Anything the moderators should know"),
        required=False,
        max_length=REPORT_DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the committee's moderators read this. Your name is never shown."),
    )


class DecisionForm(forms.Form):
    HIDE, RESTORE, KEEP = "hide", "restore", "keep"

    action = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Public reason"),
        required=False,
        max_length=HIDDEN_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Shown in place of the text and sent to the author. Needed to hide or restore. "
            "Never name the people who reported it."
        ),
    )

    def __init__(self, *args, hidden: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if hidden:
            choices = [(self.RESTORE, _("Show it again")), (self.KEEP, _("Keep it hidden"))]
        else:
            choices = [(self.HIDE, _("Hide it")), (self.KEEP, _("Keep it visible"))]
        self.fields["action"].choices = choices
