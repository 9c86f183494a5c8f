"""A deliberately naive regex detector, used only while ``parcelguard.domain.deid.Detector`` does not import.

It lets the corpus, scorer and benchmark be developed and checked end to end before the real detector
exists; its figures mean nothing about ParcelGuard and the benchmark says so loudly when it is in use.
"""

from __future__ import annotations

import re
from typing import Any

_PATTERNS = (
    ("EMAIL", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    ("CN_ID", re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])")),
    ("BANK_CARD", re.compile(r"(?<!\d)(?:62|4|5[1-5])\d{14,17}(?!\d)")),
    ("PHONE", re.compile(r"(?<![\dA-Za-z])(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")),
    ("PHONE", re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")),
    ("PASSPORT", re.compile(r"(?<![A-Za-z0-9])[EG][A-Z]?\d{7,8}(?![A-Za-z0-9])")),
    (
        "LICENSE_PLATE",
        re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z]·?[A-Z0-9]{5,6}"),
    ),
    ("IP", re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")),
)


class StandInDetector:
    """Same call shape as the real Detector, but returns plain dicts."""

    def detect(self, text: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        taken = [False] * len(text)
        for etype, pattern in _PATTERNS:
            for m in pattern.finditer(text):
                if any(taken[m.start() : m.end()]):
                    continue
                taken[m.start() : m.end()] = [True] * (m.end() - m.start())
                found.append({"type": etype, "start": m.start(), "end": m.end()})
        return found
