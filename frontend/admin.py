"""Small pieces shared by our Wagtail admin lists and screens: money in a column, and the way back
to the queue a person came from."""

from django.utils.http import url_has_allowed_host_and_scheme
from wagtail.admin.ui.tables import Column

from frontend.money import format_kroner


class MoneyColumn(Column):
    """Whole kroner, written the way the admin's language writes money: 1.234 kr. / DKK 1,234."""

    def get_value(self, instance):
        return format_kroner(super().get_value(instance))


def queue_to_return_to(request, *, default: str) -> str:
    """The `next` address a list passed on (its filters and search kept), if it is one of ours;
    otherwise `default`. Wagtail's own edit views read the same parameter."""
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
