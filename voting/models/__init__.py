from .ballots import Ballot, Channel, Participation, VotingConfig
from .codes import VotingCode
from .identity import AGE_BANDS, VerifiedIdentity
from .results import RoundResult
from .stations import PaperEntry, PollingStation

__all__ = [
    "AGE_BANDS",
    "Ballot",
    "Channel",
    "PaperEntry",
    "Participation",
    "PollingStation",
    "RoundResult",
    "VerifiedIdentity",
    "VotingCode",
    "VotingConfig",
]
