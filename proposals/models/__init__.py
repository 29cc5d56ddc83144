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
