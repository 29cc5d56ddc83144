from .areas import Address, Area, Committee, CommitteeRole, District
from .audit import AuditEntry
from .grants import ApplicationDeadline
from .meetings import AgendaItem, Meeting, MeetingAttachment, MinutesEntry, VenueKind
from .pages import CommitteeMember, CommitteePage, HomePage, NewsPage
from .rounds import (
    FIELDS_FROZEN_AT_CONFIRMATION,
    FIELDS_FROZEN_AT_VOTING,
    PHASE_FIELDS,
    BallotStyle,
    BudgetRound,
    DecisionMethod,
    Phase,
    RoundCategory,
    RoundChecklistItem,
    TallyRule,
)
from .users import User

__all__ = [
    "FIELDS_FROZEN_AT_CONFIRMATION",
    "FIELDS_FROZEN_AT_VOTING",
    "PHASE_FIELDS",
    "Address",
    "AgendaItem",
    "MinutesEntry",
    "ApplicationDeadline",
    "Area",
    "AuditEntry",
    "BallotStyle",
    "BudgetRound",
    "Committee",
    "CommitteeMember",
    "CommitteePage",
    "CommitteeRole",
    "DecisionMethod",
    "District",
    "HomePage",
    "Meeting",
    "MeetingAttachment",
    "NewsPage",
    "Phase",
    "RoundCategory",
    "RoundChecklistItem",
    "TallyRule",
    "User",
    "VenueKind",
]
