"""pypinyin is imported only when a text may spell an own name in pinyin (issue 9: its 9 to 13 MiB): masking
answers as it did with pypinyin imported up front."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcelguard.domain import own_values
from parcelguard.domain.order import parse_order
from parcelguard.domain.own_values import OwnValues, mask_own_values, may_hold_pinyin
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.free_text import _after_own_values
from tests.unit.core.test_own_values_exact_prefilter import texts

ROOT = Path(__file__).resolve().parents[3]

_WITHOUT_LATIN_LETTERS = """
import sys
from parcelguard.domain.order import parse_order
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.free_text import _after_own_values
import dataclasses
assert "pypinyin" not in sys.modules, "imported with the module"
order = parse_order(SyntheticPeople(7).order())
name, mobile = order.recipient.name.value, order.recipient.mobile.value
texts = [("服装", None), ("给" + name + "的礼物", "打这个电话 " + mobile), ("2层蛋糕", "放14号")]
for description, remarks in texts:
    changed = dataclasses.replace(
        order, parcel=dataclasses.replace(order.parcel, description=description), remarks=remarks
    )
    _after_own_values(changed)
assert "pypinyin" not in sys.modules, "imported for a text without a Latin letter"
latin = dataclasses.replace(order, remarks="call Emma Brown")
_after_own_values(latin)
assert "pypinyin" in sys.modules, "not imported for a text with a Latin letter"
"""


def test_pypinyin_is_imported_only_once_a_text_holds_a_latin_letter() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    subprocess.run([sys.executable, "-c", _WITHOUT_LATIN_LETTERS], check=True, env=env, cwd=ROOT)


class _NotLoaded(AssertionError):
    pass


def _refuse() -> object:
    raise _NotLoaded("pypinyin was asked for")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 10_000))
def test_without_a_latin_letter_issuance_masks_as_with_pypinyin_and_never_asks_for_it(
    data: st.DataObject, seed: int
) -> None:
    order = parse_order(SyntheticPeople(seed).order())
    description = data.draw(texts(order)) or "服装"
    remarks = data.draw(st.none() | texts(order))
    order = dataclasses.replace(
        order, parcel=dataclasses.replace(order.parcel, description=description), remarks=remarks
    )
    everything = OwnValues.of(order, pinyin=True)  # pypinyin imported, every spelling looked for
    expected = (
        mask_own_values(description, everything),
        None if remarks is None else mask_own_values(remarks, everything),
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(own_values, "_pypinyin", _refuse)  # as if never imported
        own_values._party_pinyin.cache_clear()  # nothing remembered from the reference answer
        try:
            if not may_hold_pinyin(description + "\n" + (remarks or "")):  # else pypinyin may be asked for
                assert _after_own_values(order) == expected
        finally:
            own_values._party_pinyin.cache_clear()
