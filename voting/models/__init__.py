from .ballot_list import BallotEntry, BallotList
from .ballots import Ballot, Channel, Participation, VotingConfig
from .codes import VotingCode
from .follows import RoundFollow
from .identity import AGE_BANDS, VerifiedIdentity
from .live import MeetingLive, QuickVote, QuickVoteAnswer, QuickVoteCode
from .results import RoundResult
from .roll import RollEntry
from .stations import PaperEntry, PollingStation

__all__ = [
    "AGE_BANDS",
    "Ballot",
    "BallotEntry",
    "BallotList",
    "Channel",
    "MeetingLive",
    "PaperEntry",
    "Participation",
    "PollingStation",
    "QuickVote",
    "QuickVoteAnswer",
    "QuickVoteCode",
    "RollEntry",
    "RoundFollow",
    "RoundResult",
    "VerifiedIdentity",
    "VotingCode",
    "VotingConfig",
]
