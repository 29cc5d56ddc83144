"""What a verified identity leaves behind: the provider's pseudonymous subject, where the person
lives (their committee area, the access address when the broker sent one) and how old they were
on the day of the check, in whole years. Never a CPR number or a birth date."""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from committees.models import Address, Area, District

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
    # Whether `person_key` comes from a CPR number (the key of the voter roll, letter codes and
    # polling stations) or only from the broker's subject, which links online ballots only.
    has_person_number = models.BooleanField(_("verified with a CPR number"), default=False)
    # The district, for turnout statistics; who may vote is decided by `home_area`.
    area = models.ForeignKey(District, on_delete=models.SET_NULL, null=True, related_name="+")
    home_area = models.ForeignKey(
        Area,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("committee area"),
    )
    address = models.ForeignKey(
        Address,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("access address"),
        help_text=_("Only to tell whether the person lives in a local area."),
    )
    # A postcode shared by several committees: the person chooses one of these.
    area_choices = models.ManyToManyField(Area, blank=True, related_name="+")
    age_band = models.CharField(max_length=8)
    # How old the person was on `age_known_on`, in whole years: exactly (from a birth date or
    # age) or as a range (from an "over 18" claim: min 18, max None).
    age_min = models.PositiveSmallIntegerField(default=0)
    age_max = models.PositiveSmallIntegerField(null=True, blank=True)
    age_known_on = models.DateField(null=True, blank=True)
    verified_at = models.DateTimeField()

    class Meta:
        verbose_name = _("verified identity")
        verbose_name_plural = _("verified identities")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="identity_subject_once"),
            models.CheckConstraint(
                condition=models.Q(age_max__isnull=True) | models.Q(age_max__gte=F("age_min")),
                name="identity_age_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject[:8]}…"
