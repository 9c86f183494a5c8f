"""Hypothesis strategies for the PII tests: valid values built the way real ones are."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from parcelguard.domain.pii.divisions import division_table
from parcelguard.domain.pii.mobile import ALLOCATED_SEGMENTS
from parcelguard.domain.pii.resident_id import compute_check_char

FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")

segments = st.sampled_from(sorted(ALLOCATED_SEGMENTS))
mobile_digits = st.builds(lambda seg, rest: f"{seg}{rest:08d}", segments, st.integers(0, 99_999_999))

_county_codes = sorted(d.code for d in division_table() if d.level == "county" and d.code[:2] < "71")
county_codes = st.sampled_from(_county_codes)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31))


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    born = draw(birth_dates)
    first17 = f"{draw(county_codes)}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return first17 + compute_check_char(first17)


@st.composite
def mobile_spellings(draw: st.DrawFn, digits: str) -> str:
    """The same number as shops send it: +86/0086/86, spaces, dashes, parentheses, full-width."""
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "0086", "86", "(+86)", "+86-"]))
    sep = draw(st.sampled_from(["", " ", "-"]))
    body = sep.join([digits[:3], digits[3:7], digits[7:]])
    text = prefix + body
    if draw(st.booleans()):
        text = text.translate(FULLWIDTH_DIGITS)
    return text


# Ways people write each digit 0-9: what fold() turns back into ASCII digits.
NUMERAL_STYLES = (
    "0123456789",
    "０１２３４５６７８９",
    "〇一二三四五六七八九",
    "零一二三四五六七八九",
    "零幺二三四五六七八九",
    "零壹贰叁肆伍陆柒捌玖",
    "零壹貳參肆伍陸柒捌玖",
    "⓪①②③④⑤⑥⑦⑧⑨",
    "٠١٢٣٤٥٦٧٨٩",
)
# Separators people put between digit groups, as typed (fold maps the look-alikes to DIGIT_SEPARATORS).
DIGIT_SEPARATOR_SPELLINGS = (
    "",
    " ",
    "-",
    ".",
    "_",
    "/",
    "  ",
    " - ",
    "\u3000",
    "．",
    "－",
    "—",
    "＿",
    "／",
    "·",
    "\u00a0",
    "\u200b",
)


@st.composite
def spelled_digits(draw: st.DrawFn, digits: str) -> str:
    """``digits`` in any mix of numeral styles, split into groups by any separators (138-0013-8000 shapes).

    Every digit may take its own style (1三8〇〇1三8〇〇〇), and groups may be bracketed ((138)0013-8000).
    """
    styles = draw(st.lists(st.sampled_from(NUMERAL_STYLES), min_size=1, max_size=3))
    chars = [draw(st.sampled_from(styles))[int(d)] for d in digits]
    cuts = sorted(draw(st.sets(st.integers(1, len(digits) - 1), max_size=3)))
    groups = ["".join(chars[a:b]) for a, b in zip([0, *cuts], [*cuts, len(digits)], strict=True)]
    if len(groups) > 1 and draw(st.booleans()):
        groups[0] = (
            draw(st.sampled_from(["(", "（", "["])) + groups[0] + draw(st.sampled_from([")", "）", "]"]))
        )
        return groups[0] + "".join(draw(st.sampled_from(DIGIT_SEPARATOR_SPELLINGS)) + g for g in groups[1:])
    sep = draw(st.sampled_from(DIGIT_SEPARATOR_SPELLINGS))
    return sep.join(groups)


han_chars = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
