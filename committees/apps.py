from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "committees"
    label = "committees"
    verbose_name = _("Committees")

    def ready(self):
        from django.conf import settings
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from committees import clients
        from committees.workspace import language

        # The admin in the account's own language (committees.workspace.language).
        post_save.connect(
            language.user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="admin-language"
        )
        user_logged_in.connect(language.user_logged_in, dispatch_uid="admin-language")

        # A mistyped proxy address stops the start, not every request later.
        clients.parse_trusted(settings.TRUSTED_PROXIES)
