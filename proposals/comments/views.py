"""A proposal's discussion: writing, answering, editing and deleting one's own comments.

Views hold no domain logic: the rules (one level of answers, who may change what, the marks a
change leaves) are in proposals/services.py. Someone else's comment, or one that does not exist,
is a 404 to the edit and delete pages alike, so they do not tell which comments exist.
"""

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontend.forms import add_service_errors
from proposals import services
from proposals.comments.forms import CommentEditForm, CommentForm
from proposals.models import Comment, Proposal
from proposals.permissions import can_view, may_change_comment


def _thread_url(comment: Comment) -> str:
    return reverse("proposals:detail", args=[comment.proposal_id]) + f"#comment-{comment.pk}"


def _errors(exc) -> str:
    return " ".join(getattr(exc, "messages", [str(exc)]))


@login_required
@require_POST
def comment_create(request, pk: int):
    if limited := ratelimit.consume_or_429(request, action="comment"):
        return limited
    proposal = get_object_or_404(Proposal.objects.select_related("budget_round"), pk=pk)
    if not can_view(request.user, proposal):
        raise Http404
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(reverse("proposals:detail", args=[pk]) + "#comments")
    reply_to = None
    if form.cleaned_data.get("reply_to"):
        reply_to = Comment.objects.filter(
            pk=form.cleaned_data["reply_to"], proposal=proposal
        ).first()
        if reply_to is None:
            messages.error(request, _("The comment you answered was not found."))
            return redirect(reverse("proposals:detail", args=[pk]) + "#comments")
    try:
        comment = services.comment_add(
            author=request.user,
            proposal=proposal,
            body=form.cleaned_data["body"],
            reply_to=reply_to,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
        return redirect(reverse("proposals:detail", args=[pk]) + "#comments")
    if reply_to is not None:
        messages.success(request, _("Your answer was published."))
    else:
        messages.success(request, _("Your comment was published."))
    return redirect(_thread_url(comment))


def _own_comment(request, pk: int) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("proposal__budget_round"), pk=pk)
    if not may_change_comment(request.user, comment):
        raise Http404
    return comment


@login_required
def comment_edit(request, pk: int):
    comment = _own_comment(request, pk)
    if comment.is_deleted or comment.hidden:
        messages.info(
            request,
            _("A deleted comment cannot be edited.")
            if comment.is_deleted
            else _("A comment hidden by a moderator cannot be edited."),
        )
        return redirect(_thread_url(comment))
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(
                author=request.user, comment=comment, body=form.cleaned_data["body"]
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your comment was changed. It is marked as edited."))
            return redirect(_thread_url(comment))
    return TemplateResponse(
        request,
        "proposals/comments/comment_edit.html",
        {"comment": comment, "proposal": comment.proposal, "form": form},
    )


@login_required
def comment_delete(request, pk: int):
    """A page that says what deleting does, and the button that does it."""
    comment = _own_comment(request, pk)
    if comment.is_deleted:
        messages.info(request, _("The comment is already deleted."))
        return redirect(_thread_url(comment))
    if request.method == "POST":
        try:
            services.comment_delete(author=request.user, comment=comment)
        except PermissionDenied:
            raise Http404 from None
        messages.success(request, _("Your comment was deleted."))
        return redirect(_thread_url(comment))
    return TemplateResponse(
        request,
        "proposals/comments/comment_delete.html",
        {"comment": comment, "proposal": comment.proposal},
    )
