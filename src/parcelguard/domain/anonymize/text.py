"""Apply a text policy to the entities a detector found in a piece of free text.

Overlapping findings (an address that contains a phone number, two rules matching one span) are merged into
one span covering both, so no character of either is left readable; the merged span takes the type of the
finding that starts first (the longer one on a tie). Spans whose type the policy keeps are left alone,
unless they overlap a span that is changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from parcelguard.domain.anonymize.operators import ValueOperators
from parcelguard.domain.anonymize.policy import Operator, TextPolicy
from parcelguard.domain.deid.entity import Entity

__all__ = ["RedactedText", "Replacement", "apply_text_policy"]


@dataclass(frozen=True, slots=True)
class Replacement:
    """One changed span: where it was in the input, where its replacement is in the output."""

    entity: Entity
    operator: Operator
    output_start: int
    output_end: int
    parsed: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "type": self.entity.type.value,
            "start": self.entity.start,
            "end": self.entity.end,
            "score": self.entity.score,
            "operator": self.operator.value,
            "output_start": self.output_start,
            "output_end": self.output_end,
        }


@dataclass(frozen=True, slots=True)
class RedactedText:
    text: str
    replacements: tuple[Replacement, ...]


def _merged(entities: Iterable[Entity], policy: TextPolicy, length: int) -> list[Entity]:
    """Changed spans, clamped to the text, overlaps merged, in order."""
    spans = sorted(
        (e for e in entities if policy.operator_for(e.type) is not Operator.KEEP and e.start < length),
        key=lambda e: (e.start, -(e.end - e.start)),
    )
    merged: list[Entity] = []
    for entity in spans:
        end = min(entity.end, length)
        if merged and entity.start < merged[-1].end:
            last = merged[-1]
            if end > last.end:
                merged[-1] = Entity(last.start, end, last.type, max(last.score, entity.score), last.rule)
            continue
        merged.append(
            entity if end == entity.end else Entity(entity.start, end, entity.type, entity.score, entity.rule)
        )
    return merged


def apply_text_policy(
    text: str, entities: Iterable[Entity], policy: TextPolicy, operators: ValueOperators
) -> RedactedText:
    """``text`` with every found span replaced as ``policy`` says for its type."""
    pieces: list[str] = []
    replacements: list[Replacement] = []
    cursor = out_length = 0
    for entity in _merged(entities, policy, len(text)):
        before = text[cursor : entity.start]
        pieces.append(before)
        out_length += len(before)
        operator = policy.operator_for(entity.type)
        replaced, parsed = operators.apply(operator, entity.type, text[entity.start : entity.end])
        pieces.append(replaced)
        replacements.append(Replacement(entity, operator, out_length, out_length + len(replaced), parsed))
        out_length += len(replaced)
        cursor = entity.end
    pieces.append(text[cursor:])
    return RedactedText("".join(pieces), tuple(replacements))
