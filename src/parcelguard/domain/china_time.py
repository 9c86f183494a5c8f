"""China Standard Time (UTC+8, no daylight saving since 1991): the one zone for days and times shown in China.

Reveal quotas count China days, offboarding dates start at midnight China time, the tracking page and the
cloud number provider speak China time, and a resident ID's age is judged on today's China date. One
constant, so none of them can disagree about where a day begins.
"""

from __future__ import annotations

from datetime import timedelta, timezone

__all__ = ["CHINA_STANDARD_TIME"]

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")
