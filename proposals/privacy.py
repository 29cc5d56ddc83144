from django.db.models import F

from proposals.models import Comment, ProjectSubscription, Proposal, Support


def export(user) -> dict:
    return {
        "proposals": list(
            Proposal.objects.filter(author=user).values(
                "case_number",
                "title",
                "summary",
                "state",
                "estimated_cost",
                "created_at",
                round=F("budget_round__title"),
            )
        ),
        "comments": list(
            Comment.objects.filter(author=user).values("proposal__title", "body", "created_at")
        ),
        "supports": list(
            Support.objects.filter(user=user).values_list("proposal__title", flat=True)
        ),
        "followed_projects": list(
            ProjectSubscription.objects.filter(user=user).values(
                "created_at", project_title=F("project__proposal__title")
            )
        ),
    }


def erase(user) -> None:
    """Proposals and comments stay, without their author; supports go and counts follow."""
    supported = list(Support.objects.filter(user=user).values_list("proposal_id", flat=True))
    Support.objects.filter(user=user).delete()
    ProjectSubscription.objects.filter(user=user).delete()
    for proposal_id in supported:
        Proposal.objects.filter(pk=proposal_id).update(
            support_count=Support.objects.filter(proposal_id=proposal_id).count()
        )
    Proposal.objects.filter(author=user, state="draft").delete()
