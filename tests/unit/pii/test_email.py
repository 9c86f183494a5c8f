from __future__ import annotations

import pytest

from parcelguard.domain.pii.email import Email
from parcelguard.errors import ErrorCode, ValidationError


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("zhang.san@example.com", "zhang.san@example.com"),
        ("Zhang+shop@Example.COM", "Zhang+shop@example.com"),
        (" li_si@mail.example.cn ", "li_si@mail.example.cn"),
        ("ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "wang@example.com"),
        ("a@xn--fiqs8s.xn--fiqs8s", "a@xn--fiqs8s.xn--fiqs8s"),
    ],
)
def test_pragmatic_addresses_are_accepted(raw: str, value: str) -> None:
    assert Email.parse(raw).value == value


def test_masking_keeps_the_first_character_and_the_domain() -> None:
    assert Email.parse("zhang.san@example.com").masked() == "z***@example.com"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "plainaddress",
        "@example.com",
        "zhang@",
        "zhang@localhost",
        "zhang..san@example.com",
        ".zhang@example.com",
        "zhang@-example.com",
        "zhang@example.c",
        '"quoted"@example.com',
        "zhang@[127.0.0.1]",
        "张三@example.com",
        "a" * 65 + "@example.com",
    ],
)
def test_malformed_addresses_are_rejected(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Email.parse(raw)
    assert caught.value.code is ErrorCode.INVALID_EMAIL
    assert caught.value.field == "email"
