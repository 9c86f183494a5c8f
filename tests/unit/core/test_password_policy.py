"""One password policy (domain.people.check_password_rules, NIST SP 800-63B §5.1.1.2) for every path."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain.people import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, check_password_rules
from parcelguard.errors import ErrorCode, ValidationError

GOOD = "correct horse battery staple"
CONTROLS = st.characters(categories=["Cc"])
PRINTABLE = st.characters(categories=["L", "M", "N", "P", "S", "Zs"])


def refusal(password: str, username: str | None = None) -> str:
    with pytest.raises(ValidationError) as caught:
        check_password_rules(password, username=username)
    assert caught.value.code is ErrorCode.INVALID_REQUEST and caught.value.field == "password"
    assert password not in caught.value.message
    return caught.value.message


@pytest.mark.parametrize(
    "password",
    [
        "\x00" * 20,  # what a fresh tester got accepted at /admin/users
        GOOD + "\x00",
        GOOD + "\n",
        "\t" + GOOD,
        GOOD + "\x7f",
        GOOD + "\x85",  # C1 next line
        GOOD + "\ud800",  # a lone surrogate: cannot be encoded for hashing
    ],
)
def test_a_password_with_a_control_character_is_refused(password: str) -> None:
    assert "control" in refusal(password)


@given(st.text(PRINTABLE, min_size=8, max_size=40), CONTROLS, st.integers(min_value=0, max_value=40))
def test_any_control_character_anywhere_is_refused(text: str, control: str, at: int) -> None:
    password = "q7#Lm" + text[:at] + control + text[at:] + "Zx9!k"
    refusal(password)


@pytest.mark.parametrize(
    "password", ["a" * 12, "abababababab", "1231231231231", " " * 12, "\u3000" * 12, "AaAaAaAaAaAa"]
)
def test_blanks_and_a_few_characters_repeated_are_refused(password: str) -> None:
    refusal(password)


def test_the_username_and_the_services_name_are_refused_inside_a_password() -> None:
    assert "username" in refusal("my Courier.01 password", username="courier.01")
    refusal("ParcelGuard2026!!")
    check_password_rules(GOOD, username="courier.01")


def test_length_is_counted_in_characters_within_the_bounds() -> None:
    refusal("Ab3$" * 2 + "xyz")  # 11
    check_password_rules("正确的马电池订书钉很长好记")  # 13 CJK characters: any printable Unicode
    check_password_rules("Ab3$ efgh" + "x" * (MAX_PASSWORD_CHARS - 9))
    refusal("Ab3$ efgh" + "x" * (MAX_PASSWORD_CHARS - 8))
    assert MIN_PASSWORD_CHARS == 12


@given(
    st.text(PRINTABLE, min_size=MIN_PASSWORD_CHARS, max_size=64).filter(lambda t: len(set(t.casefold())) >= 4)
)
def test_printable_passwords_of_enough_distinct_characters_are_accepted(password: str) -> None:
    if not password.strip() or "parcelguard" in password.casefold():
        return
    check_password_rules(password)
