from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "committees"
    label = "committees"
    verbose_name = _("Committees")

    def ready(self):
        from django.conf import settings

        from committees import clients

        # A mistyped proxy address stops the start, not every request later.
        clients.parse_trusted(settings.TRUSTED_PROXIES)
