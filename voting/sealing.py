"""Sealing a ballot while it waits in the mixing buffer, with a key that is not in the database.

A buffered ballot (`PendingBallot`) is written in its voter's transaction, so the database's
own columns (PostgreSQL's `xmin`, SQLite's row order) tie it to the voter's participation until
the buffer writes it out in a shuffled batch. What it holds must therefore be unreadable from
the database alone: selection, receipt, channel, station, day and owner tag are sealed with
AES-256-GCM under `keys.seal_key()` (BALLOT_SEAL_KEY, or derived from SECRET_KEY), the round's
id bound in as associated data so that a sealed ballot cannot be moved to another round.

Every sealed ballot has the same length (padded to `BLOCK` bytes, or a multiple for a very long
ranking), so that its size does not tell a short ballot from a long one. A sealed ballot that
does not open (the key changed while ballots were buffered) raises `SealBroken`: never dropped
in silence. Rotate the key only with an empty buffer (`manage.py ballots_flush`).
"""

import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from voting import keys

BLOCK = 2048
NONCE = 12


class SealBroken(RuntimeError):
    """A buffered ballot does not open with the current key: it was sealed with another."""


def seal(*, round_id: int, ballot: dict) -> bytes:
    plain = json.dumps(ballot, separators=(",", ":"), sort_keys=True).encode()
    # JSON ignores trailing spaces: pad to a whole number of blocks.
    plain += b" " * (-len(plain) % BLOCK)
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(keys.seal_key()).encrypt(nonce, plain, str(round_id).encode())


def unseal(*, round_id: int, sealed: bytes) -> dict:
    sealed = bytes(sealed)
    try:
        plain = AESGCM(keys.seal_key()).decrypt(
            sealed[:NONCE], sealed[NONCE:], str(round_id).encode()
        )
    except InvalidTag as exc:
        raise SealBroken(
            f"a buffered ballot of round {round_id} does not open with BALLOT_SEAL_KEY: "
            "restore the key it was sealed with, then run manage.py ballots_flush"
        ) from exc
    return json.loads(plain)
