"""One way to build the validation errors of this package, so no message can carry the rejected value."""

from __future__ import annotations

import re

from parcelguard.errors import ErrorCode, ValidationError

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINE_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def invalid(code: ErrorCode, field: str, reason: str) -> ValidationError:
    """A ValidationError naming the field and the reason; callers pass fixed text, never input."""
    return ValidationError(f"{field}: {reason}", code=code, field=field)


def has_control_chars(s: str, *, allow_line_breaks: bool = False) -> bool:
    """True when ``s`` holds a C0/C1 control character; tabs and line breaks only count if not allowed."""
    pattern = _CONTROL_BUT_LINE_BREAKS if allow_line_breaks else _CONTROL
    return pattern.search(s) is not None
