"""The table of output formats: each renderer is one module with one ``render`` function."""

from __future__ import annotations

import datetime as dt
import importlib
import time
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..errors import RenderError

if TYPE_CHECKING:
    from ..fonts.fontset import FontSet
    from ..numbering import NumberedDocument
    from ..theme.loader import Theme
    from ._pdf_facts import LayoutCache

__all__ = ["RENDERERS", "HeadingPages", "ImprintLayout", "RenderOptions", "Renderer", "WarmMemo", "get_renderer"]


class WarmMemo:
    """Results a warm process keeps from one build to the next: a live preview re-renders an
    outline that changed in one place, and every paragraph that did not change breaks into the
    same lines again.

    Only results that are a pure function of their key may go in (the PDF's lines of a paragraph:
    its runs, faces and measure), so a remembered value is what computing it again would give.
    Two generations bound the memory: what the last build used, and what this one has used so far.
    """

    __slots__ = ("_new", "_old")

    def __init__(self) -> None:
        self._new: dict[Hashable, object] = {}
        self._old: dict[Hashable, object] = {}

    def get(self, key: Hashable) -> object | None:
        """The value kept for ``key`` (kept on into the next build), else None."""
        found = self._new.get(key)
        if found is None and (found := self._old.pop(key, None)) is not None:
            self._new[key] = found
        return found

    def put(self, key: Hashable, value: object) -> None:
        self._new[key] = value

    def next_build(self) -> None:
        """Start a build: forget what the build before last used and the last one did not."""
        self._old, self._new = self._new, {}


class HeadingPages:
    """One build's memo of where its headings fall in the PDF layout (node path -> page).

    The PDF renderer lays the pages out anyway; the DOCX's TOC caches the same numbers. A build
    that asks for both shares one layout through this memo instead of laying the PDF out twice.
    Make one per build: it answers only for the very document and theme it was given.
    """

    __slots__ = ("_doc", "_pages", "_theme", "logged_nothing", "since")

    def __init__(self) -> None:
        self._doc: object | None = None
        self._theme: object | None = None
        self._pages: Mapping[tuple[int, ...], int] = {}
        self.logged_nothing = False
        """Laying the kept pages out logged nothing (no missing face or character): a later process's
        layout of them would log nothing either, so the on-disk layout cache may keep them."""
        self.since = time.time_ns()
        """When the memo was made: no layout it keeps began earlier (the layout cache's test for fonts changed meanwhile)."""

    def keep(self, doc: NumberedDocument, theme: Theme, pages: Mapping[tuple[int, ...], int], *, logged_nothing: bool = False) -> None:
        """Remember the pages of ``doc`` laid out in ``theme``."""
        self._doc, self._theme, self._pages, self.logged_nothing = doc, theme, dict(pages), logged_nothing

    def pages(self, doc: NumberedDocument, theme: Theme) -> Mapping[tuple[int, ...], int] | None:
        """The pages kept for this very ``doc`` and ``theme`` (same objects), else None."""
        return self._pages if doc is self._doc and theme is self._theme else None


@dataclass(frozen=True, slots=True)
class ImprintLayout:
    """Where this theme's PDF layout puts an official document's 版记, and how it breaks its lists
    (``render.pdf.imprint_layout``; here, beside the other answers the DOCX takes from the PDF, so
    that one kept on disk needs no reportlab)."""

    alone: bool
    """On a page of its own: the text ends on an odd page, or on an even page without room for
    it; the DOCX then starts a section on an even page for it, and otherwise places it at the
    bottom of the page where the text ends, as the PDF does."""
    list_lines: tuple[int, ...] = ()
    """The lines of each list (主送 when moved there, 抄送); empty when the layout failed."""


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """What every renderer gets besides the document and the theme."""

    fonts: FontSet
    created: dt.datetime
    """The timestamp written into the file (from SOURCE_DATE_EPOCH for reproducible builds)."""
    strict: bool = False
    """Treat warnings (uncovered characters, substituted fonts) as errors."""
    embed_font: bool | None = None
    """EPUB: embed a font subset; None = as the theme says."""
    layout: HeadingPages | None = None
    """The build's shared heading pages (PDF layout for the DOCX TOC); None = each renderer lays out alone."""
    warm: WarmMemo | None = None
    """A warm process's memo across builds (the engine's workers); None = nothing kept."""
    layout_cache: LayoutCache | None = None
    """Where a DOCX keeps what it takes from the PDF layout between processes (``render._pdf_facts``); None = not kept."""


class Renderer(Protocol):
    """The one entry point of a renderer module."""

    def __call__(self, doc: NumberedDocument, theme: Theme, out: Path, *, opts: RenderOptions) -> None: ...


RENDERERS: Mapping[str, str] = {
    "docx": "briefexport.render.docx:render",
    "pdf": "briefexport.render.pdf:render",
    "epub": "briefexport.render.epub:render",
}


def get_renderer(name: str) -> Renderer:
    """Import the renderer for a format name lazily (so one format never imports another's library)."""
    if name not in RENDERERS:
        raise RenderError(f"unknown format '{name}'; available: {', '.join(sorted(RENDERERS))}")
    module_name, _, attribute = RENDERERS[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("briefexport"):
            raise RenderError(f"format '{name}' is not available in this version") from None
        raise RenderError(f"format '{name}' needs the Python package '{exc.name}'; install briefexport with its dependencies") from None
    renderer: Renderer = getattr(module, attribute)
    return renderer
