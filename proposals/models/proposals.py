"""Proposals (forslag): what residents, associations, volunteer groups and businesses propose."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from committees.models import BudgetRound, Meeting, RoundCategory

from ..storage import attachment_upload_to, private_storage


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    NEEDS_CHANGES = "needs_changes", _("Sent back for changes")
    FEASIBLE = "feasible", _("On the ballot")
    REJECTED = "rejected", _("Rejected")
    INFEASIBLE = "infeasible", _("Not feasible")
    MERGED = "merged", _("Merged")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# A grant application's proposal moves through the same states (proposals/workflow.py:
# GRANT_TRANSITIONS), but nobody votes on it: it is read in the grant process's own words, the
# labels of its stages (GrantStage below).
GRANT_RECEIVED = pgettext_lazy("grant state", "Received")
GRANT_COMPLETE = pgettext_lazy("grant state", "Complete")
GRANT_RECOMMENDED = pgettext_lazy("grant state", "Recommended")
GRANT_ON_AGENDA = pgettext_lazy("grant state", "On the agenda")
GRANT_GRANTED = pgettext_lazy("grant state", "Granted")
GRANT_REFUSED = pgettext_lazy("grant state", "Refused")
GRANT_ACCOUNTS = pgettext_lazy("grant state", "Accounts submitted")
GRANT_PAID = pgettext_lazy("grant state", "Paid")
GRANT_WITHDRAWN = pgettext_lazy("grant state", "Withdrawn")
# Sent back to the applicant for correction: the application is granted again, its accounts due.
GRANT_ACCOUNTS_RETURNED = pgettext_lazy("grant state", "Accounts returned for correction")


class GrantStage(models.TextChoices):
    """The steps of an application, as applicants and staff read them. The working group
    recommends; the secretariat then puts the application on a meeting's agenda: two stages, one
    state of the proposal (FEASIBLE). Here beside the states, since a status change records the
    stages too (`StatusChange.from_stage`/`to_stage`); `proposals.models.grants` uses them."""

    DRAFT = "draft", State.DRAFT.label
    SUBMITTED = "submitted", GRANT_RECEIVED
    INCOMPLETE = "incomplete", _("Returned: information missing")
    COMPLETE = "complete", GRANT_COMPLETE
    RECOMMENDED = "recommended", GRANT_RECOMMENDED
    ON_AGENDA = "on_agenda", GRANT_ON_AGENDA
    GRANTED = "granted", GRANT_GRANTED
    REFUSED = "refused", GRANT_REFUSED
    ACCOUNTS = "accounts", GRANT_ACCOUNTS
    PAID = "paid", GRANT_PAID
    WITHDRAWN = "withdrawn", GRANT_WITHDRAWN


GRANT_STATE_LABELS = {
    State.DRAFT: State.DRAFT.label,
    State.SUBMITTED: GRANT_RECEIVED,
    State.IN_REVIEW: GRANT_COMPLETE,
    # Recommended, then on the agenda: two stages of the application in one state of its
    # proposal (the recommendation moved it); `Proposal.state_label` tells them apart.
    State.FEASIBLE: GRANT_RECOMMENDED,
    State.SELECTED: GRANT_GRANTED,
    State.NOT_SELECTED: GRANT_REFUSED,
    State.IN_PROGRESS: GRANT_ACCOUNTS,
    State.COMPLETED: GRANT_PAID,
    State.WITHDRAWN: GRANT_WITHDRAWN,
}


def state_label(state: str, *, grant: bool) -> str:
    """A proposal's state as people read it; a grant application's in the grant's words."""
    if grant and state in GRANT_STATE_LABELS:
        return str(GRANT_STATE_LABELS[state])
    return str(State(state).label)


class SubmitterKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    ASSOCIATION = "association", _("Association")
    VOLUNTEER_GROUP = "volunteer_group", _("Volunteer group")
    BUSINESS = "business", _("Local business")


class Proposal(models.Model):
    budget_round = models.ForeignKey(
        BudgetRound, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("round")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("author"),
    )
    # NULL for drafts: unique numbers are given on submission only.
    case_number = models.CharField(
        _("case number"), max_length=32, unique=True, null=True, blank=True
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True
    )
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(_("short summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    estimated_cost = models.PositiveBigIntegerField(
        _("estimated cost (kr.)"), null=True, blank=True
    )
    revised_cost = models.PositiveBigIntegerField(_("revised cost (kr.)"), null=True, blank=True)
    category = models.ForeignKey(
        RoundCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    location_text = models.CharField(_("address or place"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    submitter_kind = models.CharField(
        _("submitted as"),
        max_length=16,
        choices=SubmitterKind.choices,
        default=SubmitterKind.RESIDENT,
    )
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    cvr_number = models.CharField(_("CVR number"), max_length=8, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=150, blank=True)
    checklist_answers = models.JSONField(_("checklist answers"), default=dict, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    inspired_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspired",
        verbose_name=_("inspired by"),
        help_text=_("A completed project elsewhere that this proposal repeats."),
    )
    support_count = models.PositiveIntegerField(_("supporters"), default=0)
    # Hidden by a moderator after reports (proposals/moderation/): off the lists and the API,
    # its page shows the public reason instead of the text. Its state and history stay.
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    random_key = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            models.Index(fields=["budget_round", "state", "-submitted_at"]),
            models.Index(fields=["budget_round", "state", "-support_count"]),
            models.Index(fields=["budget_round", "state", "random_key"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_cost__isnull=True) | Q(estimated_cost__gt=0),
                name="proposal_cost_positive",
            ),
            models.CheckConstraint(
                condition=Q(revised_cost__isnull=True) | Q(revised_cost__gt=0),
                name="proposal_revised_cost_positive",
            ),
            models.CheckConstraint(
                condition=Q(state=State.DRAFT) | Q(case_number__isnull=False),
                name="proposal_submitted_has_case_number",
            ),
            models.CheckConstraint(
                condition=Q(state__in=State.values), name="proposal_state_known"
            ),
            models.CheckConstraint(
                condition=(Q(state=State.MERGED) & Q(merged_into__isnull=False))
                | (~Q(state=State.MERGED) & Q(merged_into__isnull=True)),
                name="proposal_merged_has_target",
            ),
            models.CheckConstraint(
                condition=Q(hidden=False) | ~Q(hidden_reason=""),
                name="proposal_hidden_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="proposal_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="proposal_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number or _('draft')}: {self.title}"

    @property
    def public_organisation_name(self) -> str:
        """The submitting association, group or business; never a resident's own name."""
        return "" if self.submitter_kind == SubmitterKind.RESIDENT else self.organisation_name

    @property
    def cost(self) -> int | None:
        """What the proposal costs: the reviewer's revised figure when there is one."""
        return self.revised_cost or self.estimated_cost

    @property
    def is_public(self) -> bool:
        return self.state != State.DRAFT

    @property
    def is_grant_application(self) -> bool:
        """An application to a grant pool: no supports, no ballot, the grant's own states."""
        return self.budget_round.is_grant_pool

    @property
    def state_label(self) -> str:
        if self.state == State.FEASIBLE and self.is_grant_application:
            # Recommended or already on a meeting's agenda: the application's stage says which.
            application = getattr(self, "grant", None)
            if application is not None:
                return str(application.get_stage_display())
        return state_label(self.state, grant=self.is_grant_application)


class StatusChange(models.Model):
    """One move of the state machine: who, when, from, to, and the public reason."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="history")
    from_state = models.CharField(max_length=16, choices=State.choices)
    to_state = models.CharField(max_length=16, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    public_reason = models.TextField(_("public reason"), blank=True)
    # A grant application's step: its stages before and after (GrantStage values), blank for
    # any other proposal. Two stages share one state (recommended, on the agenda), and some
    # steps move no state at all (returned for information, accounts returned), so the stages
    # tell the history's lines apart; they are worded when read, in the reader's language.
    from_stage = models.CharField(_("stage before"), max_length=16, blank=True, default="")
    to_stage = models.CharField(_("stage after"), max_length=16, blank=True, default="")
    # The meeting whose agenda the step put the application on.
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meeting"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        constraints = [
            models.CheckConstraint(
                condition=Q(from_stage__in=["", *GrantStage.values])
                & Q(to_stage__in=["", *GrantStage.values]),
                name="status_change_grant_stage_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_state} → {self.to_state}"

    def _label(self, state: str, stage: str) -> str:
        if stage:
            returned = (self.from_stage, self.to_stage) == (GrantStage.ACCOUNTS, GrantStage.GRANTED)
            if returned and stage == self.to_stage:
                return str(GRANT_ACCOUNTS_RETURNED)
            return str(GrantStage(stage).label)
        return state_label(state, grant=self.proposal.is_grant_application)

    @property
    def from_state_label(self) -> str:
        return self._label(self.from_state, self.from_stage)

    @property
    def to_state_label(self) -> str:
        return self._label(self.to_state, self.to_stage)

    @property
    def public_text(self) -> str:
        """The public reason as typed, or what the step itself says, worded now: the meeting
        whose agenda it put the application on, in the reader's language."""
        if self.public_reason:
            return self.public_reason
        if self.meeting_id and self.meeting is not None:
            starts = timezone.localtime(self.meeting.starts_at)
            return gettext("On the agenda of %(meeting)s on %(date)s") % {
                "meeting": self.meeting.title,
                "date": date_format(starts, "DATE_FORMAT"),
            }
        return ""


class ProposalImage(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="images")
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")
    alt_text = models.CharField(_("description of the image"), max_length=250, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.alt_text or str(self.image)


class ProposalAttachment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    # Private until the proposal is published, and then still served by proposals.files.views.
    file = models.FileField(_("file"), upload_to=attachment_upload_to, storage=private_storage)
    title = models.CharField(_("title"), max_length=200)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title
