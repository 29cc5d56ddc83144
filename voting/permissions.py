"""Who may do what in the voting app: every predicate in one place.

Services call these and refuse with their own message; views, the admin and consumers call
the same predicates to decide what to show. Site admins (superusers) may do everything staff
may. Every predicate starts from `committees.permissions.is_signed_in` (signed in, account
active), itself or through `is_moderator_of` and `committee_ids_for`, which start from it; what
a resident may do needs only that (follow a round, vote online once their identity is verified).

| predicate                 | who                                                          |
|---------------------------|--------------------------------------------------------------|
| `can_moderate_round`      | the round's committee's moderators: voting settings, result  |
| `can_staff_round`         | its polling staff and moderators: stations, paper, codes     |
| `serves_voting`           | moderators or polling staff of any committee: the overview   |
| `may_download_round_data` | its moderators and reviewers: the CSV and Excel exports      |
| `is_meeting_host`         | the meeting's committee's hosts: live controls               |

Hosts and polling staff run meetings and stations; they do not need the exports. The anonymised
ballot file (.pb) is public once results are published and needs no permission.
"""

from committees.models import BudgetRound, CommitteeRole, Meeting
from committees.permissions import committee_ids_for, is_moderator_of, is_signed_in

EXPORT_ROLES = (CommitteeRole.Role.MODERATOR, CommitteeRole.Role.REVIEWER)


def can_moderate_round(user, budget_round: BudgetRound) -> bool:
    return is_moderator_of(user, budget_round.committee_id)


def staff_committee_ids(user) -> set[int]:
    """The committees whose rounds this person serves as moderator or polling staff."""
    return committee_ids_for(user) | committee_ids_for(user, CommitteeRole.Role.POLLING_STAFF)


def can_staff_round(user, budget_round: BudgetRound) -> bool:
    """Polling staff and moderators of the round's committee, and site admins."""
    if is_moderator_of(user, budget_round.committee_id):
        return True
    return budget_round.committee_id in committee_ids_for(user, CommitteeRole.Role.POLLING_STAFF)


def serves_voting(user) -> bool:
    """Site admins, and moderators or polling staff of any committee: the voting overview."""
    if not is_signed_in(user):
        return False
    return user.is_superuser or bool(staff_committee_ids(user))


def may_download_round_data(user, budget_round: BudgetRound) -> bool:
    if not is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    return any(budget_round.committee_id in committee_ids_for(user, role) for role in EXPORT_ROLES)


def is_meeting_host(user, meeting: Meeting) -> bool:
    if not is_signed_in(user):
        return False
    return user.is_superuser or meeting.committee_id in committee_ids_for(
        user, CommitteeRole.Role.HOST
    )
