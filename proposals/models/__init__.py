from .comments import COMMENT_MAX_LENGTH, Comment, CommentFlag, CommentRevision
from .following import ProposalFollow
from .grants import (
    DECIDED_STAGES,
    GRANTED_STAGES,
    GrantApplication,
    GrantBudgetLine,
    GrantReceipt,
    LineKind,
    Recommendation,
)
from .intake import AssistedEntry, AssistedSupport, IntakeChannel
from .proposals import (
    GrantStage,
    Proposal,
    ProposalAttachment,
    ProposalImage,
    State,
    StatusChange,
    SubmitterKind,
)
from .reports import REPORT_DETAILS_MAX_LENGTH, ProposalReport, ReportReason
from .reviews import Review
from .supports import Support
from .tracking import (
    EffectGoal,
    EffectMeasurement,
    ProjectSubscription,
    ProjectUpdate,
    ProjectUpdatePhoto,
    TrackedProject,
    TrackingStatus,
)

__all__ = [
    "AssistedEntry",
    "AssistedSupport",
    "IntakeChannel",
    "DECIDED_STAGES",
    "GRANTED_STAGES",
    "GrantApplication",
    "GrantBudgetLine",
    "GrantReceipt",
    "GrantStage",
    "LineKind",
    "Recommendation",
    "COMMENT_MAX_LENGTH",
    "Comment",
    "CommentRevision",
    "EffectGoal",
    "EffectMeasurement",
    "ProjectSubscription",
    "ProjectUpdate",
    "ProjectUpdatePhoto",
    "TrackedProject",
    "TrackingStatus",
    "CommentFlag",
    "Proposal",
    "ProposalAttachment",
    "ProposalFollow",
    "ProposalImage",
    "REPORT_DETAILS_MAX_LENGTH",
    "ProposalReport",
    "ReportReason",
    "Review",
    "State",
    "StatusChange",
    "SubmitterKind",
    "Support",
]
