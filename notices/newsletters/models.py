"""A committee's newsletter: written in the admin, sent once to a chosen audience.

Each recipient's copy is one `notices.Delivery` (key `newsletter:<pk>`), so the counts of sent,
failed and unsubscribed are read from the outbox itself, never kept twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField
from wagtail.models import PreviewableMixin

from committees.models import BudgetRound, Committee

BODY_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link"]


class Audience(models.TextChoices):
    FOLLOWERS = "followers", _("Followers of the committee")
    AUTHORS = "authors", _("Authors of the committee's proposals")
    SUPPORTERS = "supporters", _("Supporters of the committee's proposals")
    ROUND_FOLLOWERS = "round_followers", _("Residents who asked for news of the committee's rounds")
    ROUND = "round", _("Everyone taking part in one round")


class Newsletter(PreviewableMixin, models.Model):
    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="+", verbose_name=_("committee")
    )
    subject = models.CharField(_("subject"), max_length=150)
    body = RichTextField(_("text"), features=BODY_FEATURES, max_length=20_000)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.FOLLOWERS
    )
    budget_round = models.ForeignKey(
        BudgetRound,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("round"),
        help_text=_("Only for the audience “Everyone taking part in one round”."),
    )
    scheduled_at = models.DateTimeField(
        _("send at"),
        null=True,
        blank=True,
        help_text=_("Leave empty to keep it as a draft; it is sent at the first run after this."),
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)
    recipients = models.PositiveIntegerField(_("recipients"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__in=Audience.values), name="newsletter_audience_known"
            ),
            models.CheckConstraint(
                condition=~Q(audience=Audience.ROUND) | Q(budget_round__isnull=False),
                name="newsletter_round_audience_has_round",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def delivery_key(self) -> str:
        return f"newsletter:{self.pk}"

    # Wagtail's preview: the e-mail as a recipient reads it, in the admin's language.
    def get_preview_template(self, request, mode_name):
        return "newsletters/admin/preview.html"

    def get_preview_context(self, request, mode_name):
        return {"newsletter": self, "user": request.user, "site_url": ""}

    def test_send_url(self) -> str:
        return reverse("newsletter_test_send", args=[self.pk])
