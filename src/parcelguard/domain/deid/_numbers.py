"""Runs of digits long enough to hold an ID or card number: where the expensive patterns need to look.

Delivery texts are full of short numbers (times, amounts, counts), and a pattern such as "18 digits with
optional separators" is tried at every digit by ``re``. Finding the long runs first with one cheap
character-class pattern and searching only inside them keeps the number recognizers fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from parcelguard.domain.deid._candidate import Candidate

__all__ = ["scan_long_runs"]

_RUN = re.compile(r"[0-9][0-9 \-]*[0-9Xx]")


@lru_cache(maxsize=4)
def _runs(text: str) -> tuple[tuple[int, int], ...]:
    """Digit runs of ``text``; cached because the ID and card recognizers ask about the same text."""
    return tuple([run.span() for run in _RUN.finditer(text)])


def scan_long_runs(
    pattern: re.Pattern[str],
    text: str,
    min_length: int,
    judge: Callable[[re.Match[str]], Candidate | None],
) -> list[Candidate]:
    """Candidates ``judge`` makes of matches of ``pattern`` inside digit runs of ``min_length`` or more.

    After a rejected match the search resumes one character further (another number may start inside
    it); after an accepted one, at its end.
    """
    found: list[Candidate] = []
    for run_start, run_end in _runs(text):
        if run_end - run_start < min_length:
            continue
        pos, stop = run_start, min(len(text), run_end + 1)
        while (match := pattern.search(text, pos, stop)) is not None:
            candidate = judge(match)
            if candidate is None:
                pos = match.start() + 1
            else:
                found.append(candidate)
                pos = match.end()
    return found
