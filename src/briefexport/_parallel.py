"""Run one call in a forked child process, so formats render on separate cores."""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from collections.abc import Callable
from typing import TypeVar

from .errors import BriefexportError

__all__ = ["fork_call"]

T = TypeVar("T")


def _child(fn: Callable[[], object], write_fd: int) -> None:
    try:
        payload = pickle.dumps((True, fn()))
    except BaseException as exc:  # noqa: BLE001 - everything must reach the parent
        if not isinstance(exc, BriefexportError):
            traceback.print_exc()
        try:
            payload = pickle.dumps((False, exc))
        except Exception:  # noqa: BLE001 - an unpicklable exception still has to be reported
            payload = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    with os.fdopen(write_fd, "wb") as pipe:
        pipe.write(payload)
    sys.stdout.flush()
    sys.stderr.flush()


def fork_call(fn: Callable[[], T]) -> Callable[[], T]:
    """Start ``fn()`` in a child process; return a function that waits for its result or re-raises its error.

    Where fork is unavailable the call simply runs now, in this process.
    """
    if not hasattr(os, "fork"):
        result = fn()
        return lambda: result
    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child; its result is asserted in the parent
        os.close(read_fd)
        try:
            _child(fn, write_fd)
        finally:
            os._exit(0)
    os.close(write_fd)

    def wait() -> T:
        with os.fdopen(read_fd, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        if not data:
            raise RuntimeError(f"render process ended without a result (exit status {os.waitstatus_to_exitcode(status)})")
        ok, value = pickle.loads(data)
        if ok:
            return value  # type: ignore[no-any-return]
        raise value

    return wait
