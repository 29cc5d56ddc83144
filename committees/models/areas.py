"""Districts (bydele), the local committees (lokaludvalg) that serve them, and who does what."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from committees.geometry import GeometryError, geometry_check


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


class Address(models.Model):
    """An access address (adgangsadresse) of the official address register, and its area.

    Loaded by `manage.py address_import`; `area` is the committee area whose boundary contains
    the address's coordinates (None when no boundary does), resolved at import.
    """

    access_address_id = models.UUIDField(_("access address id"), unique=True)
    street = models.CharField(_("street"), max_length=100)
    house_number = models.CharField(_("house number"), max_length=10)
    postcode = models.CharField(_("postcode"), max_length=4)
    longitude = models.FloatField(_("longitude"))
    latitude = models.FloatField(_("latitude"))
    area = models.ForeignKey(
        "Area",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="addresses",
        verbose_name=_("area"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["street", "house_number"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        indexes = [models.Index(fields=["postcode", "street", "house_number"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180)
                & models.Q(latitude__gte=-90, latitude__lte=90),
                name="address_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.street} {self.house_number}, {self.postcode}"


class Area(models.Model):
    """Where a round's voters live: a committee's whole area, or a smaller local area in it.

    Each committee has exactly one committee area (created with the committee); its boundary is
    a GeoJSON Polygon or MultiPolygon (`manage.py area_import`). A local area (a housing estate,
    a neighbourhood) lies in one committee's area and is given by a boundary, a list of
    addresses, or both: an address is in it when it is on the list or inside the boundary.
    """

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("The committee's area")
        LOCAL = "local", _("A local area")

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="areas", verbose_name=_("committee")
    )
    boundary = models.JSONField(
        _("boundary (GeoJSON)"),
        null=True,
        blank=True,
        help_text=_("A GeoJSON Polygon or MultiPolygon in longitude and latitude."),
    )
    listed_addresses = models.ManyToManyField(
        Address,
        blank=True,
        related_name="local_areas",
        verbose_name=_("addresses in the area"),
    )
    is_demo = models.BooleanField(
        _("demo data"),
        default=False,
        help_text=_("Simplified boundary shipped with the demo; not the official boundary."),
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.UniqueConstraint(
                fields=["committee"],
                condition=models.Q(kind="committee"),
                name="area_one_per_committee",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["committee", "local"]), name="area_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.boundary not in (None, ""):
            try:
                self.boundary = geometry_check(self.boundary)
            except GeometryError as exc:
                raise ValidationError({"boundary": str(exc)}) from None
