"""The confirmation form of a phase action: the reason, the new end of an extension, and the
fingerprint of the preview the moderator saw."""

from django import forms
from django.utils.translation import gettext_lazy as _

from voting.phases.selectors import EXTEND_VOTING, REASON_REQUIRED
from voting.phases.services import REASON_MAX_LENGTH


class PhaseActionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (public)"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    new_end = forms.DateTimeField(
        label=_("Voting closes"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    expected = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        if action in REASON_REQUIRED:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _(
                "Give a reason: it is published with the change."
            )
        else:
            self.fields["reason"].label = _("Reason (public, optional)")
        if action == EXTEND_VOTING:
            self.fields["new_end"].required = True
            self.fields["new_end"].error_messages["required"] = _(
                "Give the new date and time voting closes."
            )
        else:
            del self.fields["new_end"]
