from .comments import Comment, CommentFlag
from .grants import (
    DECIDED_STAGES,
    GRANTED_STAGES,
    GrantApplication,
    GrantBudgetLine,
    GrantReceipt,
    GrantStage,
    LineKind,
    Recommendation,
)
from .proposals import (
    Proposal,
    ProposalAttachment,
    ProposalImage,
    State,
    StatusChange,
    SubmitterKind,
)
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
    "DECIDED_STAGES",
    "GRANTED_STAGES",
    "GrantApplication",
    "GrantBudgetLine",
    "GrantReceipt",
    "GrantStage",
    "LineKind",
    "Recommendation",
    "Comment",
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
    "ProposalImage",
    "Review",
    "State",
    "StatusChange",
    "SubmitterKind",
    "Support",
]
