"""The own-value masker skips a spaced-name or pinyin pattern when a character or syllable of it is absent
from the text (issue 9): the masks are those of trying every pattern whose first character occurs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.domain import own_values
from parcelguard.domain.own_values import OwnValues, mask_own_values
from tests.unit.core.test_own_values import order_with

_NAMES = ["林晓彤", "欧阳娜娜", "张伟", "古丽米拉·买合木提", "曾伟", "尉迟恭"]
_PIECES = st.sampled_from(
    [
        *"林晓彤欧阳娜张伟古丽米拉买合木提曾尉迟恭",
        *" -.·，_*1Z",
        *["给", "的", "收", "zhang", "wei", "ou", "yang", "na", "zeng", "yu", "chi", "gong", "lin", "xiao"],
    ]
)


def _first_only(spelling: str, haystack: str) -> bool:
    return spelling[0] in haystack


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_NAMES), st.lists(_PIECES, max_size=14).map("".join))
def test_the_prefilters_change_no_mask(name: str, text: str) -> None:
    values = OwnValues.of(order_with(name=name))
    actual = mask_own_values(text, values)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(own_values, "_all_in", _first_only)
        # the pinyin prefilter, undone: every pattern tried
        patch.setattr(own_values, "_syllables_present", lambda syllables, lowered: True)
        expected = mask_own_values(text, values)
    assert actual == expected
