"""Properties: any synthetic mobile, ID number or e-mail in random filler is found, with exact offsets."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.domain.deid import Detector, EntityType
from tests.unit.pii.strategies import mobile_digits, mobile_spellings, resident_ids

# Filler a customer might write around a number: no digits or letters to glue onto it, and no label that
# would rightly veto it (单号, 金额 ...).
_FILLER_CHARS = "您好请问明天下午送到门口谢谢快递已经签收了吗，。！？ 、"
fillers = st.text(alphabet=_FILLER_CHARS, max_size=12)
_DETECTOR = Detector()


def _single_finding(text: str, kind: EntityType) -> tuple[int, int]:
    hits = [(e.start, e.end) for e in _DETECTOR.detect(text) if e.type is kind]
    assert len(hits) == 1, (text, hits)
    return hits[0]


@settings(max_examples=150, deadline=None)
@given(before=fillers, after=fillers, spelling=mobile_digits.flatmap(mobile_spellings))
def test_any_mobile_spelling_in_filler_is_found_with_exact_offsets(
    before: str, after: str, spelling: str
) -> None:
    text = f"{before}手机{spelling}{after}"
    start = len(before) + 2
    assert _single_finding(text, EntityType.PHONE) == (start, start + len(spelling))


@settings(max_examples=150, deadline=None)
@given(before=fillers, after=fillers, number=resident_ids(), full_width=st.booleans())
def test_any_valid_id_number_in_filler_is_found_with_exact_offsets(
    before: str, after: str, number: str, full_width: bool
) -> None:
    if full_width:
        number = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    text = f"{before}{number}{after}"
    assert _single_finding(text, EntityType.CN_ID) == (len(before), len(before) + len(number))


_LOCAL = st.from_regex(r"[a-z][a-z0-9]{0,10}(?:[._][a-z0-9]{1,8})?", fullmatch=True)
_DOMAIN = st.sampled_from(["qq.com", "163.com", "gmail.com", "example.com.cn", "corp-mail.cn"])


@settings(max_examples=150, deadline=None)
@given(before=fillers, after=fillers, local=_LOCAL, domain=_DOMAIN)
def test_any_email_in_filler_is_found_with_exact_offsets(
    before: str, after: str, local: str, domain: str
) -> None:
    email = f"{local}@{domain}"
    text = f"{before}{email}{after}"
    assert _single_finding(text, EntityType.EMAIL) == (len(before), len(before) + len(email))


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_any_text_gives_valid_non_overlapping_spans(text: str) -> None:
    entities = _DETECTOR.detect(text)
    for entity in entities:
        assert 0 <= entity.start < entity.end <= len(text)
    assert all(a.end <= b.start for a, b in pairwise(entities))
