from .ballots import Ballot, Channel, Participation, VotingConfig
from .codes import VotingCode
from .follows import RoundFollow
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
    "RoundFollow",
    "RoundResult",
    "VerifiedIdentity",
    "VotingCode",
    "VotingConfig",
]
