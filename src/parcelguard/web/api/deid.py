"""/v1/deid: find personal data in free text, and rewrite it by operator, for platforms holding an API key.

Both take a batch of ``{"id", "text"}`` items (the CLI's JSON lines, as one body). Pseudonyms and
format-preserving ciphertexts are keyed per API key (the tenant is the key's actor id), so one platform's
pseudonyms cannot be matched against another's, and no caller can compute them for a tenant it is not.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from parcelguard.domain.anonymize import TextPolicy
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.deid.words import DetectMode
from parcelguard.errors import ErrorCode
from parcelguard.services.deid import MAX_BATCH_CHARS, check_batch, detect_texts, redact_texts
from parcelguard.web.api.deps import Ctx, DeidPrincipal
from parcelguard.web.json_body import StrictJsonRoute
from parcelguard.web.openapi import error_responses

router = APIRouter(prefix="/v1/deid", tags=["de-identification"], route_class=StrictJsonRoute)

MAX_ITEMS = 1000
MAX_TEXT = 20_000
EntityTypeName = Literal[
    "PERSON", "PHONE", "CN_ID", "ADDRESS", "EMAIL", "BANK_CARD", "PASSPORT", "LICENSE_PLATE", "IP"
]
ModeName = Literal["accurate", "fast"]
_MODE_DOC = (
    "accurate (default): a sequence model (Baidu LAC) and the rules, best on running text; "
    "fast: the rules alone, about 50x faster. The texts of one request hold at most "
    f"{MAX_BATCH_CHARS[DetectMode.ACCURATE]:,} characters in accurate mode and "
    f"{MAX_BATCH_CHARS[DetectMode.FAST]:,} in fast mode (413 batch_too_large above)"
)
# the spellings domain/anonymize/policy.py operator_names() accepts (a test holds the two equal; a Literal
# must be written out for the type checker and the OpenAPI enum)
OperatorName = Literal[
    "keep", "mask", "redact", "pseudonymize", "pseudonymise", "encrypt", "fpe", "generalize", "generalise"
]


class TextItem(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    id: str | None = Field(default=None, description="a string, echoed back; never inspected (not a number)")
    text: str = Field(max_length=MAX_TEXT, examples=["请联系张伟 13800138000，送到北京市朝阳区建国路88号"])

    @field_validator("id")
    @classmethod
    def _echoable(cls, value: str | None) -> str | None:
        """The id is echoed back, so it must be valid Unicode (a lone surrogate cannot be encoded)."""
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("not valid Unicode text") from None
        return value


class DeidDetect(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    items: list[TextItem] = Field(max_length=MAX_ITEMS)
    types: list[EntityTypeName] | None = Field(default=None, description="default: every type")
    mode: ModeName = Field(default="accurate", description=_MODE_DOC)


class DeidRedact(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    items: list[TextItem] = Field(max_length=MAX_ITEMS)
    operators: dict[EntityTypeName, OperatorName] = Field(
        default_factory=dict, examples=[{"PERSON": "mask", "PHONE": "pseudonymize"}]
    )
    default_operator: OperatorName = Field(default="redact", description="for types not in operators")
    mode: ModeName = Field(default="accurate", description=_MODE_DOC)


class EntityRead(BaseModel):
    type: str
    start: int
    end: int
    score: float


class DetectedRead(BaseModel):
    id: str | None
    entities: list[EntityRead]


class DeidDetectRead(BaseModel):
    items: list[DetectedRead]


class ReplacementRead(EntityRead):
    operator: str
    output_start: int
    output_end: int


class RedactedRead(BaseModel):
    id: str | None
    text: str
    entities: list[ReplacementRead]


class DeidRedactRead(BaseModel):
    items: list[RedactedRead]


@router.post("/detect", response_model=DeidDetectRead, responses=error_responses(ErrorCode.BATCH_TOO_LARGE))
def detect(body: DeidDetect, principal: DeidPrincipal) -> DeidDetectRead:
    """Typed spans of personal data in each text (Python string offsets); the texts are not stored."""
    types = frozenset(EntityType(t) for t in body.types) if body.types is not None else None
    texts = [item.text for item in body.items]
    mode = DetectMode(body.mode)
    check_batch(texts, mode)
    items = []
    found = detect_texts(texts, types=types, mode=mode)
    for item, entities in zip(body.items, found, strict=True):
        items.append(
            DetectedRead(
                id=item.id,
                entities=[
                    EntityRead(type=e.type.value, start=e.start, end=e.end, score=e.score) for e in entities
                ],
            )
        )
    return DeidDetectRead(items=items)


@router.post("/redact", response_model=DeidRedactRead, responses=error_responses(ErrorCode.BATCH_TOO_LARGE))
def redact(body: DeidRedact, ctx: Ctx, principal: DeidPrincipal) -> DeidRedactRead:
    """Each text with its personal data replaced by operator; offsets of the input and of the output."""
    policy = TextPolicy.parse(dict(body.operators), default=body.default_operator, where="operators")
    texts = [item.text for item in body.items]
    mode = DetectMode(body.mode)
    check_batch(texts, mode)
    items = []
    results = redact_texts(ctx, texts, policy, tenant=principal.actor, mode=mode)
    for item, result in zip(body.items, results, strict=True):
        items.append(
            RedactedRead(
                id=item.id,
                text=result.text,
                entities=[ReplacementRead.model_validate(r.as_dict()) for r in result.replacements],
            )
        )
    return DeidRedactRead(items=items)
