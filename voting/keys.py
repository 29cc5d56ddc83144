"""The keys that keep who-voted apart from what-was-voted. They live in settings, never in the DB.

BALLOT_VOTER_KEY turns a person's identity into the voter key of `Participation`;
BALLOT_OWNER_KEY turns that voter key into the `owner_tag` of a replaceable `Ballot`;
BALLOT_SEAL_KEY seals a ballot while it waits in the mixing buffer (`voting.sealing`). All
default to keys derived from SECRET_KEY; production may set them separately.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _key(name: str) -> bytes:
    explicit = {
        "BALLOT_VOTER_KEY": settings.BALLOT_VOTER_KEY,
        "BALLOT_OWNER_KEY": settings.BALLOT_OWNER_KEY,
        "BALLOT_SEAL_KEY": settings.BALLOT_SEAL_KEY,
    }[name]
    if explicit:
        return explicit.encode()
    return hashlib.sha256(f"{name}:{settings.SECRET_KEY}".encode()).digest()


def _hmac(name: str, message: str) -> str:
    return hmac.new(_key(name), message.encode(), hashlib.sha256).hexdigest()


def voter_key(*, round_id: int, person: str) -> str:
    """The same person gets the same key in a round whatever the channel; other rounds differ."""
    return _hmac("BALLOT_VOTER_KEY", f"{round_id}:{person}")


def owner_tag(*, voter_key: str) -> str:
    return _hmac("BALLOT_OWNER_KEY", voter_key)


def seal_key() -> bytes:
    """32 bytes for AES-256-GCM, whatever the length of the configured key."""
    return hashlib.sha256(b"seal:" + _key("BALLOT_SEAL_KEY")).digest()


def person_key(*, national_id: str) -> str:
    """A keyed hash of the national identity number, computed and forgotten at verification."""
    digits = "".join(ch for ch in national_id if ch.isdigit())
    return _hmac("BALLOT_VOTER_KEY", f"person:{digits}")


def code_hash(code: str) -> str:
    return _hmac("BALLOT_VOTER_KEY", f"code:{normalise_code(code)}")


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def new_code() -> str:
    """Twelve characters from a 32-letter alphabet: 60 bits of randomness, shown in groups."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def new_receipt() -> str:
    """Ten characters, 50 bits: a voter finds their ballot in the published file by it."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))


def quick_vote_key(*, quick_vote_id: int, person: str) -> str:
    """Who answered a quick vote, as a keyed hash: an account, a code or a device token."""
    return _hmac("BALLOT_VOTER_KEY", f"quick:{quick_vote_id}:{person}")


def new_device_token() -> str:
    return secrets.token_urlsafe(24)


def subject_person_key(*, provider: str, subject: str) -> str:
    """The person key of someone whose broker sent no CPR number: their pseudonymous subject at
    that broker. It links their online ballots only, not a letter code or a station check-in."""
    return _hmac("BALLOT_VOTER_KEY", f"subject:{provider}:{subject}")
