"""Follow-up of funded projects (effect steering): status, progress, spending, updates, effects.

Every selected proposal gets one tracked project. Its status runs alongside the proposal's
state (planned = selected, in progress, completed, cancelled), kept in step by the services.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .proposals import Proposal


class TrackingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class TrackedProject(models.Model):
    proposal = models.OneToOneField(
        Proposal, on_delete=models.PROTECT, related_name="tracking", verbose_name=_("proposal")
    )
    responsible = models.CharField(
        _("responsible department or association"), max_length=200, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=TrackingStatus.choices,
        default=TrackingStatus.PLANNED,
        db_index=True,
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    granted = models.PositiveBigIntegerField(_("granted (kr.)"))
    spent = models.PositiveBigIntegerField(_("spent so far (kr.)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("tracked project")
        verbose_name_plural = _("tracked projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="tracked_project_progress_percent",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TrackingStatus.values), name="tracked_project_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=TrackingStatus.CANCELLED) | ~Q(cancel_reason=""),
                name="tracked_project_cancel_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.proposal.title

    @property
    def spent_share(self) -> int:
        """Spent as a whole percentage of the granted amount (may pass 100)."""
        return round(100 * self.spent / self.granted) if self.granted else 0


class ProjectUpdate(models.Model):
    """A dated, public report on how the project is going."""

    project = models.ForeignKey(TrackedProject, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("project update")
        verbose_name_plural = _("project updates")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"


class ProjectUpdatePhoto(models.Model):
    update = models.ForeignKey(ProjectUpdate, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")
    alt_text = models.CharField(_("description of the image"), max_length=250)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.alt_text


class EffectGoal(models.Model):
    """An effect indicator: what is measured, where it started and where it should end."""

    project = models.ForeignKey(TrackedProject, on_delete=models.CASCADE, related_name="goals")
    indicator = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("effect goal")
        verbose_name_plural = _("effect goals")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "indicator"], name="effect_goal_indicator_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.indicator


class EffectMeasurement(models.Model):
    goal = models.ForeignKey(EffectGoal, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("measured on"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["measured_on", "pk"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "measured_on"], name="effect_measurement_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measured_on:%Y-%m-%d}: {self.value}"


class ProjectSubscription(models.Model):
    """A resident follows a project: e-mails on new updates and status changes."""

    project = models.ForeignKey(
        TrackedProject, on_delete=models.CASCADE, related_name="subscriptions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_subscriptions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="project_subscription_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.project_id}"
