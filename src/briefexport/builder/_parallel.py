"""Run work in a forked child process, so that formats render on separate cores.

Two pieces, both built on pipes:

* :func:`fork_worker` starts a child *before* its input exists: the child runs ``prepare()``
  (imports, font set-up) while the parent is still reading the outline, then waits for the
  argument the parent sends, runs ``work(prepared, argument)`` and pipes the result back.
* :class:`TaskQueue` hands out items to whichever process asks first (a pipe holding one byte
  per item: every read of one byte is atomic), so neither process idles while the other
  still has several formats to write.

Where ``fork`` is unavailable, a worker runs in this process when its result is asked for.
"""

from __future__ import annotations

import _thread
import contextlib
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from ..errors import BriefexportError, RenderError

__all__ = ["TaskQueue", "Worker", "can_fork", "fork_worker"]

A = TypeVar("A")
P = TypeVar("P")
R = TypeVar("R")
T = TypeVar("T")


def can_fork() -> bool:
    """True where work can run in a forked child."""
    return hasattr(os, "fork")


class TaskQueue(Generic[T]):
    """Items taken one at a time, by this process or a forked child, each by exactly one of them.

    Create it before forking; both processes then call :meth:`take` until it returns None.
    """

    def __init__(self, items: Sequence[T]) -> None:
        if len(items) > 255:
            raise ValueError("a task queue holds at most 255 items")
        self._items = tuple(items)
        self._read, write = os.pipe()
        # All items are written before anyone reads and the write end is closed at once, so an
        # empty pipe means end of file: a reader never blocks.
        os.write(write, bytes(range(len(self._items))))
        os.close(write)

    def take(self) -> T | None:
        """The next item nobody has taken yet, or None when all are taken."""
        if self._read < 0:
            return None
        byte = os.read(self._read, 1)
        if not byte:
            self.close()
            return None
        return self._items[byte[0]]

    def drain(self) -> None:
        """Take every remaining item without doing it (this process gives up)."""
        while self.take() is not None:
            pass

    def close(self) -> None:
        if self._read >= 0:
            os.close(self._read)
            self._read = -1


class Worker(Generic[A, R]):
    """A child started by :func:`fork_worker`: send it one argument (or cancel it), then ask for its result."""

    def __init__(self, pid: int, arg_fd: int, result_fd: int) -> None:
        self._pid = pid
        self._arg_fd = arg_fd
        self._result_fd = result_fd

    def send(self, arg: A) -> None:
        """Give the child its argument; it starts working as soon as it has it and is prepared."""
        data = pickle.dumps(arg, protocol=pickle.HIGHEST_PROTOCOL)
        fd, self._arg_fd = self._arg_fd, -1  # given away even if writing is interrupted
        try:
            with os.fdopen(fd, "wb") as pipe:
                pipe.write(data)
        except BrokenPipeError:
            pass  # the child is gone; result() reports why

    def cancel(self) -> None:
        """Tell the child there is nothing to do (it exits without output) and wait for it."""
        if self._arg_fd >= 0:
            os.close(self._arg_fd)
            self._arg_fd = -1
        os.close(self._result_fd)  # first: a child with something to say must not block on a full pipe
        self._reap()

    def result(self) -> R:
        """Wait for the child and return its result, or raise the error it raised."""
        with os.fdopen(self._result_fd, "rb") as pipe:
            data = pipe.read()
        status = self._reap()
        if not data:
            raise RenderError(f"the render process {_how_it_ended(status)} before it finished; nothing was written")
        ok, value = pickle.loads(data)
        if ok:
            return value  # type: ignore[no-any-return]
        raise value

    @property
    def done(self) -> bool:
        """True once the child has been waited for."""
        return self._pid < 0

    def interrupt(self) -> None:
        """Ask the child to stop early (it cleans up and reports KeyboardInterrupt); :meth:`result` still reaps it."""
        if not self.done:  # never signal a process id that may since belong to another process
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGINT)

    def _reap(self) -> int:
        _, status = os.waitpid(self._pid, 0)
        self._pid = -1
        return status


def _how_it_ended(status: int) -> str:
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed ({name}{', out of memory?' if -code == signal.SIGKILL else ''})"
    return f"ended (exit status {code})"


class _InProcess(Worker[A, R]):
    """The stand-in where fork is unavailable: prepares and works when the result is asked for."""

    def __init__(self, prepare: Callable[[], P], work: Callable[[P, A], R]) -> None:  # noqa: D107
        self._prepare, self._work = prepare, work
        self._arg: tuple[A] | None = None

    def send(self, arg: A) -> None:
        self._arg = (arg,)

    def cancel(self) -> None:
        self._arg = None

    @property
    def done(self) -> bool:
        return self._arg is None

    def interrupt(self) -> None:
        pass  # nothing runs until result() is asked for

    def result(self) -> R:
        if self._arg is None:
            raise RuntimeError("the worker was given nothing to do")
        return self._work(self._prepare(), self._arg[0])


def fork_worker(prepare: Callable[[], P], work: Callable[[P, A], R]) -> Worker[A, R]:
    """Start a child that runs ``prepare()`` now and ``work(prepared, arg)`` once the parent sends ``arg``.

    An error in ``prepare`` is raised by :meth:`Worker.result`, after the argument is sent. A
    cancelled child exits quietly, whatever ``prepare`` did.
    """
    if not can_fork():
        return _InProcess(prepare, work)
    _flush()
    arg_read, arg_write = os.pipe()
    result_read, result_write = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child; its result is asserted in the parent
        os.close(arg_write)
        os.close(result_read)
        try:
            _watch_parent(parent)
            _serve(prepare, work, arg_read, result_write)
        finally:
            os._exit(0)
    os.close(arg_read)
    os.close(result_write)
    return Worker(pid, arg_write, result_read)


def _flush() -> None:
    """Flush the standard streams (None when the process was started with them closed, ``>&-``)."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.flush()


#: How often an orphaned child looks whether its parent is still there, in seconds.
_WATCH_INTERVAL = 0.25


def _watch_parent(parent: int) -> None:  # pragma: no cover - runs in the child
    """Stop this child (as Ctrl-C would: it removes its temporary files) once its parent is gone.

    A parent killed with SIGKILL cannot tell the child; the child is then adopted by another
    process, so its parent id changes.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_WATCH_INTERVAL)
        _thread.interrupt_main()

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _serve(prepare: Callable[[], P], work: Callable[[P, A], R], arg_fd: int, result_fd: int) -> None:  # pragma: no cover
    """The child's side of a worker."""
    received: list[bytes] = []
    # Read the argument while preparing, so that the parent never waits for a full pipe.
    reader = threading.Thread(target=_receive, args=(arg_fd, received), daemon=True)
    reader.start()
    try:
        prepared: tuple[bool, object] = (True, prepare())
    except BaseException as exc:  # noqa: BLE001 - reported once there is something to report to
        prepared = (False, exc)
    reader.join()
    if prepared[0]:
        # pop: the pickled argument (the whole numbered outline, 5 MB at 20,000 items) is not kept while working.
        _child(lambda: work(prepared[1], pickle.loads(received.pop())), result_fd)  # type: ignore[arg-type]
    else:
        _child(lambda: _reraise(prepared[1]), result_fd)


def _receive(fd: int, received: list[bytes]) -> None:  # pragma: no cover - runs in the child
    with os.fdopen(fd, "rb") as pipe:
        data = pipe.read()
    if not data:
        # Cancelled: the parent failed before it had anything to send and waits for this
        # process to end. Nothing was written; end now rather than after preparing.
        os._exit(0)
    received.append(data)


def _reraise(exc: object) -> None:
    raise exc  # type: ignore[misc]


def _interrupted(exc: BaseException) -> bool:
    """Did ``exc`` arise while handling a KeyboardInterrupt (reportlab's toColor catches everything)?"""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def _child(fn: Callable[[], object], write_fd: int) -> None:
    try:
        payload = pickle.dumps((True, fn()))
    except BaseException as exc:  # noqa: BLE001 - everything must reach the parent
        for signum in (signal.SIGINT, signal.SIGTERM):  # stopping: a second signal must not interrupt the report
            with contextlib.suppress(ValueError, OSError):
                signal.signal(signum, signal.SIG_IGN)
        if _interrupted(exc):
            exc = KeyboardInterrupt()  # a library's bare ``except:`` turned the interrupt into its own error
        if isinstance(exc, Exception) and not isinstance(exc, BriefexportError):
            traceback.print_exc()  # a bug: its traceback belongs on screen (the parent prints one line)
        try:
            payload = pickle.dumps((False, exc))
        except Exception:  # noqa: BLE001 - an unpicklable exception still has to be reported
            payload = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    with contextlib.suppress(BrokenPipeError), os.fdopen(write_fd, "wb") as pipe:
        pipe.write(payload)  # a parent that is gone (killed) no longer reads
    _flush()
