"""De-identification use cases: find personal data in text, rewrite text by policy, de-identify datasets.

Why here and not in the web or CLI: both offer the same three operations, and the keyed operators need the
tenant bound to the caller's identity (an API key in the web, ``--tenant`` for an operator), which is a
decision of the use case, not of a transport.
"""

from __future__ import annotations

import importlib
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

from parcelguard.domain.anonymize import (
    DEID_DATASET_EXPORTED,
    ChangeReport,
    ColumnAction,
    DatasetPolicy,
    RedactedText,
    TableTransformer,
    TextPolicy,
    ValueOperators,
    apply_text_policy,
    fpe_encrypt_value,
    fpe_tweak,
    plan_recoding,
)
from parcelguard.domain.audit import AuditEvent
from parcelguard.domain.deid.entity import Entity, EntityType
from parcelguard.errors import ErrorCode, ValidationError
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import (
    DatasetEngine,
    DatasetRef,
    EntityDetector,
    FormatPreservingCipher,
    Pseudonymizer,
)

__all__ = [
    "DEFAULT_TENANT",
    "MAX_TEXT_CHARS",
    "default_detector",
    "deidentify_dataset",
    "detect_text",
    "keyed_operators",
    "redact_text",
    "value_operators",
]

DEFAULT_TENANT = "default"
MAX_TEXT_CHARS = 100_000


@lru_cache(maxsize=16)
def default_detector(types: frozenset[EntityType] | None = None) -> EntityDetector:
    """The real detector for ``types`` (all when None), built once per process and type set.

    Imported on first use, by name: the detector loads its lexicons when imported, which commands that
    never look at free text (and Dask workers that get a detector handed in) should not pay for.
    """
    package = importlib.import_module("parcelguard.domain.deid")
    detector: EntityDetector = package.Detector(types=types)
    return detector


def _check_text(text: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(
            f"a text holds at most {MAX_TEXT_CHARS:,} characters",
            code=ErrorCode.INVALID_REQUEST,
            field="text",
        )


def detect_text(
    text: str, *, types: Iterable[EntityType] | None = None, detector: EntityDetector | None = None
) -> list[Entity]:
    """Typed spans of personal data in ``text``; the entities carry offsets, never the matched text."""
    _check_text(text)
    finder = detector or default_detector(frozenset(types) if types is not None else None)
    return sorted(finder.detect(text))


@dataclass(frozen=True, slots=True)
class _Pseudonymize:
    """Picklable (for Dask workers): the pseudonymizer with the tenant bound."""

    pseudonyms: Pseudonymizer
    tenant: str

    def __call__(self, entity_type: EntityType, canonical: str) -> str:
        return self.pseudonyms.pseudonym(self.tenant, entity_type.value, canonical)


@dataclass(frozen=True, slots=True)
class _Encrypt:
    """Picklable: FF1 with the tweak of the tenant and type."""

    cipher: FormatPreservingCipher
    tenant: str

    def __call__(self, entity_type: EntityType, value: str) -> str | None:
        tweak = fpe_tweak(self.tenant, entity_type)
        return fpe_encrypt_value(entity_type, value, partial(self.cipher.encrypt, tweak=tweak))


def keyed_operators(pseudonyms: Pseudonymizer, cipher: FormatPreservingCipher, tenant: str) -> ValueOperators:
    """Every operator, the keyed ones bound to ``tenant`` (picklable, for cluster workers)."""
    if not tenant or len(tenant) > 200 or not tenant.isprintable():
        raise ValidationError(
            "a tenant is 1 to 200 printable characters", code=ErrorCode.INVALID_REQUEST, field="tenant"
        )
    return ValueOperators(pseudonymize=_Pseudonymize(pseudonyms, tenant), encrypt=_Encrypt(cipher, tenant))


def value_operators(ctx: ServiceContext, tenant: str) -> ValueOperators:
    """Every operator, with the context's keys, bound to ``tenant``."""
    return keyed_operators(ctx.pseudonyms, ctx.fpe, tenant)


def redact_text(
    ctx: ServiceContext,
    text: str,
    policy: TextPolicy,
    *,
    tenant: str = DEFAULT_TENANT,
    detector: EntityDetector | None = None,
) -> RedactedText:
    """``text`` with each finding replaced by its type's operator (default: the ``<TYPE>`` tag).

    Stored remarks and notes go through this before they are written, so no raw PII rests in free text.
    """
    entities = detect_text(text, detector=detector)
    return apply_text_policy(text, entities, policy, value_operators(ctx, tenant))


@dataclass(frozen=True, slots=True)
class _Detect:
    """Picklable: finds entities with the process's default detector (built lazily on each worker)."""

    def __call__(self, text: str) -> Sequence[Entity]:
        return default_detector(None).detect(text)


@dataclass(frozen=True, slots=True)
class _DetectWith:
    detector: EntityDetector

    def __call__(self, text: str) -> Sequence[Entity]:
        return self.detector.detect(text)


def deidentify_dataset(
    ctx: ServiceContext,
    engine: DatasetEngine,
    source: DatasetRef,
    dest: DatasetRef,
    policy: DatasetPolicy,
    *,
    actor: str,
    tenant: str = DEFAULT_TENANT,
    detector: EntityDetector | None = None,
) -> ChangeReport:
    """Write a de-identified copy of ``source`` to ``dest`` and report what changed.

    With a k target, the quasi-identifiers are counted over the whole dataset first (one pass), the
    recoding is planned on the counts, then applied in the transforming pass; that is what lets the same
    job run partition by partition on a cluster. The run is recorded in the audit log (counts only).
    """
    started = time.perf_counter()
    rules = policy.resolve(engine.columns(source))
    needs_detector = any(rule.action is ColumnAction.FREE_TEXT for rule in rules)
    detect = (_DetectWith(detector) if detector is not None else _Detect()) if needs_detector else None
    transformer = TableTransformer(rules, value_operators(ctx, tenant), detect)
    recoding = None
    if policy.k is not None:
        if not transformer.qi_rules:
            raise ValidationError(
                "a k target needs at least one column marked quasi_identifier",
                code=ErrorCode.INVALID_POLICY,
                field="k",
            )
        counts = engine.count(source, transformer.qi_counts)
        recoding = plan_recoding(
            counts,
            names=[rule.name for rule in transformer.qi_rules],
            rungs=transformer.qi_rungs(),
            k=policy.k,
            max_suppression=policy.max_suppression,
        )
        transformer = transformer.with_recoding(recoding)
    kept = [rule.name for rule in rules if rule.action is ColumnAction.KEEP]
    run = engine.transform(source, dest, transformer.output_columns, transformer.transform, passthrough=kept)
    report = ChangeReport(
        rules=rules,
        stats=run.stats,
        recoding=recoding,
        engine=engine.name,
        partitions=run.partitions,
        seconds=time.perf_counter() - started,
        source_format=source.format,
        output_format=dest.format,
        job=f"dataset:{secrets.token_hex(8)}",
    )
    _record(ctx, report, actor=actor, tenant=tenant)
    return report


def _record(ctx: ServiceContext, report: ChangeReport, *, actor: str, tenant: str) -> None:
    details: dict[str, str | int | float | bool | None] = {
        "tenant": tenant,
        "engine": report.engine,
        "rows_in": report.stats.rows_in,
        "rows_out": report.stats.rows_out,
        "rows_suppressed": report.stats.rows_suppressed,
        "columns": len(report.rules),
        "columns_dropped": len(report.dropped_columns),
        "k_target": report.recoding.k_target if report.recoding else None,
        "k_achieved": report.recoding.k_achieved if report.recoding else None,
    }
    with ctx.uow() as uow:
        uow.audit.append_many(
            [
                AuditEvent(
                    action=DEID_DATASET_EXPORTED,
                    actor=actor,
                    occurred_at=ctx.clock(),
                    subject=report.job,
                    details=details,
                )
            ]
        )
        uow.commit()
