"""E-mails to authors and followers, queued after the change committed (notices), each
rendered in the recipient's own language when it is sent."""

import hashlib
import json
import logging

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

from notices.kinds import Kind
from notices.services import context_freeze, notice_send
from proposals.following.selectors import followers_of
from proposals.models import (
    Comment,
    GrantApplication,
    ProjectSubscription,
    ProjectUpdate,
    Proposal,
    StatusChange,
    TrackedProject,
)

logger = logging.getLogger(__name__)


def _site_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def _send(*, user, template: str, context: dict, key: str = "", kind: str = Kind.ACCOUNT) -> None:
    """Queue one message (`notices.services.notice_send`); a failed send is retried there.

    Without a key the message is named by its template and content, so the same news told
    twice (a retried request, a repeated callback) is one message.
    """
    if not key:
        content = json.dumps(context_freeze(context), sort_keys=True).encode()
        key = f"{template}:{hashlib.sha256(content).hexdigest()[:24]}"
    notice_send(
        user=user, key=key, template=f"proposals/email/{template}", context=context, kind=kind
    )


def send_receipt(*, proposal_id: int) -> None:
    proposal = Proposal.objects.select_related("author", "budget_round__committee").get(
        pk=proposal_id
    )
    _send(user=proposal.author, template="receipt", context={"proposal": proposal})


def send_state_change(*, proposal_id: int, reason: str = "") -> None:
    """Tell the author, and everyone following the proposal, of its new state."""
    proposal = Proposal.objects.select_related("author", "budget_round__committee").get(
        pk=proposal_id
    )
    _send(
        user=proposal.author,
        template="state_change",
        context={"proposal": proposal, "reason": reason, "state": proposal.state},
    )
    if proposal.hidden:
        return  # a hidden proposal's news is its author's only
    # The move this call tells of: the latest with its reason (two moves in one transaction
    # call this twice after the commit, each with its own reason); each move is told once.
    change = (
        StatusChange.objects.filter(proposal=proposal, public_reason=reason.strip())
        .order_by("-pk")
        .first()
    )
    if change is None:
        return
    for follower in followers_of(proposal=proposal).iterator():
        _send(
            user=follower,
            template="followed_state_change",
            context={"proposal": proposal, "change": change, "reason": reason},
            key=f"proposal-follow:{proposal.pk}:{change.pk}",
            kind=Kind.FOLLOWING,
        )


def send_merged(*, survivor_id: int, duplicate_id: int, reason: str) -> None:
    proposals = Proposal.objects.select_related("author", "budget_round__committee").in_bulk(
        [survivor_id, duplicate_id]
    )
    survivor, duplicate = proposals[survivor_id], proposals[duplicate_id]
    authors = {p.author for p in (survivor, duplicate) if p.author}
    for author in authors:
        _send(
            user=author,
            template="merged",
            context={"survivor": survivor, "duplicate": duplicate, "reason": reason},
        )


def send_moderated(*, kind: str, object_id: int, action: str, reason: str) -> None:
    """Tell the author that a moderator hid or restored their proposal or comment, with the
    public reason; never who reported it."""
    if kind == "comment":
        comment = Comment.objects.select_related("author", "proposal").get(pk=object_id)
        author, proposal = comment.author, comment.proposal
    else:
        proposal = Proposal.objects.select_related("author").get(pk=object_id)
        author, comment = proposal.author, None
    _send(
        user=author,
        template="moderated",
        context={
            "proposal": proposal,
            "comment": comment,
            "hidden": action == "hidden",
            "reason": reason,
        },
    )


UNSUBSCRIBE_SALT = "proposals.project-unsubscribe"


def unsubscribe_token(*, subscription) -> str:
    return signing.dumps(
        {"s": subscription.pk, "u": subscription.user_id}, salt=UNSUBSCRIBE_SALT, compress=True
    )


def send_project_news(*, project_id: int, update_id: int | None = None) -> None:
    """Tell everyone following a project about a new update or a new status."""
    project = TrackedProject.objects.select_related("proposal__budget_round__committee").get(
        pk=project_id
    )
    update = ProjectUpdate.objects.filter(pk=update_id, project=project).first()
    subscriptions = ProjectSubscription.objects.filter(project=project).select_related("user")
    for subscription in subscriptions.iterator():
        language = subscription.user.preferred_language or settings.LANGUAGE_CODE
        with translation.override(language):
            unsubscribe = reverse(
                "tracking:unsubscribe", args=[unsubscribe_token(subscription=subscription)]
            )
            page = reverse("tracking:detail", args=[project.pk])
        _send(
            user=subscription.user,
            template="project_news",
            context={
                "project": project,
                "update": update,
                "status": project.status,
                "page_url": page,
                "unsubscribe_url": unsubscribe,
            },
            kind=Kind.FOLLOWING,
        )


def send_grant_step(*, application_id: int, step: str) -> None:
    """Tell the applicant what happened to their grant application, with its case number."""
    application = GrantApplication.objects.select_related(
        "proposal__author",
        "proposal__budget_round__committee",
        "deadline__meeting",
        "agenda_item__meeting",
    ).get(pk=application_id)
    _send(
        user=application.proposal.author,
        template="grant_step",
        context={"application": application, "proposal": application.proposal, "step": step},
    )
