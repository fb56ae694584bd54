"""Object ids and timestamps: random and real by default, reproducible with a seed.

With a seed, ids come from a hash of (seed, generation, prefix, counter) and timestamps from a
logical clock that starts at a fixed date and advances one second per reading, so replaying the
same requests gives byte-identical objects. ``generation`` counts the starts of a database file,
so a restarted seeded server never reuses an id.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import time

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_LENGTH = 24
SEEDED_EPOCH = 1_735_689_600
"""2025-01-01T00:00:00Z: where a seeded clock starts (plus one day per database generation)."""


def _base62(data: bytes, length: int = _ID_LENGTH) -> str:
    number = int.from_bytes(data, "big")
    chars = []
    for _ in range(length):
        number, rest = divmod(number, 62)
        chars.append(_ALPHABET[rest])
    return "".join(chars)


class IdFactory:
    """Makes ids like ``run_4fT...``: random, or derived from a seed."""

    def __init__(self, seed: int | None = None, generation: int = 1) -> None:
        self._seed = seed
        self._generation = generation
        self._counters: dict[str, itertools.count[int]] = {}

    def new(self, prefix: str) -> str:
        """A fresh id; ``prefix`` ends with its separator (``"run_"``, ``"file-"``)."""
        if self._seed is None:
            return prefix + _base62(secrets.token_bytes(18))
        counter = self._counters.setdefault(prefix, itertools.count())
        material = f"{self._seed}:{self._generation}:{prefix}:{next(counter)}".encode()
        return prefix + _base62(hashlib.blake2b(material, digest_size=18).digest())


class Clock:
    """Unix seconds for the wire's timestamps: real time, or a seeded logical clock."""

    def __init__(self, seed: int | None = None, generation: int = 1) -> None:
        self._logical = seed is not None
        self._next = SEEDED_EPOCH + (generation - 1) * 86_400

    @property
    def logical(self) -> bool:
        return self._logical

    def now(self) -> int:
        if not self._logical:
            return int(time.time())
        value = self._next
        self._next += 1
        return value


def new_api_key() -> str:
    """A random key for ``Authorization: Bearer``, printed once at start."""
    return "rw-" + secrets.token_urlsafe(24)
