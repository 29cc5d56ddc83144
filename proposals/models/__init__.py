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

__all__ = [
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
