"""FF1 format-preserving encryption (NIST SP 800-38G), with AES from ``cryptography``.

Why FF1 and not FF3-1: NIST's 2025 draft revision of SP 800-38G keeps FF1 and withdraws FF3-1. Why a hand
implementation: ``cryptography`` has no FPE mode; what is written here is only the Feistel structure and
its PRF around the library's AES block cipher, and it is tested against every NIST FF1 sample vector.

Domain size: a Feistel cipher over a small domain can be attacked by enumerating it, so this class refuses
any input whose domain ``radix ** len`` is below 1,000,000 values (the minimum SP 800-38G asks for). Short
fields must be redacted, masked or pseudonymised instead.

The PRF is AES-CBC-MAC with a zero IV. The first block ``P`` depends only on radix and lengths, so its AES
output is computed once per shape; each round then chains the (usually single) block of ``Q`` through one
ECB encryptor, which avoids building a CBC context per round.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from parcelguard.errors import ErrorCode, ValidationError

__all__ = ["DECIMAL", "FF1", "LOWER_ALNUM", "MIN_DOMAIN"]

DECIMAL = "0123456789"
LOWER_ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz"
MIN_DOMAIN = 1_000_000
_ROUNDS = 10
_MAX_RADIX = 1 << 16
_MAX_LENGTH = 4096  # far beyond any field we encrypt; bounds the work one call can ask for
_MAX_TWEAK = 1 << 16


class FF1:
    """FF1 over one alphabet (radix = its length), keyed with a 16, 24 or 32-byte AES key."""

    __slots__ = ("_alphabet", "_index", "_key", "_local", "_p_outputs", "_radix")

    def __init__(self, key: bytes, alphabet: str = DECIMAL) -> None:
        if len(key) not in (16, 24, 32):
            raise ValueError("an FF1 key is 16, 24 or 32 bytes (AES-128, -192 or -256)")
        if not 2 <= len(alphabet) <= _MAX_RADIX or len(set(alphabet)) != len(alphabet):
            raise ValueError("an FF1 alphabet has 2 to 65536 distinct characters")
        self._key = bytes(key)
        self._alphabet = alphabet
        self._radix = len(alphabet)
        self._index = {ch: i for i, ch in enumerate(alphabet)}
        self._local = threading.local()  # one AES context per thread: contexts are not shared safely
        self._p_outputs: dict[tuple[bytes, int, int], int] = {}

    def __repr__(self) -> str:
        return f"FF1(radix={self._radix}, <key hidden>)"

    def __reduce__(self) -> tuple[Any, ...]:
        # Lets a Dask worker rebuild the cipher; the key travels with the task, as any key a worker uses must.
        return (FF1, (self._key, self._alphabet))

    @property
    def radix(self) -> int:
        return self._radix

    def min_length(self) -> int:
        """The shortest input whose domain reaches :data:`MIN_DOMAIN` values."""
        return _min_length(self._radix)

    def encrypt(self, text: str, tweak: bytes = b"") -> str:
        """The ciphertext of ``text``: same length, same alphabet."""
        return self._crypt(text, tweak, decrypt=False)

    def decrypt(self, text: str, tweak: bytes = b"") -> str:
        """The plaintext of ``text``; decrypting with another tweak gives a different (wrong) value."""
        return self._crypt(text, tweak, decrypt=True)

    # -- the algorithm (SP 800-38G, Algorithms 7 and 8) --------------------------------------------------

    def _crypt(self, text: str, tweak: bytes, *, decrypt: bool) -> str:
        n = len(text)
        self._check(n, tweak)
        radix = self._radix
        u, v = n // 2, n - n // 2
        a, b = self._num(text[:u]), self._num(text[u:])
        nbytes, d, head = _shape(radix, n, len(tweak))
        ecb_update = self._block_cipher()
        state, tail = self._constant_prefix(ecb_update, tweak, head, u, n)
        modulus_u, modulus_v = radix**u, radix**v
        rounds = range(_ROUNDS - 1, -1, -1) if decrypt else range(_ROUNDS)
        if len(tail) + 1 + nbytes == 16 and d <= 16:
            # The usual case: Q's variable part is one block. Build it as an integer and keep only y.
            base = int.from_bytes(tail, "big") << (8 * (1 + nbytes))
            round_shift, drop = 8 * nbytes, 8 * (16 - d)
            for i in rounds:
                m_mod = modulus_u if i % 2 == 0 else modulus_v
                block = (base | (i << round_shift) | (a if decrypt else b)) ^ state
                y = int.from_bytes(ecb_update(block.to_bytes(16, "big")), "big") >> drop
                if decrypt:
                    a, b = (b - y) % m_mod, a
                else:
                    a, b = b, (a + y) % m_mod
            return self._str(a, u) + self._str(b, v)
        for i in rounds:
            m_mod = modulus_u if i % 2 == 0 else modulus_v
            source = a if decrypt else b
            q = tail + bytes((i,)) + source.to_bytes(nbytes, "big")
            y = self._prf_output(state, q, d, ecb_update)
            if decrypt:
                a, b = (b - y) % m_mod, a
            else:
                a, b = b, (a + y) % m_mod
        return self._str(a, u) + self._str(b, v)

    def _constant_prefix(
        self, ecb_update: Callable[[bytes], bytes], tweak: bytes, head: bytes, u: int, n: int
    ) -> tuple[int, bytes]:
        """The PRF's CBC state after P and the whole blocks of ``T || 0^pad`` (the same in all ten rounds),
        and the constant bytes left over for the round's last block. Cached per tweak and shape."""
        key = (tweak, u, n)
        cached = self._p_outputs.get(key)
        prefix = tweak + head
        whole = len(prefix) // 16 * 16
        if cached is None:
            cached = _p_block_output(ecb_update, self._radix, u, n, len(tweak))
            for offset in range(0, whole, 16):
                block = int.from_bytes(prefix[offset : offset + 16], "big") ^ cached
                cached = int.from_bytes(ecb_update(block.to_bytes(16, "big")), "big")
            if len(self._p_outputs) < 4096 and len(tweak) <= 256:
                self._p_outputs[key] = cached
        return cached, prefix[whole:]

    def _block_cipher(self) -> Callable[[bytes], bytes]:
        """AES on one 16-byte block. ECB over single blocks is the raw block cipher; the CBC chaining of
        the PRF is done by hand, so one context serves every round."""
        update: Callable[[bytes], bytes] | None = getattr(self._local, "update", None)
        if update is None:
            context = Cipher(algorithms.AES(self._key), modes.ECB()).encryptor()  # noqa: S305 - FF1's PRF
            update = context.update
            self._local.update = update
        return update

    @staticmethod
    def _prf_output(state: int, q: bytes, d: int, ecb_update: Callable[[bytes], bytes]) -> int:
        """y = NUM(S): CBC-MAC of P||Q continued from P's output, then expanded to ``d`` bytes."""
        for offset in range(0, len(q), 16):
            block = int.from_bytes(q[offset : offset + 16], "big") ^ state
            state = int.from_bytes(ecb_update(block.to_bytes(16, "big")), "big")
        r = state.to_bytes(16, "big")
        if d <= 16:
            return int.from_bytes(r[:d], "big")
        s = bytearray(r)
        for j in range(1, (d + 15) // 16):
            s += ecb_update((state ^ j).to_bytes(16, "big"))
        return int.from_bytes(bytes(s[:d]), "big")

    def _check(self, n: int, tweak: bytes) -> None:
        if n > _MAX_LENGTH:
            raise ValidationError(
                f"format-preserving encryption takes at most {_MAX_LENGTH} characters",
                code=ErrorCode.INVALID_REQUEST,
            )
        if n < 2 or self._radix**n < MIN_DOMAIN:
            raise ValidationError(
                f"format-preserving encryption needs a domain of at least {MIN_DOMAIN:,} values "
                f"({self.min_length()} characters of radix {self._radix}); mask or redact short fields",
                code=ErrorCode.FPE_DOMAIN_TOO_SMALL,
            )
        if len(tweak) > _MAX_TWEAK:
            raise ValueError("an FF1 tweak is at most 65536 bytes here")

    def _num(self, text: str) -> int:
        if self._alphabet == DECIMAL and text.isascii() and text.isdigit():
            return int(text)
        if self._alphabet == LOWER_ALNUM and text.isascii() and text.isalnum() and text == text.lower():
            return int(text, 36)
        value = 0
        index = self._index
        for ch in text:
            digit = index.get(ch)
            if digit is None:
                raise ValidationError(
                    "the value holds characters outside the encryption alphabet",
                    code=ErrorCode.INVALID_REQUEST,
                )
            value = value * self._radix + digit
        return value

    def _str(self, value: int, length: int) -> str:
        if self._alphabet == DECIMAL:
            return str(value).zfill(length)
        out = []
        for _ in range(length):
            value, digit = divmod(value, self._radix)
            out.append(self._alphabet[digit])
        return "".join(reversed(out))


@functools.cache
def _min_length(radix: int) -> int:
    length = 2
    while radix**length < MIN_DOMAIN:
        length += 1
    return length


@functools.lru_cache(maxsize=1024)
def _shape(radix: int, n: int, t: int) -> tuple[int, int, bytes]:
    """(b, d, zero padding of Q) for a radix, input length and tweak length: steps 3, 4 and 6.i."""
    v = n - n // 2
    nbytes = ((radix**v - 1).bit_length() + 7) // 8  # b = ceil(ceil(v * log2(radix)) / 8)
    d = 4 * ((nbytes + 3) // 4) + 4
    pad = (-t - nbytes - 1) % 16
    return nbytes, d, bytes(pad)


def _p_block_output(ecb: Callable[[bytes], bytes], radix: int, u: int, n: int, t: int) -> int:
    """AES_K(P): P = [1,2,1] || [radix]^3 || [10] || [u mod 256] || [n]^4 || [t]^4 (step 5)."""
    p = bytes((1, 2, 1)) + radix.to_bytes(3, "big") + bytes((10, u % 256)) + n.to_bytes(4, "big")
    p += t.to_bytes(4, "big")
    return int.from_bytes(ecb(p), "big")
