from django import forms
from django.utils.translation import gettext_lazy as _

from committees.postcodes import find_committees


class FindCommitteeForm(forms.Form):
    """'Find my committee': a Copenhagen postcode, an address or the name of an area."""

    q = forms.CharField(
        label=_("Postcode, address or area"),
        max_length=200,
        help_text=_("For example 2300, Amagerbrogade 120 or Islands Brygge."),
    )

    def clean(self):
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
