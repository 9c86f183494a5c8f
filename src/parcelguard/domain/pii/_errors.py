"""One way to build the validation errors of this package, so no message can carry the rejected value."""

from __future__ import annotations

from parcelguard.errors import ErrorCode, ValidationError


def invalid(code: ErrorCode, field: str, reason: str) -> ValidationError:
    """A ValidationError naming the field and the reason; callers pass fixed text, never input."""
    return ValidationError(f"{field}: {reason}", code=code, field=field)


def has_control_chars(s: str) -> bool:
    """True when ``s`` holds a C0/C1 control character (tabs and newlines included)."""
    return any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in s)
