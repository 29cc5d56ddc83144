"""The proposals app's part of "Mit borgerbudget" (committees/accounts/mine.py): the person's
drafts and proposals with their state, what they support, the proposals and funded projects they
follow and their grant applications. Reads only; every list is the person's own."""

from committees.accounts.mine import Section
from proposals import selectors
from proposals.following.selectors import followed_proposals_of
from proposals.grants.selectors import grant_applications_of
from proposals.models import State


def section(*, user) -> Section:
    own = list(selectors.proposals_of(user=user).filter(grant__isnull=True))
    return Section(
        template="proposals/mine/section.html",
        context={
            "drafts": [p for p in own if p.state == State.DRAFT],
            "proposals": [p for p in own if p.state != State.DRAFT],
            "supports": list(selectors.supports_of(user=user)),
            "followed": list(followed_proposals_of(user=user)),
            "projects": list(selectors.followed_projects_of(user=user)),
            "grants": list(grant_applications_of(user=user)),
        },
    )
