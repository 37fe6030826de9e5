"""The library API: load an outline, number it, render it, build several formats at once."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ._atomic import write_atomically
from .errors import BriefexportError
from .model import Document
from .numbering import NumberedDocument, number
from .outline import load
from .render import RENDERERS, RenderOptions, get_renderer
from .theme import Theme, load_theme

__all__ = ["BuiltFile", "build", "build_options", "render"]

FORMATS: tuple[str, ...] = tuple(RENDERERS)


@dataclass(frozen=True, slots=True)
class BuiltFile:
    """One output file a build wrote."""

    format: str
    path: Path
    size: int
    seconds: float


def creation_time(doc: Document) -> dt.datetime:
    """The timestamp to write into outputs: SOURCE_DATE_EPOCH, else the outline's date, else 1980-01-01.

    Never the clock, so that the same input always gives the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BriefexportError(f"SOURCE_DATE_EPOCH must be a Unix time in seconds (got '{epoch}')") from None
    day = doc.meta.date or dt.date(1980, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def build_options(doc: Document, *, strict: bool = False, embed_font: bool | None = None) -> RenderOptions:
    """Render options for one build: a fresh font set and a reproducible timestamp."""
    from .fonts import FontSet

    return RenderOptions(fonts=FontSet(), created=creation_time(doc), strict=strict, embed_font=embed_font)


def _as_numbered(doc: Document | NumberedDocument) -> NumberedDocument:
    return doc if isinstance(doc, NumberedDocument) else number(doc)


def render(
    doc: Document | NumberedDocument,
    format: str,
    out: str | Path,
    *,
    theme: Theme | str | Path = "handout",
    opts: RenderOptions | None = None,
) -> Path:
    """Render one format to ``out``, atomically: a failure leaves any earlier file untouched."""
    numbered = _as_numbered(doc)
    renderer = get_renderer(format)
    resolved_theme = theme if isinstance(theme, Theme) else load_theme(theme)
    options = opts or build_options(numbered.doc)
    target = Path(out)
    write_atomically(target, lambda tmp: renderer(numbered, resolved_theme, tmp, opts=options))
    return target


def build(
    outline: str | Path = "outline.yaml",
    formats: Sequence[str] = FORMATS,
    out_dir: str | Path = "build",
    *,
    theme: Theme | str | Path = "handout",
    strict: bool = False,
    embed_font: bool | None = None,
) -> list[BuiltFile]:
    """Load an outline and write ``OUT_DIR/<stem>.<format>`` for each format."""
    for name in formats:
        get_renderer(name)  # refuse an unknown format before doing any work
    numbered = number(load(outline))
    resolved_theme = theme if isinstance(theme, Theme) else load_theme(theme)
    options = build_options(numbered.doc, strict=strict, embed_font=embed_font)
    built: list[BuiltFile] = []
    for name in formats:
        start = time.perf_counter()
        target = render(numbered, name, Path(out_dir) / f"{Path(outline).stem}.{name}", theme=resolved_theme, opts=options)
        built.append(BuiltFile(name, target, target.stat().st_size, time.perf_counter() - start))
    return built
