from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .proposals import Proposal
from .reports import REPORT_DETAILS_MAX_LENGTH, ReportReason

# The longest comment, in characters, counted as typed.
COMMENT_MAX_LENGTH = 2000


class Comment(models.Model):
    """A resident's comment on a proposal, or a reply in its thread.

    Threads are one level deep: a reply's parent is a comment without a parent (the service
    attaches a reply to a reply to the same thread). The author may edit their text, leaving an
    "edited" mark and the previous text in a `CommentRevision`, or delete it, leaving a "deleted"
    tombstone with an empty body, so the replies keep their place. A moderator's hiding is
    separate and wins over both.
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    flag_count = models.PositiveIntegerField(default=0)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden=False) | ~Q(hidden_reason=""),
                name="comment_hidden_has_reason",
            ),
            # A tombstone keeps nothing of the text in public: it is in the revisions.
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | Q(body=""),
                name="comment_deleted_has_no_text",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("pk")),
                name="comment_not_its_own_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.body[:50]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class CommentRevision(models.Model):
    """A comment's text as it was before its author edited or deleted it: out of public view,
    kept for the committee's moderators (a changed text can change what the replies answer)."""

    class Change(models.TextChoices):
        EDITED = "edited", _("edited")
        DELETED = "deleted", _("deleted")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(_("previous text"), max_length=COMMENT_MAX_LENGTH)
    change = models.CharField(_("change"), max_length=8, choices=Change.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("previous version of a comment")
        verbose_name_plural = _("previous versions of comments")
        constraints = [
            models.CheckConstraint(
                condition=Q(change__in=["edited", "deleted"]), name="comment_revision_change_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.comment_id} {self.change} {self.created_at:%Y-%m-%d}"


class CommentFlag(models.Model):
    """A resident's report of a comment: once per person (see proposals/models/reports.py)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # "Something else" for the reports made before a reason was asked for.
    reason = models.CharField(
        _("reason"), max_length=16, choices=ReportReason.choices, default=ReportReason.OTHER
    )
    details = models.CharField(_("details"), max_length=REPORT_DETAILS_MAX_LENGTH, blank=True)
    handled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="comment_flag_once"),
            models.CheckConstraint(
                condition=Q(reason__in=ReportReason.values), name="comment_flag_reason_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} flags {self.comment_id}"
