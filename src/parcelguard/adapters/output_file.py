"""Output files written whole or not at all, and only where the operator meant them to go.

Every command that writes a file (``--out``) checks its destination before doing any work: the folder must
already exist (it is never created silently: a typo would otherwise scatter files) and be writable, and
an existing destination must be a regular file, never a symbolic link (which could point anywhere), a
folder, a device or a pipe. The content goes to a temporary file beside the destination (mode 0600) that
is renamed over it when complete, so a reader never sees half a file and a failed run leaves the old one.
The destination is checked again just before the rename, in case it changed while the work ran.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from parcelguard.errors import ErrorCode, ValidationError


def _refuse(message: str, field: str) -> ValidationError:
    return ValidationError(message, code=ErrorCode.OUTPUT_NOT_WRITABLE, field=field)


def check_output_path(path: Path, *, field: str = "out") -> None:
    """Raise ValidationError ``output_not_writable`` unless ``path`` can be written and renamed into place.

    ``field`` names the option in the message (``--out``); the path itself is not repeated.
    """
    folder = path.parent
    try:
        folder_mode = folder.stat().st_mode
    except FileNotFoundError:
        raise _refuse("the output folder does not exist (it is not created: make it first)", field) from None
    except OSError:
        raise _refuse("the output folder cannot be read", field) from None
    if not stat.S_ISDIR(folder_mode):
        raise _refuse("the output's folder is not a folder", field)
    _probe(folder, field)
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    except OSError:
        raise _refuse("the output path cannot be examined", field) from None
    if stat.S_ISLNK(mode):
        raise _refuse("the output is a symbolic link: refusing to replace it", field)
    if not stat.S_ISREG(mode):
        raise _refuse("the output exists and is not a regular file: refusing to replace it", field)


@contextmanager
def atomic_text_output(path: Path, *, field: str = "out") -> Iterator[TextIO]:
    """A UTF-8 text handle on a temporary file beside ``path``, renamed over it when the block ends normally.

    Raises ValidationError ``output_not_writable`` as :func:`check_output_path` does, before anything is
    written and again before the rename; on any error the temporary file is removed and ``path`` untouched.
    """
    check_output_path(path, field=field)
    temporary = _temporary(path, field)
    try:
        with temporary.open("w", encoding="utf-8", newline="\n") as out:
            yield out
        check_output_path(path, field=field)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_bytes_atomically(path: Path, data: bytes, *, field: str = "out") -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (checked as above)."""
    check_output_path(path, field=field)
    temporary = _temporary(path, field)
    try:
        temporary.write_bytes(data)
        check_output_path(path, field=field)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _probe(folder: Path, field: str) -> None:
    """Create and remove a file in ``folder``: the one test of writability that also holds for root
    and for read-only or special file systems, where permission bits say nothing."""
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=".parcelguard-probe.", suffix=".tmp")
    except OSError:
        raise _refuse("the output folder is not writable", field) from None
    os.close(handle)
    Path(name).unlink(missing_ok=True)


def _temporary(path: Path, field: str) -> Path:
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError:
        raise _refuse("cannot create a file in the output folder", field) from None
    os.close(handle)
    return Path(name)
