"""Reads of the moderation queue: what residents reported, counted per person, never named.

The queue shows, per reported proposal or comment, how many people reported it and for which
reasons; the reporters themselves stay out of every row, so no screen can leak who reported.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q

from proposals.models import Comment, CommentFlag, Proposal, ProposalReport, ReportReason


@dataclass
class QueueItem:
    kind: str  # "proposal" or "comment"
    proposal: Proposal
    comment: Comment | None
    reports: int
    reasons: list[tuple[str, int]] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


def _reasons(rows) -> list[tuple[str, int]]:
    labels = dict(ReportReason.choices)
    counter = Counter()
    for reason, n in rows:
        counter[str(labels.get(reason, reason))] += n
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def moderation_queue(*, committee_ids: set[int] | None) -> list[QueueItem]:
    """The proposals and comments with open reports, of the given committees (None: all),
    the most reported first."""
    in_scope = Q() if committee_ids is None else Q(budget_round__committee_id__in=committee_ids)
    proposals = (
        Proposal.objects.filter(in_scope)
        .annotate(open_reports=Count("reports", filter=Q(reports__handled=False)))
        .filter(open_reports__gt=0)
        .select_related("budget_round__committee")
    )
    comment_scope = (
        Q() if committee_ids is None else Q(proposal__budget_round__committee_id__in=committee_ids)
    )
    comments = (
        Comment.objects.filter(comment_scope)
        .annotate(open_reports=Count("flags", filter=Q(flags__handled=False)))
        .filter(open_reports__gt=0)
        .select_related("proposal__budget_round__committee", "author")
    )
    proposal_reasons: dict[int, list] = {}
    for proposal_id, reason, n in (
        ProposalReport.objects.filter(handled=False, proposal__in=[p.pk for p in proposals])
        .values_list("proposal_id", "reason")
        .annotate(n=Count("id"))
        .order_by()
    ):
        proposal_reasons.setdefault(proposal_id, []).append((reason, n))
    comment_reasons: dict[int, list] = {}
    for comment_id, reason, n in (
        CommentFlag.objects.filter(handled=False, comment__in=[c.pk for c in comments])
        .values_list("comment_id", "reason")
        .annotate(n=Count("id"))
        .order_by()
    ):
        comment_reasons.setdefault(comment_id, []).append((reason, n))
    items = [
        QueueItem("proposal", p, None, p.open_reports, _reasons(proposal_reasons.get(p.pk, [])))
        for p in proposals
    ] + [
        QueueItem("comment", c.proposal, c, c.open_reports, _reasons(comment_reasons.get(c.pk, [])))
        for c in comments
    ]
    return sorted(items, key=lambda item: (-item.reports, item.kind, item.proposal.pk))


def report_details(*, proposal: Proposal, comment: Comment | None = None) -> list[str]:
    """What the reporters wrote, without who wrote it, for the moderator's decision."""
    if comment is not None:
        rows = CommentFlag.objects.filter(comment=comment, handled=False)
    else:
        rows = ProposalReport.objects.filter(proposal=proposal, handled=False)
    return list(rows.exclude(details="").order_by("created_at").values_list("details", flat=True))


def open_report_reasons(*, proposal: Proposal, comment: Comment | None = None):
    if comment is not None:
        rows = CommentFlag.objects.filter(comment=comment, handled=False)
    else:
        rows = ProposalReport.objects.filter(proposal=proposal, handled=False)
    return _reasons(rows.values_list("reason").annotate(n=Count("id")).order_by())
