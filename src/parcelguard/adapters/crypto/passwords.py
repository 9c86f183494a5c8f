"""Password hashing with argon2id (RFC 9106), through argon2-cffi.

Why argon2id: memory-hard, so a stolen ``app_user`` table costs an attacker memory as well as time per
guess; RFC 9106 recommends the id variant. The parameters are argon2-cffi's defaults (its RFC 9106 "low
memory" profile: t=3, m=64 MiB, p=4), stored inside each PHC string (``$argon2id$v=19$m=65536,t=3,p=4$...``)
so they can be raised later: :meth:`Argon2Passwords.needs_rehash` tells the sign-in service to rehash a
password made with older ones.

A sign-in for a username that does not exist still runs one verification against a fixed hash
(:meth:`Argon2Passwords.verify_nothing`), so the answer takes as long as for a real account and does not
tell which usernames exist.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2Passwords:
    """Hashes and checks passwords; nothing here keeps or logs a password."""

    __slots__ = ("_dummy", "_hasher")

    def __init__(self, *, time_cost: int = 3, memory_kib: int = 65536, parallelism: int = 4) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        self._dummy: str | None = None  # made on first use: a hash costs ~0.15 s, and most runs need none

    def __repr__(self) -> str:
        return "Argon2Passwords()"

    def hash(self, password: str) -> str:
        """A PHC string with a fresh random salt."""
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """Whether ``password`` is the one ``stored_hash`` was made from; a malformed hash never matches."""
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def verify_nothing(self, password: str) -> None:
        """Spend what one verification costs, for a username that does not exist (timing parity)."""
        if self._dummy is None:
            self._dummy = self._hasher.hash("parcelguard: no such user")
        self.verify(self._dummy, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether the hash was made with other parameters than this hasher's (rehash on next sign-in)."""
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True
