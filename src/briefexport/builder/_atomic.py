"""Write an output file so that readers see the old file or the complete new one, never half."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import RenderError

__all__ = ["commit", "reserve", "write_atomically"]


def write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``target``, then move it into place.

    On any exception the temporary file is removed and ``target`` is untouched.
    """
    tmp = reserve(target)
    try:
        write(tmp)
        commit(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def reserve(target: Path) -> Path:
    """Create the output folder if needed and an empty temporary file beside ``target``."""
    if target.is_dir():
        raise RenderError(f"{target}: is a folder; remove it or choose another output folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise RenderError(f"{target}: cannot write: {exc.strerror or exc}") from None
    os.close(handle)
    return Path(name)


def commit(tmp: Path, target: Path) -> None:
    """Move a finished temporary file into place (an atomic rename on one file system)."""
    try:
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        raise RenderError(f"{target}: cannot write: {exc.strerror or exc}") from None
