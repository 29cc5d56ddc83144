from .comments import Comment, CommentFlag
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
