"""What a verified identity leaves behind: the provider's pseudonymous subject, the area and an
age band. Never a CPR number or a birth date."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from committees.models import District

# Lower bounds of the age bands; a round's minimum age is one of them.
AGE_BANDS = [
    (0, "0-14"),
    (15, "15-17"),
    (18, "18-24"),
    (25, "25-34"),
    (35, "35-49"),
    (50, "50-64"),
    (65, "65+"),
]


class VerifiedIdentity(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verified_identity"
    )
    provider = models.CharField(max_length=100)
    subject = models.CharField(_("pseudonymous subject"), max_length=255)
    person_key = models.CharField(max_length=64, help_text=_("Keyed hash; links voting channels"))
    area = models.ForeignKey(District, on_delete=models.SET_NULL, null=True, related_name="+")
    age_band = models.CharField(max_length=8)
    verified_at = models.DateTimeField()

    class Meta:
        verbose_name = _("verified identity")
        verbose_name_plural = _("verified identities")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="identity_subject_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject[:8]}…"

    @property
    def min_age(self) -> int:
        return next(low for low, label in AGE_BANDS if label == self.age_band)
