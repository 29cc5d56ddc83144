from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import COMMENT_MAX_LENGTH


class CommentForm(forms.Form):
    """A comment, or an answer to the comment `reply_to` (its id, from the thread's form)."""

    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Write a comment."),
            "max_length": _("A comment can be at most %(limit_value)s characters."),
        },
    )
    reply_to = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("The comment you answered was not found.")},
    )


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Write a comment."),
            "max_length": _("A comment can be at most %(limit_value)s characters."),
        },
    )
