"""Forms of a person's account: the extra sign-up fields, Wagtail's user admin, my data."""

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm

from committees.models import User
from frontend.text import without_control_characters


def _display_name(value: str) -> str:
    """A display name as typed, on one line, without control or direction-override characters."""
    return without_control_characters(value or "", single_line=True).strip()


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_("Shown beside your proposals and comments. Leave empty to stay anonymous."),
    )

    def signup(self, request, user):
        user.display_name = _display_name(self.cleaned_data.get("display_name", ""))
        language = get_language()
        if language in dict(settings.LANGUAGES):
            user.preferred_language = language
        user.save(update_fields=["display_name", "preferred_language"])


_NAME_FIELDS = {
    "first_name": forms.CharField(required=False, max_length=150, label=_("First name")),
    "last_name": forms.CharField(required=False, max_length=150, label=_("Last name")),
}


class WagtailUserCreationForm(UserCreationForm):
    first_name = _NAME_FIELDS["first_name"]
    last_name = _NAME_FIELDS["last_name"]

    def clean_display_name(self):
        return _display_name(self.cleaned_data.get("display_name"))

    class Meta(UserCreationForm.Meta):
        model = User
        fields = UserCreationForm.Meta.fields | {"display_name", "preferred_language"}


class WagtailUserEditForm(UserEditForm):
    first_name = _NAME_FIELDS["first_name"]
    last_name = _NAME_FIELDS["last_name"]

    def clean_display_name(self):
        return _display_name(self.cleaned_data.get("display_name"))

    class Meta(UserEditForm.Meta):
        model = User
        fields = UserEditForm.Meta.fields | {"display_name", "preferred_language"}


class PasswordConfirmForm(forms.Form):
    """The person's own password, asked again before their account is deleted."""

    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError(_("The password is not right."))
        return ""
