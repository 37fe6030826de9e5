"""The library API: load an outline, number it, render it, build several formats at once."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ._atomic import write_atomically
from ._parallel import fork_call
from .errors import BriefexportError, RenderError
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


def _check_formats(formats: Sequence[str]) -> None:
    unknown = [name for name in formats if name not in RENDERERS]
    if unknown:
        raise RenderError(f"unknown format '{unknown[0]}'; available: {', '.join(sorted(RENDERERS))}")


def _render_timed(numbered: NumberedDocument, name: str, target: Path, theme: Theme, options: RenderOptions) -> BuiltFile:
    start = time.perf_counter()
    render(numbered, name, target, theme=theme, opts=options)
    return BuiltFile(name, target, target.stat().st_size, time.perf_counter() - start)


def build(
    outline: str | Path = "outline.yaml",
    formats: Sequence[str] = FORMATS,
    out_dir: str | Path = "build",
    *,
    theme: Theme | str | Path = "handout",
    strict: bool = False,
    embed_font: bool | None = None,
    parallel: bool = True,
) -> list[BuiltFile]:
    """Load an outline and write ``OUT_DIR/<stem>.<format>`` for each format.

    With several formats and ``parallel``, the PDF (the slowest) renders in a forked
    process while this one writes the others; each file is still written atomically.
    """
    formats = list(dict.fromkeys(formats))
    _check_formats(formats)
    numbered = number(load(outline))
    resolved_theme = theme if isinstance(theme, Theme) else load_theme(theme)
    options = build_options(numbered.doc, strict=strict, embed_font=embed_font)
    targets = {name: Path(out_dir) / f"{Path(outline).stem}.{name}" for name in formats}
    ordered = sorted(formats, key=lambda name: name != "pdf")
    forked = None
    if parallel and len(ordered) > 1:
        first = ordered.pop(0)
        forked = fork_call(lambda: _render_timed(numbered, first, targets[first], resolved_theme, options))
    try:
        built = [_render_timed(numbered, name, targets[name], resolved_theme, options) for name in ordered]
    except BaseException:
        if forked is not None:
            with contextlib.suppress(BaseException):
                forked()  # reap the child; this process's error is the one to report
        raise
    if forked is not None:
        built.append(forked())
    return sorted(built, key=lambda item: list(formats).index(item.format))
