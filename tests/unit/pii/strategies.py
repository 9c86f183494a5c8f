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
    "洞幺两三四五六拐八勾",  # radio (spoken) digits
    "○123456789",  # a white circle typed for zero
    "O123456789",  # a Latin O typed for zero
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


_OPENING = ("(", "（", "[", "【")
_CLOSING = (")", "）", "]", "】")


@st.composite
def spelled_digits(draw: st.DrawFn, digits: str) -> str:
    """``digits`` in any mix of numeral styles, with any separators between any digits.

    Every digit may take its own style (1三8〇〇1三8〇〇〇), any gap between two digits may hold a
    separator spelling, and the first group may be bracketed ((138)0013-8000).
    """
    styles = draw(st.lists(st.sampled_from(NUMERAL_STYLES), min_size=1, max_size=3))
    chars = [draw(st.sampled_from(styles))[int(d)] for d in digits]
    cuts = sorted(draw(st.sets(st.integers(1, len(digits) - 1), max_size=len(digits) - 1)))
    groups = ["".join(chars[a:b]) for a, b in zip([0, *cuts], [*cuts, len(digits)], strict=True)]
    if len(groups) > 1 and draw(st.booleans()):
        bracket = draw(st.integers(0, len(_OPENING) - 1))
        groups[0] = _OPENING[bracket] + groups[0] + _CLOSING[bracket]
    return groups[0] + "".join(draw(st.sampled_from(DIGIT_SEPARATOR_SPELLINGS)) + g for g in groups[1:])


_COUNTRY_CODES = (
    "",
    "+86",
    "+86 ",
    "+ 86 ",
    "+86-",
    "0086",
    "0086 ",
    "00 86 ",
    "86",
    "86 ",
    "86-",
    "(+86)",
    "(+86) ",
    "[+86]",
    "（+86）",
    "(86)",
    "＋８６ ",
    "+86\u3000",
)


@st.composite
def mobile_spellings(draw: st.DrawFn, digits: str) -> str:
    """Every shape Mobile.parse accepts for ``digits``: country codes, numeral styles, separators."""
    return draw(st.sampled_from(_COUNTRY_CODES)) + draw(spelled_digits(digits))


area_codes = st.sampled_from(
    ["010", "020", "021", "022", "023", "024", "025", "027", "028", "029"]
) | st.builds(lambda a, b, c: f"0{a}{b}{c}", st.integers(3, 9), st.integers(0, 9), st.integers(0, 9))


@st.composite
def landline_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """``(area_code, local_number)``: 8-digit numbers after 3-digit codes, 7 or 8 after 4-digit ones."""
    area = draw(area_codes)
    length = 8 if len(area) == 3 else draw(st.sampled_from([7, 8]))
    first = draw(st.integers(2, 9))
    rest = draw(st.integers(0, 10 ** (length - 1) - 1))
    return area, f"{first}{rest:0{length - 1}d}"


@st.composite
def landline_spellings(draw: st.DrawFn, area: str, local: str) -> str:
    """Shapes Landline.parse accepts: 010-62345678, (0755)8888 8888, +86 (0)10 6234 5678, any one style."""
    style = draw(st.sampled_from(NUMERAL_STYLES))
    spell = str.maketrans("0123456789", style)
    sep = draw(st.sampled_from(DIGIT_SEPARATOR_SPELLINGS))
    split = draw(st.integers(0, len(local) - 1))
    body = local if split == 0 else local[:split] + draw(st.sampled_from(["", " ", "-"])) + local[split:]
    shape = draw(st.sampled_from(["trunk", "bracket", "country", "country0"]))
    if shape == "trunk":
        text = area.translate(spell) + sep + body.translate(spell)
    elif shape == "bracket":
        text = "(" + area.translate(spell) + ")" + draw(st.sampled_from(["", " "])) + body.translate(spell)
    else:
        prefix = draw(st.sampled_from(["+86 ", "+86-", "0086 ", "+86"]))
        zero = " (0)" if shape == "country0" else ""
        text = prefix + zero + (" " if zero else "") + area[1:].translate(spell) + sep + body.translate(spell)
    return text


han_chars = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
