"""The key file: every long-lived secret ParcelGuard holds, kept outside the database.

Why a file outside the database: a stolen database dump (backups, replicas, a careless export) must be
useless on its own. The database only ever holds data keys *wrapped* by a key-encryption key (KEK) and
keyed HMACs; the keys that open or recompute them live here, readable by the service account alone.

What it holds, and why each is separate:

* ``keks`` -- versioned KEKs. New data keys are wrapped with the highest version; older versions stay so
  that records wrapped before a rotation still open until they are rewrapped. A version is never removed
  by this code: dropping one would make every record still wrapped under it unreadable.
* ``index_key`` -- the blind-index HMAC key (search by mobile / resident ID without storing them).
* ``token_key`` -- the label-token HMAC key (the QR code on the printed label).
* ``pseudonym_key`` -- the master key of de-identification pseudonyms (per-tenant keys are derived from it).
* ``fpe_key`` -- the AES key of format-preserving encryption (FF1) in de-identification.
* ``log_key`` -- the Ed25519 private key (32-byte seed) that signs the audit log's checkpoints (issue 11).
* ``witness_key`` -- retired: an Ed25519 seed that co-signed checkpoints while the carrier held it (which
  proved nothing: witnesses are parties of their own now, docs/audit-log.md). No file gets one any more;
  a file that holds one keeps it, unchanged, because checkpoints already published carry its line.

One key per purpose means a leak or misuse of one never weakens the others, and lets each be reasoned about
(and one day rotated) on its own.

On-disk format (``format`` 1), all keys standard base64, each exactly 32 bytes::

    {"format": 1, "keks": {"1": "...", "2": "..."}, "index_key": "...", "token_key": "...",
     "pseudonym_key": "...", "fpe_key": "...", "log_key": "...", "witness_key": "..."}

``pseudonym_key``, ``fpe_key`` and ``log_key`` came later: a file without them still loads, and
:meth:`KeyFile.load_or_create` adds them (fresh random keys, one atomic rewrite under the rotation lock)
without changing any existing key. ``witness_key`` is optional and never added.

Error messages name neither the file's path nor a key version: they reach HTTP answers and logs, and the
operator knows where the key file is (``PARCELGUARD_KEY_FILE``; ``parcelguard keys status`` shows it).

A running process notices a rotation made by another (``parcelguard keys rotate``): before wrapping a new
data key it checks, at most every ``RECHECK_SECONDS``, whether the file was replaced (inode, size, times)
and reloads it, so new data keys are never wrapped for long under a retired version. A key file that
vanished meanwhile stops wrapping (``KEY_FILE_MISSING``) rather than sealing more data with keys that now
exist only in memory.

Durability: every write goes to a fresh 0600 temporary file in the same directory, is fsynced, and is then
moved into place (``os.link`` for creation, so an existing file is never overwritten; ``os.replace`` for
rotation). A crash at any point leaves either the old complete file or the new complete file, never a torn
one. Rotation holds an exclusive ``flock`` on a sidecar ``.lock`` file and re-reads the file under it, so two
processes rotating at once cannot lose a version.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import json
import os
import secrets
import stat
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

from parcelguard.errors import ErrorCode, KeyStoreError

FORMAT_VERSION = 1
KEY_BYTES = 32
_MAX_FILE_BYTES = 1 << 20  # a real key file is a few KiB; refuse to slurp anything absurd
RECHECK_SECONDS = 0.1  # one stat() of the key file at most this often on the wrapping path (~3 us each)
_ENV = "PARCELGUARD_KEY_FILE"


class _KeySet:
    """One immutable snapshot of the file's contents; swapped whole so readers never see half a rotation."""

    __slots__ = (
        "current",
        "fpe_key",
        "index_key",
        "keks",
        "log_key",
        "pseudonym_key",
        "token_key",
        "witness_key",
    )

    def __init__(
        self,
        keks: Mapping[int, bytes],
        index_key: bytes,
        token_key: bytes,
        pseudonym_key: bytes | None = None,
        fpe_key: bytes | None = None,
        log_key: bytes | None = None,
        witness_key: bytes | None = None,
    ) -> None:
        self.keks: Mapping[int, bytes] = MappingProxyType(dict(keks))
        self.index_key = index_key
        self.token_key = token_key
        self.pseudonym_key = pseudonym_key
        self.fpe_key = fpe_key
        self.log_key = log_key
        self.witness_key = witness_key
        self.current = max(keks)  # new DEKs always use the highest version; read on every wrap

    @property
    def complete(self) -> bool:
        """False for a file written before the de-identification or log keys existed (``witness_key`` is
        retired: kept where a file holds it, never made)."""
        return all(k is not None for k in (self.pseudonym_key, self.fpe_key, self.log_key))

    def with_new_kek(self) -> _KeySet:
        keks = dict(self.keks)
        keks[self.current + 1] = secrets.token_bytes(KEY_BYTES)
        return _KeySet(
            keks,
            self.index_key,
            self.token_key,
            self.pseudonym_key,
            self.fpe_key,
            self.log_key,
            self.witness_key,
        )

    def with_missing_keys(self) -> _KeySet:
        """The same keys plus fresh ones for any purpose this file predates; existing keys never change."""
        return _KeySet(
            self.keks,
            self.index_key,
            self.token_key,
            self.pseudonym_key or secrets.token_bytes(KEY_BYTES),
            self.fpe_key or secrets.token_bytes(KEY_BYTES),
            self.log_key or secrets.token_bytes(KEY_BYTES),
            self.witness_key,  # retired: kept as it is, never made
        )

    def to_json(self) -> bytes:
        doc = {
            "format": FORMAT_VERSION,
            "keks": {str(v): _b64(k) for v, k in sorted(self.keks.items())},
            "index_key": _b64(self.index_key),
            "token_key": _b64(self.token_key),
        }
        if self.pseudonym_key is not None:
            doc["pseudonym_key"] = _b64(self.pseudonym_key)
        if self.fpe_key is not None:
            doc["fpe_key"] = _b64(self.fpe_key)
        if self.log_key is not None:
            doc["log_key"] = _b64(self.log_key)
        if self.witness_key is not None:
            doc["witness_key"] = _b64(self.witness_key)
        return (json.dumps(doc, indent=2) + "\n").encode("ascii")


class KeyFile:
    """Versioned KEKs plus the blind-index and label-token keys, loaded from (and persisted to) one file.

    Build it with :meth:`create`, :meth:`load` or :meth:`load_or_create`, never directly. Thread-safe for
    readers; :meth:`add_kek_version` is safe across processes (file lock) and threads (snapshot swap).
    """

    __slots__ = ("_checked_ns", "_keys", "_path", "_stamp")

    def __init__(self, path: Path, keys: _KeySet, stamp: _Stamp | None = None) -> None:
        self._path = path
        self._keys = keys
        self._stamp = stamp if stamp is not None else _stamp_of(path)
        self._checked_ns = time.monotonic_ns()

    def __repr__(self) -> str:
        # Never the keys, nor the path or versions: reprs end up in logs and tracebacks.
        return "KeyFile(<keys hidden>)"

    # -- construction ------------------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path | str) -> KeyFile:
        """Create a new key file with fresh random keys (KEK version 1); refuse to replace an existing one.

        Overwriting a key file would make every record encrypted under it unreadable, so an existing file
        is an error (``KEY_FILE_INSECURE``: the operator is about to do something destructive), not a reset.
        """
        path = Path(path)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        keys = _KeySet(
            {1: secrets.token_bytes(KEY_BYTES)},
            index_key=secrets.token_bytes(KEY_BYTES),
            token_key=secrets.token_bytes(KEY_BYTES),
            pseudonym_key=secrets.token_bytes(KEY_BYTES),
            fpe_key=secrets.token_bytes(KEY_BYTES),
            log_key=secrets.token_bytes(KEY_BYTES),
        )
        with temp_file(path, keys.to_json()) as tmp:
            try:
                os.link(tmp, path)  # atomic, and fails if the name is taken: never overwrites
            except FileExistsError:
                raise KeyStoreError(
                    "the key file already exists; refusing to overwrite it "
                    "(that would make every encrypted record unreadable)",
                    code=ErrorCode.KEY_FILE_INSECURE,
                ) from None
        fsync_dir(path.parent)
        return cls(path, keys)

    @classmethod
    def load(cls, path: Path | str) -> KeyFile:
        """Load and validate a key file, refusing one that anybody but its owner could read or change."""
        path = Path(path)
        stamp = _stamp_of(path)
        return cls(path, _read(path), stamp)

    @classmethod
    def load_or_create(cls, path: Path | str) -> KeyFile:
        """Load the key file, creating it first if it does not exist yet (first start of a fresh install).

        A file written before the de-identification keys existed gets them added here, atomically.
        """
        try:
            loaded = cls.load(path)
        except KeyStoreError as exc:
            if exc.code is not ErrorCode.KEY_FILE_MISSING:
                raise
        else:
            if not loaded._keys.complete:
                try:
                    loaded._add_missing_keys()
                except OSError:
                    raise KeyStoreError(
                        "the key file lacks the de-identification keys and cannot be updated "
                        "(is its directory writable by this process?)",
                        code=ErrorCode.KEY_FILE_INSECURE,
                    ) from None
            return loaded
        try:
            return cls.create(path)
        except KeyStoreError as create_failed:
            if create_failed.code is not ErrorCode.KEY_FILE_INSECURE:
                raise
            return cls.load_or_create(path)  # another process created it between our load and create

    # -- reading -----------------------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self._path

    @property
    def current_kek_version(self) -> int:
        """The version new data keys are wrapped with: always the highest one, including versions another
        process added since (see the module docstring); KEY_FILE_MISSING once the file has gone."""
        self._reload_if_replaced()
        return self._keys.current

    @property
    def kek_versions(self) -> tuple[int, ...]:
        return tuple(sorted(self._keys.keks))

    def kek(self, version: int) -> bytes:
        """The KEK of ``version``; re-reads the file once if unknown, as another process may have rotated."""
        key = self._keys.keks.get(version)
        if key is None:
            self.reload()
            key = self._keys.keks.get(version)
        if key is None:
            raise KeyStoreError(
                "the key file lacks the key-encryption key this data was wrapped with (an older key file?)",
                code=ErrorCode.KEY_VERSION_UNKNOWN,
            )
        return key

    @property
    def index_key(self) -> bytes:
        return self._keys.index_key

    @property
    def token_key(self) -> bytes:
        return self._keys.token_key

    @property
    def pseudonym_key(self) -> bytes:
        """Master key of de-identification pseudonyms; per-tenant keys are derived from it."""
        return self._purpose_key(self._keys.pseudonym_key, "pseudonym_key")

    @property
    def fpe_key(self) -> bytes:
        """AES key of format-preserving encryption (FF1)."""
        return self._purpose_key(self._keys.fpe_key, "fpe_key")

    @property
    def log_key(self) -> bytes:
        """Ed25519 seed of the audit log's checkpoint signatures."""
        return self._purpose_key(self._keys.log_key, "log_key")

    @property
    def witness_key(self) -> bytes:
        """Ed25519 seed of the retired key-file witness (old checkpoints carry its line; it signs nothing
        new); KeyStoreError ``key_version_unknown`` for a file that never held one."""
        if self._keys.witness_key is None:
            raise KeyStoreError(
                "the key file holds no (retired) witness key: witnesses keep their own keys now",
                code=ErrorCode.KEY_VERSION_UNKNOWN,
            )
        return self._keys.witness_key

    def _purpose_key(self, key: bytes | None, name: str) -> bytes:
        if key is None:
            raise KeyStoreError(
                f"the key file predates '{name}'; start ParcelGuard once with key creation enabled to add it",
                code=ErrorCode.KEY_VERSION_UNKNOWN,
            )
        return key

    def reload(self) -> None:
        """Pick up versions another process added; refuse a file that lost keys or changed existing ones."""
        stamp = _stamp_of(self._path)
        fresh = _read(self._path)
        _check_successor(self._keys, fresh)
        self._keys = fresh
        self._stamp = stamp

    def _reload_if_replaced(self) -> None:
        now = time.monotonic_ns()
        if now - self._checked_ns < RECHECK_SECONDS * 1e9:
            return
        self._checked_ns = now
        stamp = _stamp_of(self._path)
        if stamp is None:
            raise KeyStoreError(
                f"the key file has gone; refusing to wrap new data keys until it is restored ({_ENV})",
                code=ErrorCode.KEY_FILE_MISSING,
            )
        if stamp != self._stamp:
            self.reload()

    def _add_missing_keys(self) -> None:
        """Add the keys this file predates, under the rotation lock; a no-op if another process did."""
        with exclusive_lock(self._path):
            on_disk = _read(self._path)
            _check_successor(self._keys, on_disk)
            if on_disk.complete:
                self._keys = on_disk
                return
            upgraded = on_disk.with_missing_keys()
            with temp_file(self._path, upgraded.to_json()) as tmp:
                os.replace(tmp, self._path)
            fsync_dir(self._path.parent)
            self._keys = upgraded
            self._stamp = _stamp_of(self._path)

    # -- rotation ----------------------------------------------------------------------------------------

    def add_kek_version(self) -> int:
        """Add a fresh KEK as the new current version, persist it atomically, and return its number.

        Existing wrapped keys keep working (their version stays in the file); rewrap them at leisure.
        """
        with exclusive_lock(self._path):
            on_disk = _read(self._path)
            _check_successor(self._keys, on_disk)
            rotated = on_disk.with_new_kek()
            with temp_file(self._path, rotated.to_json()) as tmp:
                os.replace(tmp, self._path)
            fsync_dir(self._path.parent)
            self._keys = rotated
            self._stamp = _stamp_of(self._path)
        return rotated.current


# -- file helpers ----------------------------------------------------------------------------------------


_Stamp = tuple[int, int, int, int, int]


def _stamp_of(path: Path) -> _Stamp | None:
    """What changes whenever the file is replaced or rewritten; None if it is not there."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _corrupt(why: str) -> KeyStoreError:
    return KeyStoreError(f"the key file is corrupt: {why}", code=ErrorCode.KEY_FILE_CORRUPT)


def read_secure(path: Path, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of the secret file at ``path`` (one more than allowed, so the caller can
    tell a file that is too large), after :func:`check_secure` on the open descriptor. The open's
    FileNotFoundError / PermissionError reach the caller, which says what file is missing in its own words;
    shared with the witness's files (witness_files.py)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        check_secure(fd)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as fh:
        return fh.read(limit + 1)


def _read(path: Path) -> _KeySet:
    try:
        raw = read_secure(path, _MAX_FILE_BYTES)
    except FileNotFoundError:
        raise KeyStoreError(
            f"there is no key file where it is configured ({_ENV})", code=ErrorCode.KEY_FILE_MISSING
        ) from None
    except PermissionError:
        raise KeyStoreError(
            "the key file is not readable by this process", code=ErrorCode.KEY_FILE_MISSING
        ) from None
    if len(raw) > _MAX_FILE_BYTES:
        raise _corrupt("file is far too large")
    return _parse(raw)


def check_secure(fd: int) -> None:
    """Refuse an open secret file that is not a regular file (``key_file_corrupt``) or that group or others
    may read or write (``key_file_insecure``); shared with the witness's files (witness_files.py)."""
    # fstat the descriptor we are about to read, not the name, so a swap between check and read is useless.
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise _corrupt("not a regular file")
    if st.st_mode & 0o077:
        raise KeyStoreError(
            f"the key file has mode {stat.S_IMODE(st.st_mode):04o}; it must not be readable or "
            "writable by group or others (chmod 600)",
            code=ErrorCode.KEY_FILE_INSECURE,
        )


def _parse(raw: bytes) -> _KeySet:
    # Parse errors are turned into a flag and raised outside the except block, so the original exception
    # (whose attributes hold the file's text, i.e. key material) is not even chained as __context__.
    doc: object = None
    with contextlib.suppress(ValueError):
        doc = json.loads(raw)
    if not isinstance(doc, dict):
        raise _corrupt("not a JSON object")
    fmt = doc.get("format")
    if type(fmt) is not int or fmt != FORMAT_VERSION:
        raise _corrupt(f"unsupported format (expected {FORMAT_VERSION})")
    raw_keks = doc.get("keks")
    if not isinstance(raw_keks, dict) or not raw_keks:
        raise _corrupt("'keks' must be a non-empty object")
    keks: dict[int, bytes] = {}
    for name, value in raw_keks.items():
        if not (isinstance(name, str) and name.isascii() and name.isdigit() and name[0] != "0"):
            raise _corrupt("KEK versions must be positive integers")
        keks[int(name)] = _key(value, "a key-encryption key")
    return _KeySet(
        keks,
        index_key=_key(doc.get("index_key"), "'index_key'"),
        token_key=_key(doc.get("token_key"), "'token_key'"),
        pseudonym_key=_optional_key(doc, "pseudonym_key"),
        fpe_key=_optional_key(doc, "fpe_key"),
        log_key=_optional_key(doc, "log_key"),
        witness_key=_optional_key(doc, "witness_key"),
    )


def _optional_key(doc: dict[str, object], name: str) -> bytes | None:
    """A key added after format 1 shipped: absent is fine (added on load_or_create), malformed is not."""
    if name not in doc:
        return None
    return _key(doc[name], f"'{name}'")


def _key(value: object, what: str) -> bytes:
    key: bytes | None = None
    if isinstance(value, str):
        with contextlib.suppress(binascii.Error, ValueError):
            key = base64.b64decode(value.encode("ascii"), validate=True)
    if key is None or len(key) != KEY_BYTES:
        raise _corrupt(f"{what} is not {KEY_BYTES} base64-encoded bytes")
    return key


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def _check_successor(old: _KeySet, new: _KeySet) -> None:
    """A key file may only ever gain KEK versions; anything else would strand data encrypted under it."""
    same_keks = all(new.keks.get(v) == k for v, k in old.keks.items())
    same_purpose_keys = all(
        kept is None or kept == fresh
        for kept, fresh in (
            (old.pseudonym_key, new.pseudonym_key),
            (old.fpe_key, new.fpe_key),
            (old.log_key, new.log_key),
            (old.witness_key, new.witness_key),
        )
    )
    if (
        not same_keks
        or not same_purpose_keys
        or new.index_key != old.index_key
        or new.token_key != old.token_key
    ):
        raise _corrupt("it no longer holds keys this process is already using (replaced or edited?)")


@contextlib.contextmanager
def temp_file(path: Path, content: bytes) -> Iterator[Path]:
    """A fully written, fsynced 0600 file next to ``path``; removed afterwards whatever happens."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        yield tmp
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def fsync_dir(directory: Path) -> None:
    """Make the rename/link itself durable, not only the file's bytes."""
    fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """An exclusive ``flock`` on the sidecar ``<path>.lock`` (0600), held for the ``with`` block, across
    processes: the read-check-write of a secret file happens inside it."""
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
