"""EMAIL: addresses as shops and mail providers issue them (QQ numbers, pinyin, first.last).

The pattern is the pragmatic one of :class:`parcelguard.domain.pii.Email`; the local part may touch Chinese
text directly (邮箱zhangsan@qq.com), which is why the left boundary is "not an address character" rather
than a word boundary.
"""

from __future__ import annotations

import re

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid.entity import EntityType

__all__ = ["find_emails"]

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9\-])",
)


def find_emails(text: str) -> list[Candidate]:
    """Every e-mail address in normalised text."""
    if "@" not in text:
        return []
    return [Candidate(m.start(), m.end(), EntityType.EMAIL, 0.97, "email") for m in _EMAIL.finditer(text)]
