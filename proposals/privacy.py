from django.db.models import F

from proposals.models import (
    AssistedEntry,
    AssistedSupport,
    Comment,
    CommentRevision,
    GrantApplication,
    ProjectSubscription,
    Proposal,
    ProposalFollow,
    SubmitterKind,
    Support,
)


def _desk_entries(user):
    """Ideas a desk entered for this person: those whose contact is the account's address."""
    return (
        AssistedEntry.objects.filter(resident_contact__iexact=user.email)
        if user.email
        else (AssistedEntry.objects.none())
    )


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
            Comment.objects.filter(author=user).values(
                "proposal__title", "body", "created_at", "edited_at", "deleted_at"
            )
        ),
        # The text of one's comments before an edit or a deletion, kept for the moderators.
        "comment_revisions": list(
            CommentRevision.objects.filter(comment__author=user).values(
                "comment__proposal__title", "body", "change", "created_at"
            )
        ),
        "supports": list(
            Support.objects.filter(user=user).values_list("proposal__title", flat=True)
        ),
        "followed_projects": list(
            ProjectSubscription.objects.filter(user=user).values(
                "created_at", project_title=F("project__proposal__title")
            )
        ),
        "followed_proposals": list(
            ProposalFollow.objects.filter(user=user).values(
                "created_at", "proposal__case_number", "proposal__title"
            )
        ),
        # What a library or citizen service desk recorded for the person (proposals/intake/):
        # supports tied to the account, ideas with the account's address as the contact.
        "entered_at_a_desk": {
            "supports": list(
                AssistedSupport.objects.filter(account=user).values(
                    "proposal__case_number",
                    "proposal__title",
                    "resident_name",
                    "resident_address",
                    "place",
                    "created_at",
                )
            ),
            "proposals": list(
                _desk_entries(user).values(
                    "proposal__case_number",
                    "proposal__title",
                    "channel",
                    "resident_name",
                    "resident_address",
                    "resident_contact",
                    "place",
                    "created_at",
                )
            ),
        },
        "grant_applications": list(
            GrantApplication.objects.filter(proposal__author=user).values(
                "proposal__case_number",
                "proposal__title",
                "stage",
                "applicant_name",
                "contact_name",
                "contact_email",
                "contact_phone",
                "amount_applied",
                "granted_amount",
                "payout_amount",
            )
        ),
    }


def erase(user) -> None:
    """Proposals and comments stay, without their author; supports go and counts follow."""
    supported = list(Support.objects.filter(user=user).values_list("proposal_id", flat=True))
    Support.objects.filter(user=user).delete()
    # A desk's support tied to the account goes like an online one; a desk's idea stays, as
    # every proposal does, without what was recorded of the resident.
    desk = AssistedSupport.objects.filter(account=user)
    supported += list(desk.values_list("proposal_id", flat=True))
    desk.delete()
    _desk_entries(user).update(resident_name="", resident_address="", resident_contact="")
    ProjectSubscription.objects.filter(user=user).delete()
    ProposalFollow.objects.filter(user=user).delete()
    for proposal_id in supported:
        Proposal.objects.filter(pk=proposal_id).update(
            support_count=Support.objects.filter(proposal_id=proposal_id).count()
            + AssistedSupport.objects.filter(proposal_id=proposal_id).count()
        )
    # Grant applications stay part of the public record (the applying association, amounts,
    # decisions); the contact person's details go, and a resident's own name as applicant.
    # Drafts go with their proposal.
    applications = GrantApplication.objects.filter(proposal__author=user)
    applications.update(contact_name="", contact_email="", contact_phone="")
    applications.filter(proposal__submitter_kind=SubmitterKind.RESIDENT).update(applicant_name="")
    Proposal.objects.filter(author=user).update(contact_person="")
    Proposal.objects.filter(author=user, state="draft").delete()
