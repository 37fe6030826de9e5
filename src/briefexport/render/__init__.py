"""The table of output formats: each renderer is one module with one ``render`` function."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..errors import RenderError

if TYPE_CHECKING:
    from ..fonts.fontset import FontSet
    from ..numbering import NumberedDocument
    from ..theme.loader import Theme

__all__ = ["RENDERERS", "RenderOptions", "Renderer", "get_renderer"]


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
