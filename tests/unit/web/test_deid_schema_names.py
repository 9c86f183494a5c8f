"""The HTTP schema's operator and entity-type lists are the domain's own, written out for the type checker."""

from __future__ import annotations

from typing import get_args

from parcelguard.domain.anonymize.policy import TEXT_OPERATORS, operator_names, parse_operator
from parcelguard.domain.deid.entity import EntityType
from parcelguard.web.api.deid import EntityTypeName, OperatorName


def test_the_schema_accepts_exactly_the_operator_spellings_the_policy_parser_accepts() -> None:
    assert sorted(get_args(OperatorName)) == list(operator_names(TEXT_OPERATORS))
    for name in operator_names(TEXT_OPERATORS):
        assert parse_operator(name, "x") in TEXT_OPERATORS


def test_the_schema_names_every_entity_type() -> None:
    assert set(get_args(EntityTypeName)) == {t.value for t in EntityType}
