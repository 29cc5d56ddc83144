"""Who may download a round's working data (proposals, results, turnout as CSV and Excel).

The committee's moderators and administration reviewers of that committee, and site admins.
Hosts and polling staff run meetings and stations; they do not need the exports. The anonymised
ballot file (.pb) is public once results are published and needs no permission.
"""

from committees.models import BudgetRound, CommitteeRole
from committees.permissions import committee_ids_for

EXPORT_ROLES = (CommitteeRole.Role.MODERATOR, CommitteeRole.Role.REVIEWER)


def may_download_round_data(user, budget_round: BudgetRound) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return any(budget_round.committee_id in committee_ids_for(user, role) for role in EXPORT_ROLES)
