"""JSON decoding that refuses a key given twice in one object, for the API's bodies and the CLI's JSON lines.

RFC 8259 section 4 says names "SHOULD be unique" and leaves duplicates to the parser; Python's ``json`` keeps
the last one, so ``{"parcel": {...}, "parcel": {...}}`` would silently issue the second parcel while a
reviewer or a log reader sees the first. ParcelGuard refuses such a document instead (DUPLICATE_FIELD, with
the path of the repeated field), wherever JSON comes in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from parcelguard.errors import ErrorCode, ValidationError

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}", re.ASCII)
_DIGIT_RUN = re.compile(r"[0-9]{3}", re.ASCII)


class _Duplicated(dict[str, Any]):
    """An object in which ``duplicate`` was given more than once (marked, found again by identity)."""

    __slots__ = ("duplicate",)

    def __init__(self, pairs: list[tuple[str, Any]], duplicate: str) -> None:
        super().__init__(pairs)
        self.duplicate = duplicate


def shown_key(key: object) -> bool:
    """Whether a JSON key may appear in a field path: only identifiers, as a key can hold personal data, and
    none with a run of three or more digits (``zhangwei_13800138000``: a mobile or an ID number; the
    contract's own names hold at most one digit, as in ``last4``)."""
    return isinstance(key, str) and _IDENTIFIER.fullmatch(key) is not None and _DIGIT_RUN.search(key) is None


def loads_strict(document: str | bytes, **options: Callable[[str], Any]) -> Any:
    """``json.loads(document, **options)``, refusing duplicate keys in any object, however deep.

    Raises ValidationError DUPLICATE_FIELD whose ``field`` is the dotted path of the repeated key
    (``orders.3.parcel``; the parent's path when the key is not an identifier, None at the top level), and
    whatever ``json.loads`` raises for a document that is not JSON (JSONDecodeError, RecursionError,
    UnicodeDecodeError), unchanged. ``options`` are json.loads' ``parse_int``/``parse_float``/... hooks.
    """
    marked: list[_Duplicated] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        found = _Duplicated(pairs, duplicate)
        marked.append(found)
        return found

    value = json.loads(document, object_pairs_hook=pairs_hook, **options)  # type: ignore[arg-type]
    if marked:
        raise _duplicate_error(value, marked[0])
    return value


def _duplicate_error(root: Any, target: _Duplicated) -> ValidationError:
    parent = _path_to(root, target)
    if shown_key(target.duplicate):
        field: str | None = f"{parent}.{target.duplicate}" if parent else target.duplicate
        where = field
    else:
        field = parent or None
        where = f"a field of {parent or 'the body'}"
    return ValidationError(
        f"{where} is given more than once (each key once per object)",
        code=ErrorCode.DUPLICATE_FIELD,
        field=field,
    )


def _path_to(root: Any, target: object) -> str:
    """The dotted path from ``root`` to the object ``target`` (by identity); walked without recursion."""
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        item, path = stack.pop()
        if item is target:
            return path
        if isinstance(item, dict):
            for key, child in item.items():
                if isinstance(child, dict | list):
                    name = key if shown_key(key) else "?"
                    stack.append((child, f"{path}.{name}" if path else name))
        elif isinstance(item, list):
            for index, child in enumerate(item):
                if isinstance(child, dict | list):
                    stack.append((child, f"{path}.{index}" if path else str(index)))
    return ""
