"""The page's live preview: one PDF per distinct outline and theme, its pages drawn when looked at.

A preview is asked for after every edit, and a person sees one or two pages at a time. So a
preview renders the PDF, draws its first page and answers with the page count, sizes and image
addresses; each other page is drawn when the page asks for it (as it scrolls into view), once
per build. The same outline and theme bytes give the same build id and are not rendered again,
and concurrent requests for one build share one render. What is kept is bounded in bytes, the
least recently used builds go first.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass

from ..errors import BriefexportError
from ._render import Notice, RenderJob, page_image, page_sizes
from .engine import Engine

__all__ = ["Preview", "Previews", "UnknownBuild", "build_id"]


class UnknownBuild(BriefexportError):
    """A page image was asked for a build this server does not keep (never made, or dropped since)."""


class NoSuchPage(BriefexportError):
    """A page number outside the PDF."""


@dataclass(frozen=True, slots=True)
class Preview:
    """One rendered PDF of the preview: its id, bytes, page sizes (points) and notices."""

    build: str
    pdf: bytes
    sizes: tuple[tuple[float, float], ...]
    notices: tuple[Notice, ...]


def build_id(job: RenderJob, dpi: int) -> str:
    """A name for what the job's PDF and images will be: the same inputs, the same id."""
    key = json.dumps([job.outline, job.theme, job.theme_text, list(job.formats), dpi], ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _first_look(pdf: bytes, dpi: int) -> tuple[tuple[tuple[float, float], ...], bytes | None]:
    sizes = page_sizes(pdf)
    return sizes, (page_image(pdf, 0, dpi) if sizes else None)


class Previews:
    """The previews one server has made, with their page images; bounded to ``budget`` bytes."""

    def __init__(self, engine: Engine, dpi: int, budget: int = 96 * 2**20) -> None:
        self._engine = engine
        self.dpi = dpi
        self._budget = budget
        self._builds: OrderedDict[str, Preview] = OrderedDict()
        self._images: dict[tuple[str, int], bytes] = {}
        self._running: dict[str, asyncio.Future[Preview]] = {}

    async def preview(self, job: RenderJob) -> Preview:
        """The job's PDF with its first page drawn: made now, being made for another request, or kept."""
        build = build_id(job, self.dpi)
        known = self._builds.get(build)
        if known is not None:
            self._builds.move_to_end(build)
            return known
        running = self._running.get(build)
        if running is None:
            running = asyncio.ensure_future(self._make(build, job))
            self._running[build] = running
            running.add_done_callback(lambda done: self._finished(build, done))
        # shielded: a request that gives up (its page closed) does not stop a render others wait for
        return await asyncio.shield(running)

    def _finished(self, build: str, done: asyncio.Future[Preview]) -> None:
        self._running.pop(build, None)
        if not done.cancelled():
            done.exception()  # seen here, so a render nobody waits for any more is not reported as unretrieved

    async def _make(self, build: str, job: RenderJob) -> Preview:
        result = await self._engine.run(job)
        pdf = result.files["pdf"]
        sizes, first = await asyncio.to_thread(_first_look, pdf, self.dpi)
        preview = Preview(build, pdf, sizes, result.notices)
        self._builds[build] = preview
        if first is not None:
            self._images[(build, 0)] = first
        self._trim()
        return preview

    async def image(self, build: str, index: int) -> bytes:
        """Page ``index`` (from 0) of a kept build as PNG, drawn the first time it is asked for."""
        preview = self._builds.get(build)
        if preview is None:
            raise UnknownBuild(f"no preview {build!r} on this server (it may have been dropped); ask for the preview again")
        if not 0 <= index < len(preview.sizes):
            raise NoSuchPage(f"the PDF has {len(preview.sizes)} pages; there is no page {index + 1}")
        self._builds.move_to_end(build)
        kept = self._images.get((build, index))
        if kept is None:
            kept = await asyncio.to_thread(page_image, preview.pdf, index, self.dpi)
            if build in self._builds:  # not dropped while drawing
                self._images[(build, index)] = kept
                self._trim()
        return kept

    def _trim(self) -> None:
        """Drop the least recently used builds (and their images) while over budget; the newest stays."""
        used = sum(len(p.pdf) for p in self._builds.values()) + sum(len(image) for image in self._images.values())
        while used > self._budget and len(self._builds) > 1:
            build, dropped = self._builds.popitem(last=False)
            used -= len(dropped.pdf)
            for key in [key for key in self._images if key[0] == build]:
                used -= len(self._images.pop(key))
