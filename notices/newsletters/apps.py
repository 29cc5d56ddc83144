from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewslettersConfig(AppConfig):
    """Newsletters are their own small app inside `notices`, with their own migrations, so that
    they never compete with the notices app's own for a migration number."""

    name = "notices.newsletters"
    label = "newsletters"
    verbose_name = _("Newsletters")
    default_auto_field = "django.db.models.BigAutoField"
