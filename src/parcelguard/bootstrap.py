"""The one place that turns Settings into real adapters and a ServiceContext."""

from __future__ import annotations

import contextlib
import gc
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import Engine

from parcelguard.adapters.crypto import BlindIndex, Envelope, KeyFile, LabelTokenCodec
from parcelguard.adapters.crypto.cosignature import Ed25519CosignatureVerifier
from parcelguard.adapters.crypto.ff1 import FF1
from parcelguard.adapters.crypto.note_keys import Ed25519NoteSigner
from parcelguard.adapters.crypto.passwords import Argon2Passwords
from parcelguard.adapters.crypto.pseudonym import HmacPseudonymizer
from parcelguard.adapters.crypto.totp import PyOtpTotp
from parcelguard.adapters.db.access_repositories import database_holds_sealed_data
from parcelguard.adapters.db.engine import make_engine
from parcelguard.adapters.db.unit_of_work import SqlUnitOfWork
from parcelguard.adapters.notify import ConsoleNotifier, InMemoryNotifier
from parcelguard.adapters.rate_limit import (
    InMemoryAttemptLimiter,
    InMemoryRateLimiter,
    make_tracking_limits,
)
from parcelguard.adapters.render import LabelRenderer
from parcelguard.adapters.telephony.sip_provider import SipNumberProvider
from parcelguard.config import Settings
from parcelguard.domain.checkpoint import NoteVerifier
from parcelguard.domain.label_gate import privacy_gate
from parcelguard.domain.people import LoginPolicy
from parcelguard.domain.reveal_policy import RevealLimits
from parcelguard.domain.virtual_number import BindingModel, TelephonyPolicy, parse_number_prefixes
from parcelguard.errors import ConfigurationError, ErrorCode, KeyStoreError, ValidationError
from parcelguard.services.access_transparency import AccessDesk
from parcelguard.services.context import ServiceContext
from parcelguard.services.deid import use_tagger
from parcelguard.services.keys import verify_key_file
from parcelguard.services.ports import (
    AttemptLimiter,
    EntityTagger,
    LogKeys,
    Notifier,
    NumberProvider,
    RateLimiter,
    UnitOfWork,
)
from parcelguard.services.tracking import TrackingLimits
from parcelguard.services.witness_submission import WitnessEndpoint


@dataclass(frozen=True, slots=True)
class Runtime:
    """Everything a running ParcelGuard holds: settings, the engine, the services' context."""

    settings: Settings
    engine: Engine
    keyfile: KeyFile
    ctx: ServiceContext
    track_limiter: TrackingLimits
    access: AccessDesk  # access transparency for customers (issue 11)

    def close(self) -> None:
        self.engine.dispose()


def utc_now() -> datetime:
    return datetime.now(UTC)


def configure_detector(threads: int = 1) -> None:
    """Install Baidu LAC (adapters/ner) as the free-text detector's model: ``accurate`` mode becomes the
    default of every deid path in this process. The weights load on the first accurate call (about 0.1 s),
    not here, so commands that never read free text do not pay for them. ``threads``: ONNX Runtime
    intra-op threads per call (1: the machine's other cores serve other requests)."""
    use_tagger(partial(_tagger_then_freeze, threads))


def _tagger_then_freeze(threads: int) -> EntityTagger:
    """The process's LAC tagger; the first time it loads, :func:`gc.freeze` (once per process).

    Why: by then the detector's lexicons (a few hundred thousand objects, loaded when the detector is
    built, which precedes the first model call) and the model stay in memory for the process's life, and
    every full collection walked them all again: full collections cost about 45 us per waybill at issuance
    (unique senders), 8 with them frozen. Frozen, the collector skips them; frozen objects are still freed
    by reference counting, so only cycles among what lived at that moment are never reclaimed. Here rather
    than at start, so that commands that never read free text load neither. Module-level and keyed by a
    plain value, so the factory still pickles to Dask workers (each freezes its own heap once).

    At the same moment the youngest generation's threshold goes up to `_YOUNG_THRESHOLD` allocations (from
    700): a batch keeps its thousand orders' objects alive until it is stored, so at 700 the collector
    walked them again and again and promoted them, young collections costing about 30 us per waybill at
    issuance, 9 at 10,000 (measured with gc.callbacks over alternated runs; peak RSS unchanged). A young
    collection then pauses for about 5 ms instead of often, well under a request's latency budget."""
    from parcelguard.adapters.ner import lac_tagger

    tagger = lac_tagger(threads)
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()
        young, older, oldest = gc.get_threshold()
        gc.set_threshold(max(_YOUNG_THRESHOLD, young), older, oldest)
    return tagger


_frozen = False
_YOUNG_THRESHOLD = 10_000
"""Allocations (less deallocations) of container objects between young collections, once the heap is
frozen."""


def bootstrap(settings: Settings, *, create_keys: bool = True) -> Runtime:
    """Build adapters from ``settings``; creates the data directory and key file on first use.

    A missing key file is created only over a database that holds nothing sealed yet: over waybills or
    keys it raises KeyStoreError ``key_file_missing`` (a new key file would strand them, and what it
    sealed would be lost once the right file came back).
    """
    settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
    configure_detector()
    key_path = settings.resolved_key_file
    engine = make_engine(settings.resolved_database_url)
    try:
        keyfile = _open_key_file(engine, key_path, create=create_keys)
    except BaseException:
        engine.dispose()
        raise

    def unit_of_work() -> UnitOfWork:
        return SqlUnitOfWork(engine)

    ctx = ServiceContext(
        uow=unit_of_work,
        envelope=Envelope(keyfile),
        keyring=keyfile,
        index=BlindIndex(keyfile.index_key),
        tokens=LabelTokenCodec(keyfile.token_key),
        renderer=LabelRenderer(gate=privacy_gate),
        clock=utc_now,
        carrier_name=settings.carrier_name,
        carrier_prefix=settings.carrier_prefix,
        pseudonyms=HmacPseudonymizer(keyfile.pseudonym_key),
        fpe=FF1(keyfile.fpe_key),
        passwords=Argon2Passwords(),
        otp=PyOtpTotp(issuer=settings.carrier_name),
        login_policy=login_policy(settings),
        reveal_limits=reveal_limits(settings),
        log_keys=log_keys(settings, keyfile),
        telephony=telephony_policy(settings),
    )
    ctx = replace(ctx, numbers=number_provider(settings, ctx))
    limiter = make_tracking_limits(
        per_minute=settings.track_rate_per_minute,
        burst=settings.track_burst,
        max_failures=settings.track_verify_max_failures,
        lockout_s=settings.track_verify_lockout_s,
        redis_url=settings.redis_url.get_secret_value() if settings.redis_url else None,
    )
    return Runtime(
        settings=settings,
        engine=engine,
        keyfile=keyfile,
        ctx=ctx,
        track_limiter=limiter,
        access=access_desk(settings),
    )


def access_desk(settings: Settings) -> AccessDesk:
    """The customers' access page: the notifier (PARCELGUARD_NOTIFIER) and its limits (PARCELGUARD_ACCESS_*),
    in Redis when PARCELGUARD_REDIS_URL is set, like tracking's."""
    notifier: Notifier = InMemoryNotifier() if settings.notifier == "memory" else ConsoleNotifier()
    per_client: RateLimiter
    per_parcel: AttemptLimiter
    if settings.redis_url:
        from parcelguard.adapters.redis_rate_limit import (
            RedisAttemptLimiter,
            RedisRateLimiter,
            redis_client,
        )

        client = redis_client(settings.redis_url.get_secret_value())
        per_client = RedisRateLimiter(
            client, per_minute=settings.access_rate_per_minute, burst=settings.access_burst, name="access"
        )
        per_parcel = RedisAttemptLimiter(
            client,
            max_failures=settings.access_codes_per_parcel,
            lockout_s=settings.access_code_window_s,
            name="access-codes",
        )
    else:
        per_client = InMemoryRateLimiter(
            per_minute=settings.access_rate_per_minute, burst=settings.access_burst
        )
        per_parcel = InMemoryAttemptLimiter(
            max_failures=settings.access_codes_per_parcel, lockout_s=settings.access_code_window_s
        )
    return AccessDesk(
        notifier=notifier,
        per_client=per_client,
        per_parcel=per_parcel,
        pass_ttl=timedelta(seconds=settings.access_pass_ttl_s),
    )


def log_keys(settings: Settings, keyfile: KeyFile) -> LogKeys | None:
    """The audit log's origin line (``parcelguard/<carrier prefix>/audit``), its Ed25519 key from the key
    file, and the keys its checkpoints are checked with (issue 11): the witnesses of PARCELGUARD_WITNESSES,
    and the key file's old ``witness_key`` as ``retired`` (the carrier held it, so it signs nothing new; old
    checkpoints carry its line and still verify). None for a key file opened read-only that predates the
    log key."""
    origin = f"parcelguard/{settings.carrier_prefix.lower()}/audit"
    try:
        log_seed = keyfile.log_key
    except KeyStoreError:
        return None
    retired: tuple[NoteVerifier, ...] = ()
    with contextlib.suppress(KeyStoreError):  # a key file made since holds no witness key
        retired = (Ed25519NoteSigner(f"{origin}/witness", keyfile.witness_key).verifier,)
    witness_keys = tuple(Ed25519CosignatureVerifier(w.name, w.public_key) for w in settings.witness_entries)
    if retired:
        _say_witness_retired(bool(witness_keys))
    return LogKeys(
        origin=origin,
        log=Ed25519NoteSigner(origin, log_seed),
        witness_keys=witness_keys,
        retired=retired,
    )


def witness_endpoints(settings: Settings, keys: LogKeys | None) -> tuple[WitnessEndpoint, ...]:
    """The witnesses of PARCELGUARD_WITNESSES that have an add-checkpoint URL, for the sequencer to
    submit checkpoints to (adapters/witness_client.py); none without the log's key."""
    if keys is None or not keys.witness_keys:
        return ()
    from parcelguard.adapters.witness_client import HttpWitness  # urllib.request: only when there are any

    verifiers = {v.name: v for v in keys.witness_keys}
    return tuple(
        HttpWitness(w.add_checkpoint_url, verifiers[w.name])
        for w in settings.witness_entries
        if w.add_checkpoint_url is not None and w.name in verifiers
    )


_log = logging.getLogger("parcelguard.bootstrap")
_retired_said = False


def _say_witness_retired(has_witnesses: bool) -> None:
    """Once per process: the key file's witness key no longer signs, and what replaces it."""
    global _retired_said
    if _retired_said:
        return
    _retired_said = True
    if has_witnesses:
        _log.info(
            "audit log: the key file's witness key is retired; PARCELGUARD_WITNESSES cosign checkpoints"
        )
        return
    _log.warning(
        "audit log: the key file's witness key is retired (the carrier held it, so its cosignature proved "
        "nothing); old checkpoints still verify with it. Have another party run `parcelguard audit witness "
        "init` and name its key in PARCELGUARD_WITNESSES (docs/audit-log.md, Witnesses)"
    )


def login_policy(settings: Settings) -> LoginPolicy:
    """Sign-in throttling and credential lifetimes from PARCELGUARD_LOGIN_* and *_TTL_S."""
    return LoginPolicy(
        max_failures=settings.login_max_failures,
        client_max_failures=settings.login_client_max_failures,
        window=timedelta(seconds=settings.login_window_s),
        lockout=timedelta(seconds=settings.login_lockout_s),
        token_ttl=timedelta(seconds=settings.access_token_ttl_s),
        session_ttl=timedelta(seconds=settings.session_ttl_s),
        throttle_retention=timedelta(seconds=max(settings.login_window_s, settings.track_verify_lockout_s)),
    )


def reveal_limits(settings: Settings) -> RevealLimits:
    """Grace period, quota, ceiling and notice threshold from PARCELGUARD_REVEAL_*; a ceiling below the
    quota is refused (ConfigurationError ``insecure_configuration``)."""
    try:
        return RevealLimits(
            grace=timedelta(hours=settings.reveal_grace_hours),
            daily_quota=settings.reveal_daily_quota,
            daily_ceiling=settings.reveal_daily_ceiling,
            notice_bulk_threshold=settings.reveal_notice_bulk_threshold,
            daily_request_ceiling=settings.reveal_daily_request_ceiling,
        )
    except ValueError:
        raise ConfigurationError(
            "PARCELGUARD_REVEAL_DAILY_CEILING must be at least PARCELGUARD_REVEAL_DAILY_QUOTA, and "
            "PARCELGUARD_REVEAL_DAILY_REQUEST_CEILING at least PARCELGUARD_REVEAL_DAILY_CEILING",
            code=ErrorCode.INSECURE_CONFIGURATION,
        ) from None


def _open_key_file(engine: Engine, key_path: Path, *, create: bool) -> KeyFile:
    if create and not key_path.exists() and database_holds_sealed_data(engine):
        raise KeyStoreError(
            "the key file is missing but the database already holds waybills or keys sealed with one; "
            "refusing to create a new key file: restore it from backup (PARCELGUARD_KEY_FILE)",
            code=ErrorCode.KEY_FILE_MISSING,
        )
    return KeyFile.load_or_create(key_path) if create else KeyFile.load(key_path)


def require_current_schema(runtime: Runtime) -> None:
    """Refuse to serve on a database that `parcelguard db upgrade` has not brought up to date, or with a
    key file that does not open what the database holds (KeyStoreError ``key_file_mismatch``)."""
    from parcelguard.adapters.db import migrate  # here: commands that never check start smaller

    current = migrate.current_revision(runtime.engine)
    head = migrate.head_revision(runtime.engine)
    if current is not None and current != head and current not in migrate.known_revisions():
        raise ConfigurationError(
            "the database schema was migrated by a newer ParcelGuard than this one: run that version "
            "(or restore a backup made for this one)",
            code=ErrorCode.DATABASE_NOT_READY,
        )
    if current != head:
        raise ConfigurationError(
            "the database schema is not current: run `parcelguard db upgrade`",
            code=ErrorCode.DATABASE_NOT_READY,
        )
    verify_key_file(runtime.ctx, actor="system:start")


def telephony_policy(settings: Settings) -> TelephonyPolicy:
    """Grace, cool-down and dispatch binding of virtual numbers (PARCELGUARD_VNUM_*)."""
    model = None if settings.vnum_dispatch_model == "none" else BindingModel(settings.vnum_dispatch_model)
    try:
        prefixes = parse_number_prefixes(settings.vnum_number_prefixes)
    except ValidationError as invalid:
        raise ConfigurationError(
            f"PARCELGUARD_VNUM_NUMBER_PREFIXES: {invalid.message}",
            code=ErrorCode.INVALID_CONFIGURATION,
            field="PARCELGUARD_VNUM_NUMBER_PREFIXES",
        ) from None
    return TelephonyPolicy(
        grace=timedelta(hours=settings.vnum_grace_hours),
        cooldown=timedelta(hours=settings.vnum_cooldown_hours),
        dispatch_model=model,
        number_prefixes=prefixes,
    )


def number_provider(settings: Settings, ctx: ServiceContext) -> NumberProvider:
    """Our SIP server (default: the binding table is the truth), or the cloud API PARCELGUARD_VNUM_CLOUD_*
    names (all four settings required)."""
    if settings.vnum_provider == "sip":

        def is_live(binding_id: str) -> bool:
            with ctx.uow() as uow:
                record = uow.virtual_numbers.get_binding(binding_id)
            return record is not None and record.ended_at is None

        return SipNumberProvider(is_live)
    secret = settings.vnum_cloud_access_key_secret
    if not (
        settings.vnum_cloud_endpoint
        and settings.vnum_cloud_access_key_id
        and secret
        and settings.vnum_cloud_pool_key
    ):
        raise ConfigurationError(
            "PARCELGUARD_VNUM_PROVIDER=cloud needs PARCELGUARD_VNUM_CLOUD_ENDPOINT, _ACCESS_KEY_ID, "
            "_ACCESS_KEY_SECRET and _POOL_KEY",
            code=ErrorCode.INVALID_CONFIGURATION,
            field="PARCELGUARD_VNUM_PROVIDER",
        )
    from parcelguard.adapters.telephony.cloud_provider import CloudNumberProvider  # urllib, http, ssl

    return CloudNumberProvider(
        settings.vnum_cloud_endpoint,
        access_key_id=settings.vnum_cloud_access_key_id,
        access_key_secret=secret.get_secret_value(),
        pool_key=settings.vnum_cloud_pool_key,
    )
