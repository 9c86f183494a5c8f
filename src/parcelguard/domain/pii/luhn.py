"""The Luhn (mod 10) check digit of payment card numbers (ISO/IEC 7812), in one place for every user."""

from __future__ import annotations

_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_valid(digits: str) -> bool:
    """True when the last digit of ``digits`` is its Luhn check digit."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        total += _DOUBLED[value] if index % 2 else value
    return total % 10 == 0


def luhn_digit(payload: str) -> str:
    """The check digit to append to ``payload``."""
    total = 0
    for index, char in enumerate(reversed(payload)):
        value = ord(char) - 48
        total += value if index % 2 else _DOUBLED[value]
    return str((10 - total % 10) % 10)
