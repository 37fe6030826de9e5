"""The page's render engine: warm worker processes, a bound on waiting renders, a time limit.

This is the one seam between the web page and the renderers: :class:`Engine.run` takes a
:class:`~._render.RenderJob` and returns its :class:`~._render.RenderResult`. Until the
shared warm engine of ``briefexport.builder`` exists, it is this module's own process pool
whose initializer imports the renderers and loads the fonts once per worker
(:func:`~._render.warm_up`); switching is a change inside :meth:`Engine.run` only.

Workers are started with ``forkserver``: forking the server process itself, which runs
threads (the event loop's executor), is unsafe.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from ..errors import BriefexportError, RenderError
from ._render import RenderJob, RenderResult, run_job, warm_up

__all__ = ["Busy", "Engine", "EngineLimits"]


class Busy(BriefexportError):
    """More renders are waiting than the engine accepts; the client should try again shortly."""


@dataclass(frozen=True, slots=True)
class EngineLimits:
    """How much the engine takes on at once."""

    workers: int = max(1, min(2, os.cpu_count() or 1))
    """Worker processes, each rendering one job at a time."""
    waiting: int = 48
    """Jobs that may wait for a worker; one more is refused with :class:`Busy`."""
    time_limit: float = 30.0
    """Seconds one render may take before its worker stops it."""
    tasks_per_worker: int = 400
    """A worker is replaced (cold again) after this many jobs, so a slow leak cannot grow without bound."""


class Engine:
    """A pool of warm render workers shared by every request of one server."""

    def __init__(self, limits: EngineLimits = EngineLimits()) -> None:
        self.limits = limits
        self._slots = asyncio.Semaphore(limits.workers + limits.waiting)
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        recycle: dict[str, Any] = {}
        if sys.version_info >= (3, 11):  # Python 3.10 cannot replace a worker after N tasks
            recycle["max_tasks_per_child"] = self.limits.tasks_per_worker
        return ProcessPoolExecutor(
            max_workers=self.limits.workers,
            mp_context=multiprocessing.get_context("forkserver"),
            initializer=warm_up,
            **recycle,
        )

    def start(self) -> None:
        """Start every worker now (and warm it), rather than on the first request."""
        futures = [self._pool.submit(os.getpid) for _ in range(self.limits.workers)]
        for future in futures:
            future.result()

    async def run(self, job: RenderJob) -> RenderResult:
        """Render ``job`` in a worker; :class:`Busy` when too many wait, RenderError past the time limit."""
        if self._slots.locked():
            raise Busy(f"{self.limits.workers + self.limits.waiting} renders are already running or waiting; try again in a moment")
        async with self._slots:
            job = RenderJob(job.outline, job.formats, job.theme, job.theme_text, job.preview_dpi, self.limits.time_limit)
            loop = asyncio.get_running_loop()
            try:
                return await loop.run_in_executor(self._pool, run_job, job)
            except BrokenProcessPool:
                # A worker died (killed, out of memory): replace the pool so later requests work.
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
                raise RenderError("the render worker stopped unexpectedly; try again") from None

    def close(self) -> None:
        """Stop the workers."""
        self._pool.shutdown(wait=True, cancel_futures=True)
