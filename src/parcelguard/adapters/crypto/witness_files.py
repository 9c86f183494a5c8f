"""The witness's own folder: its key and the logs it follows (``witness-key.json``), and the latest head it
cosigned for each log (``witness-heads.json``). Kept apart from the carrier's key file on purpose: the
carrier must not hold the witness's key (docs/audit-log.md, "Witnesses").

Both files are 0600 (refused otherwise, as the carrier's key file is) and written the key file's way: a
fresh fsynced temporary file moved into place. The key file is written once, by ``init`` (never
overwritten); trusting another log key rewrites it under its lock. The heads file is rewritten at every
cosignature under an exclusive ``flock``, with the check inside the lock, so two cosignings at once
cannot roll a head back (tlog-witness's race).

Formats (``format`` 1, keys and hashes standard base64)::

    witness-key.json   {"format": 1, "name": "compliance.example/witness", "key": "<32-byte seed>",
                        "logs": {"parcelguard/pg/audit": ["parcelguard/pg/audit+<hash>+<key>"]}}
    witness-heads.json {"format": 1, "heads": {"parcelguard/pg/audit": {"size": 501, "root": "..."}}}
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path

from parcelguard.adapters.crypto.cosignature import Ed25519Cosigner
from parcelguard.adapters.crypto.keyfile import (
    exclusive_lock,
    fsync_dir,
    read_secure,
    temp_file,
)
from parcelguard.adapters.crypto.note_keys import Ed25519NoteVerifier
from parcelguard.domain.checkpoint import CheckpointError, NoteVerifier, check_key_name
from parcelguard.domain.witness import TreeHead
from parcelguard.errors import ErrorCode, KeyStoreError
from parcelguard.services.witness import Decision

FORMAT_VERSION = 1
KEY_FILE = "witness-key.json"
HEADS_FILE = "witness-heads.json"
_MAX_BYTES = 1 << 20


def _corrupt(what: str) -> KeyStoreError:
    return KeyStoreError(f"the witness's {what} is corrupt", code=ErrorCode.KEY_FILE_CORRUPT)


class WitnessFiles:
    """services.witness.WitnessBook over a folder, and the witness's cosigner. Build it with
    :meth:`create` or :meth:`open`."""

    __slots__ = ("_cosigner", "_folder", "_logs")

    def __init__(self, folder: Path, cosigner: Ed25519Cosigner, logs: Mapping[str, list[str]]) -> None:
        self._folder = folder
        self._cosigner = cosigner
        self._logs = {origin: list(keys) for origin, keys in logs.items()}

    def __repr__(self) -> str:
        return "WitnessFiles(<key hidden>)"

    @classmethod
    def create(cls, folder: Path, name: str, log_keys: Sequence[str]) -> WitnessFiles:
        """A new witness named ``name`` following the logs of ``log_keys`` (note verifier keys, their
        name being the log's origin), with a fresh key; KeyStoreError ``key_file_insecure`` when the
        folder already holds a witness key (replacing it would orphan every cosignature it made),
        CheckpointError for a malformed log key or name."""
        check_key_name(name)
        logs: dict[str, list[str]] = {}
        for text in log_keys:
            verifier = Ed25519NoteVerifier.from_text(text)
            logs.setdefault(verifier.name, []).append(verifier.text)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        seed = secrets.token_bytes(32)
        path = folder / KEY_FILE
        doc = {"format": FORMAT_VERSION, "name": name, "key": _b64(seed), "logs": logs}
        with temp_file(path, _json(doc)) as tmp:
            try:
                os.link(tmp, path)  # never overwrites
            except FileExistsError:
                raise KeyStoreError(
                    "this folder already holds a witness key; refusing to replace it",
                    code=ErrorCode.KEY_FILE_INSECURE,
                ) from None
        fsync_dir(folder)
        return cls(folder, Ed25519Cosigner(name, seed), logs)

    @classmethod
    def open(cls, folder: Path) -> WitnessFiles:
        """The witness of ``folder``; KeyStoreError when its key file is missing, readable by others or
        corrupt."""
        doc = _read(folder / KEY_FILE, "key file")
        name, key, logs = doc.get("name"), doc.get("key"), doc.get("logs")
        if doc.get("format") != FORMAT_VERSION or not isinstance(name, str) or not isinstance(logs, dict):
            raise _corrupt("key file")
        seed = _unb64(key, 32, "key file")
        try:
            cosigner = Ed25519Cosigner(name, seed)
            parsed = {
                str(o): [Ed25519NoteVerifier.from_text(str(k)).text for k in ks] for o, ks in logs.items()
            }
        except (CheckpointError, ValueError, TypeError):
            raise _corrupt("key file") from None
        return cls(folder, cosigner, parsed)

    @property
    def cosigner(self) -> Ed25519Cosigner:
        return self._cosigner

    def logs(self) -> Mapping[str, Sequence[NoteVerifier]]:
        return {
            origin: [Ed25519NoteVerifier.from_text(k) for k in keys] for origin, keys in self._logs.items()
        }

    def heads(self) -> Mapping[str, TreeHead]:
        return _heads(self._folder / HEADS_FILE)

    def record(self, decide: Decision) -> TreeHead:
        path = self._folder / HEADS_FILE
        with exclusive_lock(path):
            heads = dict(_heads(path))
            origin, head = decide(heads)
            heads[origin] = head
            doc = {
                "format": FORMAT_VERSION,
                "heads": {o: {"size": h.size, "root": _b64(h.root_hash)} for o, h in sorted(heads.items())},
            }
            with temp_file(path, _json(doc)) as tmp:
                os.replace(tmp, path)
            fsync_dir(self._folder)
        return head


def _heads(path: Path) -> dict[str, TreeHead]:
    if not path.exists():
        return {}
    doc = _read(path, "heads file")
    raw = doc.get("heads")
    if doc.get("format") != FORMAT_VERSION or not isinstance(raw, dict):
        raise _corrupt("heads file")
    heads: dict[str, TreeHead] = {}
    for origin, head in raw.items():
        size = head.get("size") if isinstance(head, dict) else None
        if type(size) is not int or size < 0:
            raise _corrupt("heads file")
        heads[str(origin)] = TreeHead(size, _unb64(head.get("root"), 32, "heads file"))
    return heads


def _read(path: Path, what: str) -> dict[str, object]:
    try:
        raw = read_secure(path, _MAX_BYTES)
    except FileNotFoundError:
        raise KeyStoreError(
            f"there is no witness {what} in this folder (parcelguard audit witness init)",
            code=ErrorCode.KEY_FILE_MISSING,
        ) from None
    doc: object = None
    with contextlib.suppress(ValueError):
        doc = json.loads(raw)
    if len(raw) > _MAX_BYTES or not isinstance(doc, dict):
        raise _corrupt(what)
    return doc


def _unb64(value: object, length: int, what: str) -> bytes:
    decoded = b""
    if isinstance(value, str):
        with contextlib.suppress(binascii.Error, ValueError):
            decoded = base64.b64decode(value.encode("ascii"), validate=True)
    if len(decoded) != length:
        raise _corrupt(what)
    return decoded


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _json(doc: object) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=True) + "\n").encode("ascii")
