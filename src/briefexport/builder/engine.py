"""A warm build engine: worker processes that load the renderers and fonts once, then build jobs.

A cold ``briefexport build`` spends most of its time importing python-docx, reportlab and
ebooklib and reading font metrics; a warm worker has done all that already, so a job costs only
the rendering itself. The web page's live preview and ``briefexport build A.yaml B.yaml …``
both use it::

    with Engine() as engine:
        result = engine.submit(text, formats=["pdf"]).result()
        pdf = result.files["pdf"]            # the bytes `briefexport build` would write

Each worker is a fresh interpreter (``python -c``, not a fork, so a host that runs threads,
such as a web server, can use it safely, and the host's own ``__main__`` is never re-run in
it), served by one thread of this process that hands it jobs
from a shared queue. A worker that dies, or whose job exceeds its timeout, is killed and
replaced; that job fails with :class:`WorkerLost` or :class:`BuildTimeout`, the others go on.
Errors in the input reach the caller as the library's own :class:`BriefexportError`
subclasses, message and location kept.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Coded, LocatedError, RenderError
from ..render import RENDERERS

if TYPE_CHECKING:
    from ..theme.loader import Theme

__all__ = ["FORMATS", "BuildResult", "BuildTimeout", "Engine", "WorkerLost", "default_workers"]

FORMATS: tuple[str, ...] = tuple(RENDERERS)

#: How long a new worker may take to import and load its fonts before it counts as lost.
_START_TIMEOUT = 120.0


class WorkerLost(RenderError, LocatedError):
    """The worker process building a job ended without a result (crashed, killed, out of memory).

    Located at the job's name: ``outline.yaml: error: the build worker ended …``.
    """


class BuildTimeout(RenderError, LocatedError):
    """A job took longer than its timeout; its worker was stopped and replaced."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What one job built."""

    files: Mapping[str, bytes]
    """Format → file bytes, byte-identical to what ``briefexport build`` writes."""
    warnings: tuple[str, ...]
    """The ``FILE:LINE:COL: warning: …`` lines the build logged, in order."""
    seconds: float
    """Time the worker spent on the job (loading, numbering, rendering)."""
    notes: tuple[str, ...] = ()
    """Informational lines (e.g. which bundled font stands in for an uninstalled one)."""
    cpu_seconds: float = 0.0
    """CPU time the worker spent on the job (wall time grows with other load on the machine; this less)."""
    coded: tuple[tuple[str, Coded], ...] = ()
    """Warning and note lines paired with what they say as a code and parameters (see :class:`~briefexport.errors.Coded`)."""


@dataclass(frozen=True, slots=True)
class _Job:
    """One build, as sent to a worker (pickled)."""

    name: str
    formats: tuple[str, ...]
    text: str | None = None
    path: str | None = None
    theme: str | Theme = "handout"
    theme_text: str | None = None
    theme_name: str = "theme.yaml"
    strict: bool = False
    embed_font: bool | None = None
    epoch: str | None = None
    """SOURCE_DATE_EPOCH as the submitting process saw it (workers keep the environment they started with)."""


#: What a worker process runs: find this very briefexport, warm up for the formats named, serve the socket given.
_WORKER_MAIN = (
    # SIGINT arrives blocked (see _Slot._start): ignore it before unblocking, so a Ctrl-C meant for
    # the owner, even one sent while this worker is still importing, neither kills it nor prints.
    "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "if hasattr(signal, 'pthread_sigmask'): signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})\n"
    "import sys; folder, fd, formats = sys.argv[1:4]\n"
    # A folder already on the path (site-packages) keeps its place: inserting it first would
    # let installed packages shadow the standard library.
    "if folder not in sys.path: sys.path.insert(0, folder)\n"
    "from briefexport.builder._engine_worker import main; main(int(fd), formats.split(','))"
)


def _package_folder() -> str:
    """The folder this process imported briefexport from (a source tree or site-packages)."""
    import briefexport

    return str(Path(briefexport.__file__).resolve().parent.parent)


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - platforms without sched_getaffinity
        return max(1, os.cpu_count() or 1)


# ------------------------------------------------------------------ the calling side


@dataclass(slots=True)
class _Pending:
    job: _Job
    timeout: float | None
    future: concurrent.futures.Future[BuildResult] = field(default_factory=concurrent.futures.Future)


class Engine:
    """A pool of warm build workers; a context manager (``close()`` stops the workers).

    ``workers`` defaults to one per core. Workers start at once and warm up in the
    background (importing the renderers of ``warm``, by default all formats, and loading the
    fonts when the PDF or the DOCX, which lays out its TOC's page numbers, is among them); jobs submitted meanwhile wait for the first worker that
    is ready. A job may ask for any format; one not warmed up is loaded by its first job.
    """

    def __init__(self, workers: int | None = None, *, warm: Sequence[str] = FORMATS) -> None:
        count = default_workers() if workers is None else workers
        if count < 1:
            raise ValueError("an engine needs at least one worker")
        self._jobs: queue.Queue[_Pending | None] = queue.Queue()
        self._closed = False
        self._lock = threading.Lock()
        prepare = ",".join(_formats(warm))
        self._slots = [_Slot(self._jobs, index, prepare) for index in range(count)]

    @property
    def workers(self) -> int:
        """How many worker processes the engine runs."""
        return len(self._slots)

    def pids(self) -> tuple[int | None, ...]:
        """The process id of each worker now (None while one is being replaced), e.g. for monitoring."""
        return tuple(slot.pid for slot in self._slots)

    def submit(
        self,
        outline_text: str,
        *,
        name: str = "outline.yaml",
        formats: Sequence[str] = FORMATS,
        theme: str | Theme = "handout",
        theme_text: str | None = None,
        strict: bool = False,
        embed_font: bool | None = None,
        timeout: float | None = None,
        theme_name: str = "theme.yaml",
    ) -> concurrent.futures.Future[BuildResult]:
        """Queue a build of outline YAML given as text; ``name`` is the file name errors and warnings show.

        ``theme`` is a preset name or a loaded :class:`Theme`; ``theme_text``, if given, is a
        theme file's YAML (it may extend presets only; its errors name ``theme_name``) and wins
        over ``theme``. ``timeout``
        counts from the moment a worker starts the job.
        """
        options = _options(theme, theme_text, strict, embed_font)
        job = _Job(name=name, formats=_formats(formats), text=outline_text, theme_name=theme_name, **options)
        return self._enqueue(job, timeout)

    def submit_file(
        self,
        path: str | Path,
        *,
        formats: Sequence[str] = FORMATS,
        theme: str | Theme = "handout",
        strict: bool = False,
        embed_font: bool | None = None,
        timeout: float | None = None,
    ) -> concurrent.futures.Future[BuildResult]:
        """Queue a build of an outline file, read by the worker exactly as ``briefexport build`` reads it."""
        job = _Job(name=str(path), formats=_formats(formats), path=str(path), **_options(theme, None, strict, embed_font))
        return self._enqueue(job, timeout)

    def _enqueue(self, job: _Job, timeout: float | None) -> concurrent.futures.Future[BuildResult]:
        if timeout is not None and timeout <= 0:
            raise ValueError("timeout must be positive")
        pending = _Pending(job, timeout)
        with self._lock:
            if self._closed:
                raise RuntimeError("the engine is closed")
            self._jobs.put(pending)
        return pending.future

    def close(self, *, cancel: bool = False) -> None:
        """Stop the workers once the queued jobs are done.

        ``cancel=True`` (also on leaving the ``with`` block by an exception, such as Ctrl-C)
        cancels the queued jobs and kills the workers at once; running jobs fail with WorkerLost.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if cancel:
            self._cancel_queued()
            for slot in self._slots:
                slot.abort()
        for _ in self._slots:
            self._jobs.put(None)
        for slot in self._slots:
            slot.join()

    def _cancel_queued(self) -> None:
        while True:
            try:
                pending = self._jobs.get_nowait()
            except queue.Empty:
                return
            if pending is not None:
                pending.future.cancel()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(cancel=exc[0] is not None)


def _formats(formats: Sequence[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(formats))
    unknown = [name for name in chosen if name not in RENDERERS]
    if unknown or not chosen:
        raise RenderError(f"unknown format '{unknown[0] if unknown else ''}'; available: {', '.join(sorted(RENDERERS))}")
    return chosen


def _options(theme: str | Theme, theme_text: str | None, strict: bool, embed_font: bool | None) -> dict[str, Any]:
    return {
        "theme": theme,
        "theme_text": theme_text,
        "strict": strict,
        "embed_font": embed_font,
        "epoch": os.environ.get("SOURCE_DATE_EPOCH"),
    }


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT blocked in the calling thread (not the process), where the platform has signal masks."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows: no masks; the worker ignores it on start
        yield
        return
    unblocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)


class _Slot:
    """One worker process and the thread of this process that feeds it jobs and replaces it when lost."""

    def __init__(self, jobs: queue.Queue[_Pending | None], index: int, warm: str) -> None:
        self._jobs = jobs
        self._warm = warm
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._start_error: str | None = None
        self._guard = threading.Lock()  # abort() may kill the process while the slot's thread replaces it
        self._aborted = False
        self._start()
        self._thread = threading.Thread(target=self._serve, name=f"briefexport-engine-{index}", daemon=True)
        self._thread.start()

    @property
    def pid(self) -> int | None:
        process = self._process
        return None if process is None else process.pid

    def join(self) -> None:
        self._thread.join()

    def abort(self) -> None:
        """Kill the worker now and start no other."""
        with self._guard:
            self._aborted = True
            if self._process is not None and self._process.poll() is None:
                self._process.kill()

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        with self._guard, ours, theirs:
            if self._aborted:
                return
            # Blocked here, SIGINT stays blocked in the child until it ignores it: this covers the
            # first workers and the ones started later from this slot's thread (which cannot set handlers).
            with _sigint_blocked():
                self._process = subprocess.Popen(
                    [sys.executable, "-c", _WORKER_MAIN, _package_folder(), str(theirs.fileno()), self._warm],
                    pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                )
            self._conn = Connection(ours.detach())

    def _stop(self, *, kill: bool) -> None:
        with self._guard:
            process, conn = self._process, self._conn
            self._process = self._conn = None
        if process is None or conn is None:
            return
        if not kill:
            try:
                conn.send(None)
                process.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if process.poll() is None:
            process.kill()
        process.wait()
        conn.close()

    def _replace(self) -> None:
        self._stop(kill=True)
        self._start()

    def _ready(self) -> bool:
        """Wait until the current worker has warmed up; False (and the reason kept) if it never does."""
        if self._conn is None:
            self._start_error = "was stopped: the engine is closing"
            return False
        try:
            if self._conn.poll(_START_TIMEOUT):
                self._conn.recv()
                self._start_error = None
                return True
            self._start_error = f"did not start within {_START_TIMEOUT:g} s"
        except (EOFError, OSError):
            self._start_error = f"ended while starting (exit status {self._exit_code()})"
        return False

    def _exit_code(self) -> int | None:
        if self._process is None:
            return None
        try:
            return self._process.wait(1)
        except subprocess.TimeoutExpired:
            return None

    def _serve(self) -> None:
        try:
            ready = self._ready()
            while (pending := self._jobs.get()) is not None:
                if not pending.future.set_running_or_notify_cancel():
                    continue
                if not ready:
                    pending.future.set_exception(WorkerLost(pending.job.name, f"the build worker {self._start_error}"))
                    self._replace()
                    ready = self._ready()
                    continue
                ready = self._run(pending)
        finally:
            self._stop(kill=False)

    def _run(self, pending: _Pending) -> bool:
        """Build one job on the current worker; replace the worker if it is lost. True when a worker is ready."""
        assert self._conn is not None
        name = pending.job.name
        try:
            self._conn.send(pending.job)
            if not self._conn.poll(pending.timeout):
                pending.future.set_exception(
                    BuildTimeout(name, f"the build took longer than {pending.timeout:g} s and was stopped")
                )
                self._replace()
                return self._ready()
            ok, value = self._conn.recv()
        except (EOFError, OSError):
            code = self._exit_code()
            pending.future.set_exception(
                WorkerLost(name, f"the build worker ended unexpectedly (exit status {code}); the job was dropped")
            )
            self._replace()
            return self._ready()
        if ok:
            pending.future.set_result(value)
        else:
            pending.future.set_exception(value)
        return True
