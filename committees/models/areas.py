"""Districts (bydele), the local committees (lokaludvalg) that serve them, and who does what."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    """A district of the city, e.g. Copenhagen's ten bydele."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class Committee(models.Model):
    """A local committee (lokaludvalg); one district may have several."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="committees",
        verbose_name=_("district"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self) -> str:
        return self.name


class CommitteeRole(models.Model):
    """A person's role in one committee. Site admins are superusers and need no role."""

    class Role(models.TextChoices):
        MODERATOR = "moderator", _("Committee moderator")
        REVIEWER = "reviewer", _("Administration reviewer")
        HOST = "host", _("Meeting host")
        POLLING_STAFF = "polling_staff", _("Polling staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="committee_roles",
        verbose_name=_("user"),
    )
    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="roles", verbose_name=_("committee")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("committee role")
        verbose_name_plural = _("committee roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "committee", "role"], name="committee_role_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["moderator", "reviewer", "host", "polling_staff"]),
                name="committee_role_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.committee}"
