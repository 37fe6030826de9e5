"""The page's renders: the shared warm engine, a bound on waiting renders, a time limit.

This is the one seam between the web page and the renderers: :meth:`Engine.run` takes a
:class:`~._render.RenderJob` and returns its :class:`~._render.RenderResult`. The files come
from :class:`briefexport.builder.engine.Engine`, the warm workers batch builds use too
(renderers, fonts and presets loaded once per worker; bytes equal to ``briefexport build``;
a job past its time limit has its worker killed and replaced). Preview pages are drawn by
:mod:`.preview`, in a thread of the server, from the PDF's bytes.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

from ..builder.engine import BuildResult
from ..builder.engine import Engine as BuildEngine
from ..errors import BriefexportError
from ._render import OUTLINE_NAME, THEME_NAME, RenderJob, RenderResult, notice_of

__all__ = ["Busy", "Engine", "EngineLimits"]

class Busy(BriefexportError):
    """More renders are waiting than the engine accepts; the client should try again shortly."""

@dataclass(frozen=True, slots=True)
class EngineLimits:
    """How much the page's engine takes on at once."""

    workers: int = max(1, min(2, os.cpu_count() or 1))
    """Worker processes, each rendering one job at a time."""
    waiting: int = 48
    """Jobs that may wait for a worker; one more is refused with :class:`Busy`."""
    time_limit: float = 30.0
    """Seconds one render may take before its worker is stopped (and replaced)."""

class Engine:
    """The warm render workers shared by every request of one server."""

    def __init__(self, limits: EngineLimits = EngineLimits()) -> None:
        self.limits = limits
        self._slots = asyncio.Semaphore(limits.workers + limits.waiting)
        self._engine = BuildEngine(limits.workers)  # its workers ignore Ctrl-C: the server stops them

    async def run(self, job: RenderJob) -> RenderResult:
        """Render ``job``; :class:`Busy` when too many wait, a RenderError past the time limit."""
        if self._slots.locked():
            raise Busy(f"the server is busy (at most {self.limits.workers + self.limits.waiting} renders at a time); try again in a moment")
        async with self._slots:
            future = self._engine.submit(
                job.outline, name=OUTLINE_NAME, formats=job.formats, theme=job.theme, theme_text=job.theme_text,
                theme_name=THEME_NAME, timeout=self.limits.time_limit,
            )
            built: BuildResult = await asyncio.wrap_future(future)
        said = dict(built.coded)
        notices = (*(notice_of("warning", line, said.get(line)) for line in built.warnings),
                   *(notice_of("note", line, said.get(line)) for line in built.notes))
        return RenderResult(dict(built.files), notices)

    def close(self) -> None:
        """Stop the workers, dropping renders still waiting."""
        self._engine.close(cancel=True)
