"""Time-based one-time passwords (RFC 6238, with RFC 4226 HOTP), through pyotp.

Six digits, 30-second steps, HMAC-SHA1: what every authenticator app (Google Authenticator, FreeOTP,
Microsoft Authenticator, 阿里云 / 腾讯身份验证器) reads from an ``otpauth://totp/...`` provisioning URI.
A code is accepted for the current step and one step either side (RFC 6238 section 5.2 allows for clock
drift); :meth:`PyOtpTotp.matching_step` answers *which* step matched, so the caller can refuse a step that
was already used (replay) by remembering the last accepted one.

Secrets are 160 random bits (RFC 4226 section 4 recommends it), base32 as the URI carries them. They are
never stored in the clear: the people service encrypts them with the user's own data key.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1


class PyOtpTotp:
    """New secrets, provisioning URIs and code checks; stateless."""

    __slots__ = ("_issuer",)

    def __init__(self, issuer: str) -> None:
        self._issuer = issuer

    def __repr__(self) -> str:
        return "PyOtpTotp()"

    def new_secret(self) -> str:
        """160 random bits in base32 (32 characters), from the operating system's CSPRNG."""
        return pyotp.random_base32(length=32)

    def provisioning_uri(self, secret: str, account: str) -> str:
        """``otpauth://totp/<issuer>:<account>?secret=...&issuer=...``: shown once, as a QR or text."""
        return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
            name=account, issuer_name=self._issuer
        )

    def code_at(self, secret: str, at: datetime) -> str:
        """The code an authenticator shows at ``at`` (tests and the demo use it)."""
        return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).at(at)

    def matching_step(self, secret: str, code: str, at: datetime) -> int | None:
        """The time step (Unix time // 30) within one step of ``at`` whose code is ``code``, or None.

        Compared in constant time; anything but six ASCII digits never matches.
        """
        if len(code) != DIGITS or not code.isascii() or not code.isdigit():
            return None
        totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
        now_step = totp.timecode(at)
        found = None
        for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
            if hmac.compare_digest(totp.generate_otp(step), code) and found is None:
                found = step
        return found
