"""De-identification policies: which operator applies to which entity type, and what happens to each column.

A policy is data (a JSON or TOML document, see docs/deid.md), parsed here strictly: an unknown key, type or
operator is an error, never ignored, because a typo in a privacy policy silently keeps personal data.
Errors name the place in the document (``columns.phone.operator``), never cell values.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

from parcelguard.domain.anonymize.fpe import FPE_TYPES
from parcelguard.domain.anonymize.hierarchy import hierarchy_for
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.deid.words import DetectMode, parse_mode
from parcelguard.errors import ErrorCode, ValidationError

__all__ = [
    "ColumnAction",
    "ColumnRule",
    "DatasetPolicy",
    "Operator",
    "TextPolicy",
    "parse_operator",
    "parse_policy",
    "policy_from_text",
]

DEFAULT_MAX_SUPPRESSION = 0.05
MAX_K = 1_000_000
Unlisted = Literal["drop", "keep", "error"]


class Operator(StrEnum):
    """What happens to a value (a detected span or a cell)."""

    KEEP = "keep"
    DROP = "drop"  # columns only
    MASK = "mask"
    REDACT = "redact"
    PSEUDONYMIZE = "pseudonymize"
    ENCRYPT = "encrypt"  # FF1 format-preserving encryption
    GENERALIZE = "generalize"


_OPERATOR_ALIASES = {"pseudonymise": "pseudonymize", "generalise": "generalize", "fpe": "encrypt"}
TEXT_OPERATORS = frozenset(Operator) - {Operator.DROP}


class ColumnAction(StrEnum):
    KEEP = "keep"
    DROP = "drop"
    VALUE = "value"  # a structured column of one entity type, one operator
    FREE_TEXT = "free_text"  # detector, then the free-text operators
    QUASI_IDENTIFIER = "quasi_identifier"  # generalised along a hierarchy, counted for k-anonymity


def _invalid(where: str, reason: str) -> ValidationError:
    return ValidationError(f"policy {where}: {reason}", code=ErrorCode.INVALID_POLICY, field=where)


def operator_names(allowed: frozenset[Operator] = TEXT_OPERATORS) -> tuple[str, ...]:
    """Every spelling ``parse_operator`` accepts for ``allowed``, sorted: the enum's values and their aliases
    (British spellings, ``fpe``). Error messages and the HTTP schema's list are built from this one place."""
    names = {o.value for o in allowed}
    names.update(alias for alias, target in _OPERATOR_ALIASES.items() if Operator(target) in allowed)
    return tuple(sorted(names))


def parse_operator(raw: object, where: str, *, allowed: frozenset[Operator] = TEXT_OPERATORS) -> Operator:
    """An operator name (British spellings and ``fpe`` accepted) checked against ``allowed``."""
    if not isinstance(raw, str):
        raise _invalid(where, "an operator is a string")
    name = _OPERATOR_ALIASES.get(raw.strip().lower(), raw.strip().lower())
    try:
        operator = Operator(name)
    except ValueError:
        known = ", ".join(operator_names(allowed))
        raise _invalid(where, f"unknown operator (known: {known})") from None
    if operator not in allowed:
        raise _invalid(where, f"operator {operator.value} is not allowed here")
    return operator


def _entity_type(raw: object, where: str) -> EntityType:
    if not isinstance(raw, str):
        raise _invalid(where, "an entity type is a string")
    try:
        return EntityType(raw.strip().upper())
    except ValueError:
        known = ", ".join(t.value for t in EntityType)
        raise _invalid(where, f"unknown entity type (known: {known})") from None


def _check_pair(entity_type: EntityType, operator: Operator, where: str) -> None:
    if operator is Operator.ENCRYPT and entity_type not in FPE_TYPES:
        fpe = ", ".join(sorted(t.value for t in FPE_TYPES))
        raise _invalid(where, f"format-preserving encryption applies to {fpe} only")


@dataclass(frozen=True, slots=True)
class TextPolicy:
    """The operator for each entity type found in free text; every type has one."""

    operators: Mapping[EntityType, Operator]

    @classmethod
    def uniform(cls, operator: Operator = Operator.REDACT) -> TextPolicy:
        """One operator for every type (redact by default: the safe choice when nothing is said)."""
        return cls(MappingProxyType({t: operator for t in EntityType}))

    @classmethod
    def parse(cls, raw: object, *, default: object = None, where: str = "free_text_operators") -> TextPolicy:
        """``{"PHONE": "mask", ...}``; types left out get ``default`` (itself redact when not given)."""
        fallback = Operator.REDACT if default is None else parse_operator(default, f"{where}.default")
        if fallback is Operator.ENCRYPT:
            raise _invalid(f"{where}.default", "encryption cannot be the default: not every type has a form")
        if raw is None:
            return cls.uniform(fallback)
        if not isinstance(raw, Mapping):
            raise _invalid(where, "must map entity types to operators")
        chosen: dict[EntityType, Operator] = {t: fallback for t in EntityType}
        for key, value in raw.items():
            entity_type = _entity_type(key, f"{where}.{key}")
            operator = parse_operator(value, f"{where}.{key}")
            _check_pair(entity_type, operator, f"{where}.{key}")
            chosen[entity_type] = operator
        return cls(MappingProxyType(chosen))

    def with_overrides(self, overrides: Mapping[EntityType, Operator]) -> TextPolicy:
        """This policy with some types' operators replaced (CLI ``--operator PHONE=mask``)."""
        for entity_type, operator in overrides.items():
            _check_pair(entity_type, operator, f"operator.{entity_type.value}")
        return TextPolicy(MappingProxyType({**self.operators, **overrides}))

    def operator_for(self, entity_type: EntityType) -> Operator:
        return self.operators.get(entity_type, Operator.REDACT)

    def as_dict(self) -> dict[str, str]:
        return {t.value: o.value for t, o in self.operators.items()}


@dataclass(frozen=True, slots=True)
class ColumnRule:
    """What happens to one column. Exactly the fields its ``action`` needs are set."""

    name: str
    action: ColumnAction
    entity_type: EntityType | None = None
    operator: Operator | None = None
    hierarchy: str | None = None
    start_level: int = 0
    text: TextPolicy | None = None
    mode: DetectMode = DetectMode.ACCURATE  # free-text columns: the detector's mode
    own_mode: bool = False  # the column names its mode (a CLI --mode does not override it)


@dataclass(frozen=True, slots=True)
class DatasetPolicy:
    """Per-column rules, free-text operators, and the k-anonymity target for the quasi-identifiers."""

    columns: tuple[ColumnRule, ...]
    text: TextPolicy = field(default_factory=TextPolicy.uniform)
    unlisted: Unlisted = "drop"
    k: int | None = None
    max_suppression: float = DEFAULT_MAX_SUPPRESSION
    mode: DetectMode = DetectMode.ACCURATE  # the detector's mode for free-text columns without their own

    def with_k(self, k: int | None) -> DatasetPolicy:
        """The same policy with another target (CLI ``--k``); None keeps the policy's own."""
        if k is None:
            return self
        _check_k(k, "k")
        return replace(self, k=k)

    def with_mode(self, mode: DetectMode | None) -> DatasetPolicy:
        """The same policy with another default mode (CLI ``--mode``): free-text columns that do not name
        their own mode take it; None keeps the policy's own."""
        if mode is None:
            return self
        columns = tuple(
            replace(rule, mode=mode) if rule.action is ColumnAction.FREE_TEXT and not rule.own_mode else rule
            for rule in self.columns
        )
        return replace(self, columns=columns, mode=mode)

    def resolve(self, data_columns: Sequence[str]) -> tuple[ColumnRule, ...]:
        """One rule per column of the data, in the data's order; refuses a policy naming absent columns."""
        by_name = {rule.name: rule for rule in self.columns}
        missing = [name for name in by_name if name not in data_columns]
        if missing:
            raise ValidationError(
                f"the policy names columns the dataset does not have: {', '.join(sorted(missing))}",
                code=ErrorCode.INVALID_DATASET,
                field="columns",
            )
        rules = []
        for name in data_columns:
            rule = by_name.get(name)
            if rule is None:
                if self.unlisted == "error":
                    raise ValidationError(
                        f"column {name!r} is not in the policy (unlisted_columns is 'error')",
                        code=ErrorCode.INVALID_DATASET,
                        field="columns",
                    )
                action = ColumnAction.KEEP if self.unlisted == "keep" else ColumnAction.DROP
                rule = ColumnRule(name, action)
            rules.append(rule)
        return tuple(rules)

    @property
    def quasi_identifiers(self) -> tuple[ColumnRule, ...]:
        return tuple(r for r in self.columns if r.action is ColumnAction.QUASI_IDENTIFIER)


_TOP_KEYS = frozenset(
    {
        "columns",
        "free_text_operators",
        "default_free_text_operator",
        "unlisted_columns",
        "k",
        "max_suppression",
        "mode",
    }
)
_COLUMN_KEYS = frozenset(
    {"type", "operator", "free_text", "quasi_identifier", "generalize", "operators", "mode"}
)


_UNLISTED: dict[str, Unlisted] = {"drop": "drop", "keep": "keep", "error": "error"}


def policy_from_text(text: str, *, fmt: Literal["json", "toml"]) -> DatasetPolicy:
    """Parse a policy document; JSON and TOML carry the same structure."""
    try:
        doc: object = tomllib.loads(text) if fmt == "toml" else json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError):
        doc = None
    if not isinstance(doc, Mapping):
        raise _invalid("document", f"is not a {fmt.upper()} object")
    return parse_policy(doc)


def parse_policy(doc: Mapping[str, object]) -> DatasetPolicy:
    """A :class:`DatasetPolicy` from a decoded document (see docs/deid.md for the format)."""
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        raise _invalid(sorted(unknown)[0], "unknown key")
    text = TextPolicy.parse(doc.get("free_text_operators"), default=doc.get("default_free_text_operator"))
    unlisted = _UNLISTED.get(str(doc.get("unlisted_columns", "drop")))
    if unlisted is None:
        raise _invalid("unlisted_columns", "is one of drop, keep, error")
    k = doc.get("k")
    if k is not None:
        _check_k(k, "k")
    max_suppression = doc.get("max_suppression", DEFAULT_MAX_SUPPRESSION)
    if (
        isinstance(max_suppression, bool)
        or not isinstance(max_suppression, int | float)
        or not 0 <= max_suppression <= 1
    ):
        raise _invalid("max_suppression", "is a fraction of rows between 0 and 1")
    raw_columns = doc.get("columns", {})
    if not isinstance(raw_columns, Mapping):
        raise _invalid("columns", "must map column names to rules")
    mode = _mode(doc.get("mode", DetectMode.ACCURATE.value), "mode")
    rules = tuple(_column(str(name), spec, text, mode) for name, spec in raw_columns.items())
    return DatasetPolicy(
        rules,
        text,
        unlisted,
        k if isinstance(k, int) else None,
        float(max_suppression),
        mode,
    )


def _mode(raw: object, where: str) -> DetectMode:
    if not isinstance(raw, str):
        raise _invalid(where, "is 'accurate' (model and rules) or 'fast' (rules only)")
    try:
        return parse_mode(raw)
    except ValueError:
        raise _invalid(where, "is 'accurate' (model and rules) or 'fast' (rules only)") from None


def _check_k(k: object, where: str) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or not 2 <= k <= MAX_K:
        raise _invalid(where, f"k is a whole number from 2 to {MAX_K:,}")


def _column(name: str, spec: object, text: TextPolicy, mode: DetectMode) -> ColumnRule:
    where = f"columns.{name}"
    if isinstance(spec, str):  # shorthand: "keep", "drop", "free_text"
        spec = {"free_text": True} if spec == "free_text" else {"operator": spec}
    if not isinstance(spec, Mapping):
        raise _invalid(where, "a column rule is an object")
    unknown = set(spec) - _COLUMN_KEYS
    if unknown:
        raise _invalid(f"{where}.{sorted(unknown)[0]}", "unknown key")
    entity_type = _entity_type(spec["type"], f"{where}.type") if "type" in spec else None
    operator = (
        parse_operator(spec["operator"], f"{where}.operator", allowed=frozenset(Operator))
        if ("operator" in spec)
        else None
    )
    if spec.get("free_text") is True:
        if entity_type is not None or operator is not None or spec.get("quasi_identifier"):
            raise _invalid(where, "a free-text column takes only 'operators'")
        own = spec.get("operators")
        column_text = text if own is None else _merge_text(text, own, f"{where}.operators")
        own_mode = "mode" in spec
        column_mode = _mode(spec["mode"], f"{where}.mode") if own_mode else mode
        return ColumnRule(name, ColumnAction.FREE_TEXT, text=column_text, mode=column_mode, own_mode=own_mode)
    if "operators" in spec:
        raise _invalid(f"{where}.operators", "only free-text columns take per-type operators")
    if "mode" in spec:
        raise _invalid(f"{where}.mode", "only free-text columns have a detector mode")
    if spec.get("quasi_identifier") is True:
        if operator not in (None, Operator.GENERALIZE):
            raise _invalid(f"{where}.operator", "a quasi-identifier is generalised, nothing else")
        level = spec.get("generalize")
        if level is not None and not isinstance(level, str):
            raise _invalid(f"{where}.generalize", "is the name of a generalisation level")
        try:
            hierarchy, start = hierarchy_for(entity_type.value if entity_type else None, level)
        except ValueError as error:
            raise _invalid(f"{where}.generalize", str(error)) from None
        return ColumnRule(
            name,
            ColumnAction.QUASI_IDENTIFIER,
            entity_type=entity_type,
            hierarchy=hierarchy,
            start_level=start,
        )
    if "generalize" in spec:
        raise _invalid(f"{where}.generalize", "levels apply to quasi-identifiers ('quasi_identifier': true)")
    if operator in (Operator.KEEP, Operator.DROP) and entity_type is None:
        return ColumnRule(name, ColumnAction(operator.value))
    if entity_type is None:
        raise _invalid(where, "say the column's 'type' (or 'free_text', 'quasi_identifier', keep, drop)")
    if operator is None:
        raise _invalid(f"{where}.operator", "a typed column needs an operator")
    if operator is Operator.DROP:
        return ColumnRule(name, ColumnAction.DROP)
    _check_pair(entity_type, operator, f"{where}.operator")
    return ColumnRule(name, ColumnAction.VALUE, entity_type=entity_type, operator=operator)


def _merge_text(base: TextPolicy, own: object, where: str) -> TextPolicy:
    if not isinstance(own, Mapping):
        raise _invalid(where, "must map entity types to operators")
    overrides = {}
    for key, value in own.items():
        entity_type = _entity_type(key, f"{where}.{key}")
        operator = parse_operator(value, f"{where}.{key}")
        _check_pair(entity_type, operator, f"{where}.{key}")
        overrides[entity_type] = operator
    return base.with_overrides(overrides)
