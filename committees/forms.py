from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm

from committees.models import User


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_("Shown beside your proposals and comments. Leave empty to stay anonymous."),
    )

    def signup(self, request, user):
        user.display_name = self.cleaned_data.get("display_name", "").strip()
        language = get_language()
        if language in dict(settings.LANGUAGES):
            user.preferred_language = language
        user.save(update_fields=["display_name", "preferred_language"])


_NAME_FIELDS = {
    "first_name": forms.CharField(required=False, label=_("First name")),
    "last_name": forms.CharField(required=False, label=_("Last name")),
}


class WagtailUserCreationForm(UserCreationForm):
    first_name = _NAME_FIELDS["first_name"]
    last_name = _NAME_FIELDS["last_name"]

    class Meta(UserCreationForm.Meta):
        model = User
        fields = UserCreationForm.Meta.fields | {"display_name", "preferred_language"}


class WagtailUserEditForm(UserEditForm):
    first_name = _NAME_FIELDS["first_name"]
    last_name = _NAME_FIELDS["last_name"]

    class Meta(UserEditForm.Meta):
        model = User
        fields = UserEditForm.Meta.fields | {"display_name", "preferred_language"}


class FindCommitteeForm(forms.Form):
    """'Find my committee': a Copenhagen postcode, an address or the name of an area."""

    q = forms.CharField(
        label=_("Postcode, address or area"),
        max_length=200,
        help_text=_("For example 2300, Amagerbrogade 120 or Islands Brygge."),
    )

    def clean(self):
        from committees.postcodes import find_committees

        cleaned = super().clean()
        query = cleaned.get("q")
        if query is None:
            return cleaned
        result = find_committees(query)
        if result.kind == "invalid":
            self.add_error("q", _("Write a postcode (four digits), an address or an area name."))
        elif result.kind == "outside":
            self.add_error(
                "q",
                _(
                    "%(query)s is not in the City of Copenhagen. "
                    "Our committees cover Copenhagen only."
                )
                % {"query": query},
            )
        elif result.kind == "unknown" or not result.committee_slugs:
            self.add_error(
                "q",
                _(
                    "We could not find %(query)s. Try your postcode, for example 2200, "
                    "or choose your committee from the list below."
                )
                % {"query": query},
            )
        cleaned["result"] = result
        return cleaned
