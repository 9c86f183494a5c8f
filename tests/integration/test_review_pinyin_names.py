"""Review (issue 9): a Han name written in pinyin in the order's free text is masked as before pypinyin lost
its phrase dictionary. Names are read a character at a time now, each character by its first reading, so
a given name whose characters read otherwise in it (长江 chang jiang, not zhang jiang) is no longer found."""

from __future__ import annotations

import json

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.issuance import issue_waybill


@pytest.mark.parametrize(
    ("name", "remarks", "spelled"),
    [
        ("张长江", "请交给zhang chang jiang", "chang jiang"),
        ("张长江", "请交给Zhang Changjiang本人", "Changjiang"),
    ],
)
def test_a_given_name_in_pinyin_is_masked(
    sqlite_runtime: Runtime, name: str, remarks: str, spelled: str
) -> None:
    order = json.loads(json.dumps(SyntheticPeople(5).order()))
    order["recipient"]["name"] = name
    order["remarks"] = remarks
    issued = issue_waybill(sqlite_runtime.ctx, order, actor="test")
    assert issued.masked.remarks is not None
    assert spelled not in issued.masked.remarks
