"""An own name written in pinyin is read as a name (surnames as surnames), without pypinyin's phrase
dictionary in memory (issue 9)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from parcelguard.domain.own_values import OwnValues, mask_own_values
from tests.unit.core.test_own_values import order_with


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("曾伟", "zeng wei收", "zeng ***收"),
        ("曾伟", "ceng wei收", "ceng ***收"),  # the character's first reading, as before
        ("单雄信", "Shan Xiongxin", "Shan ********"),
        ("区志强", "ou zhiqiang", "ou ********"),
        ("仇英", "qiu ying", "qiu ****"),
        ("解晓东", "XIE XIAODONG", "XIE ********"),
        ("查良镛", "zha liang yong", "zha ***** ****"),
        ("朴树", "piao shu", "piao ***"),
        ("盖聂", "ge nie", "ge ***"),
        ("覃明", "qin ming", "qin ****"),
        ("乐毅", "yue yi", "yue **"),
        ("尉迟恭", "yuchi gong", "yuchi ****"),
        ("万俟卨", "moqi xie", "moqi ***"),
        ("澹台明", "tantai ming", "tantai ****"),
        ("张伟", "zhang wei", "zhang ***"),
    ],
)
def test_an_own_name_in_pinyin_reads_its_surname_as_a_surname(name: str, text: str, expected: str) -> None:
    assert mask_own_values(text, OwnValues.of(order_with(name=name))) == expected


def test_pypinyin_is_imported_without_its_phrase_dictionary_and_the_environment_is_left_as_it_was() -> None:
    code = (
        "import os, parcelguard.domain.own_values as o; o._pypinyin(); import pypinyin.constants as c;"
        "assert not c.PHRASES_DICT;"
        "assert 'PYPINYIN_NO_PHRASES' not in os.environ and 'PYPINYIN_NO_DICT_COPY' not in os.environ"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYPINYIN_")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
