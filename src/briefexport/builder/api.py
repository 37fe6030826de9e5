"""The library API: load an outline, number it, render it, build several formats at once."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ._atomic import commit_all, fill, made_folders, remove_stale, reserve, write_atomically
from ..errors import BriefexportError, RenderError
from ..model import Document
from ..numbering import NumberedDocument, number
from ..outline.reader import load
from ..render import RENDERERS, HeadingPages, RenderOptions, get_renderer
from ..theme.loader import Theme, load_theme

if TYPE_CHECKING:
    from ..fonts.fontset import FontSet
    from ..render._pdf_facts import LayoutCache
    from ._parallel import TaskQueue

__all__ = ["BuiltFile", "build", "build_options", "render"]

FORMATS: tuple[str, ...] = tuple(RENDERERS)


@dataclass(frozen=True, slots=True)
class BuiltFile:
    """One output file a build wrote."""

    format: str
    path: Path
    size: int
    seconds: float


def creation_time(doc: Document, *, epoch: str | None = None) -> dt.datetime:
    """The timestamp to write into outputs: SOURCE_DATE_EPOCH, else the outline's date, else 1980-01-01.

    Never the clock, so that the same input always gives the same bytes. ``epoch`` stands for
    SOURCE_DATE_EPOCH as another process saw it (the warm engine's workers keep their own
    environment); by default this process's environment is read.
    """
    epoch = (os.environ.get("SOURCE_DATE_EPOCH", "") if epoch is None else epoch).strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BriefexportError(f"SOURCE_DATE_EPOCH must be a Unix time in seconds (got '{epoch}')") from None
    day = doc.meta.date or dt.date(1980, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def build_options(doc: Document, *, strict: bool = False, embed_font: bool | None = None) -> RenderOptions:
    """Render options for one build: a fresh font set and a reproducible timestamp."""
    from ..fonts.fontset import FontSet

    return RenderOptions(fonts=FontSet(), created=creation_time(doc), strict=strict, embed_font=embed_font)


def layout_first(formats: Sequence[str]) -> list[str]:
    """The order to render ``formats`` in one process: the PDF first, whose layout the DOCX's TOC
    numbers then reuse (``RenderOptions.layout``) instead of laying the pages out again."""
    return sorted(formats, key=lambda name: name != "pdf")


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


@dataclass(frozen=True, slots=True)
class _Staged:
    """A format rendered to a temporary file beside its target, not yet moved into place."""

    format: str
    tmp: Path
    target: Path
    seconds: float


def _stage(
    numbered: NumberedDocument, name: str, target: Path, theme: Theme, options: RenderOptions, owner: int | None = None
) -> _Staged:
    start = time.perf_counter()
    renderer = get_renderer(name)
    tmp = reserve(target, owner)
    fill(tmp, target, lambda path: renderer(numbered, theme, path, opts=options))
    return _Staged(name, tmp, target, time.perf_counter() - start)


def _discard(staged: Sequence[_Staged]) -> None:
    for item in staged:
        item.tmp.unlink(missing_ok=True)


def _commit_all(staged: Sequence[_Staged]) -> list[BuiltFile]:
    """Move every staged file into place; only called once all formats rendered, so a build lands whole."""
    commit_all([(item.tmp, item.target) for item in staged])
    return [BuiltFile(item.format, item.target, item.target.stat().st_size, item.seconds) for item in staged]


def _check_formats(formats: Sequence[str]) -> None:
    unknown = [name for name in formats if name not in RENDERERS]
    if unknown:
        raise RenderError(f"unknown format '{unknown[0]}'; available: {', '.join(sorted(RENDERERS))}")


#: The order in which a parallel build hands out formats: the slowest first. The forked child
#: takes the first (the PDF: reportlab is also the slowest library to import, and the child
#: imports it while this process still reads the outline), this process the second, and the
#: rest go to whichever process is free first.
_SLOWEST_FIRST = ("pdf", "docx", "epub")


@dataclass(frozen=True, slots=True)
class _Job:
    """Everything a process needs to render formats of one build (pickled to the forked child)."""

    numbered: NumberedDocument
    theme: Theme
    targets: Mapping[str, Path]
    created: dt.datetime
    strict: bool
    embed_font: bool | None
    owner: int
    """The process id of the build: temporary files carry it, so that a later build knows them for leftovers."""

    def options(self, fonts: FontSet | None = None) -> RenderOptions:
        from ..fonts.fontset import FontSet

        return RenderOptions(
            fonts=fonts or FontSet(), created=self.created, strict=self.strict, embed_font=self.embed_font, layout=HeadingPages(),
            layout_cache=_layout_cache() if "docx" in self.targets else None,
        )

    def stage(self, name: str, options: RenderOptions) -> _Staged:
        return _stage(self.numbered, name, self.targets[name], self.theme, options, self.owner)


def _layout_cache() -> LayoutCache:
    """The per-user cache of what the DOCX takes from the PDF layout; only the DOCX reads it, so
    another format's build does not import it."""
    from ..render._pdf_facts import LayoutCache

    return LayoutCache.default()


def _load_job(outline: str | Path, theme: Theme | str | Path, targets: Mapping[str, Path], *, strict: bool,
              embed_font: bool | None) -> _Job:
    numbered = number(load(outline))
    resolved_theme = theme if isinstance(theme, Theme) else load_theme(theme)
    return _Job(numbered, resolved_theme, targets, creation_time(numbered.doc), strict, embed_font, os.getpid())


def _prepare(names: Sequence[str]) -> FontSet:
    """Work a forked child can do before the outline is read: import its renderers, find the bundled fonts."""
    from ..fonts.fontset import FontSet

    for name in names:
        get_renderer(name)
    fonts = FontSet()
    fonts.bundled_faces()
    return fonts


def _child_renders(fonts: FontSet, job: _Job, own: Sequence[str], queue: TaskQueue[str]) -> list[_Staged]:
    """The forked child's share of a build: its own formats, then any the queue still holds (staged, not committed)."""
    options = job.options(fonts)
    staged: list[_Staged] = []
    try:
        for mine in own:
            staged.append(job.stage(mine, options))
        while (name := queue.take()) is not None:
            staged.append(job.stage(name, options))
    except BaseException:
        _discard(staged)
        raise
    return staged


def build(
    outline: str | Path = "outline.yaml",
    formats: Sequence[str] = FORMATS,
    out_dir: str | Path = "build",
    *,
    theme: Theme | str | Path = "handout",
    strict: bool = False,
    embed_font: bool | None = None,
    parallel: bool = False,
) -> list[BuiltFile]:
    """Load an outline and write ``OUT_DIR/<stem>.<format>`` for each format, all or none.

    Every format renders to a temporary file first; the files move into place only when
    all of them are complete, so a failure leaves every earlier output as it was.

    With several formats and ``parallel`` (the command line turns it on; off by default
    because forking a host process that runs threads is unsafe), a forked child renders the PDF (the slowest), then
    the DOCX when asked (sharing the PDF's layout), and this process the next format; remaining
    formats go to whichever finishes first. The
    child starts before the outline is read, so that importing its renderer overlaps with
    reading. Each file is still written atomically.
    """
    formats = list(dict.fromkeys(formats))
    _check_formats(formats)
    targets = {name: Path(out_dir) / f"{Path(outline).stem}.{name}" for name in formats}
    with made_folders(Path(out_dir)):  # a failed build leaves no empty output folder behind
        try:
            # hasattr(os, "fork") is _parallel.can_fork(), without importing pickle and threading for single formats.
            if parallel and len(formats) > 1 and hasattr(os, "fork"):
                staged = _build_parallel(outline, formats, targets, theme=theme, strict=strict, embed_font=embed_font)
            else:
                staged = _build_here(outline, formats, targets, theme=theme, strict=strict, embed_font=embed_font)
            built = _commit_all(staged)
        except BaseException:
            for target in targets.values():  # what a killed render child could not remove
                remove_stale(target, ours=True)
            raise
    return sorted(built, key=lambda item: formats.index(item.format))


def _build_here(outline: str | Path, formats: Sequence[str], targets: Mapping[str, Path], *,
                theme: Theme | str | Path, strict: bool, embed_font: bool | None) -> list[_Staged]:
    job = _load_job(outline, theme, targets, strict=strict, embed_font=embed_font)
    options = job.options()
    staged: list[_Staged] = []
    try:
        for name in layout_first(formats):
            staged.append(job.stage(name, options))
    except BaseException:
        _discard(staged)
        raise
    return staged


def _share(formats: Sequence[str]) -> tuple[tuple[str, ...], str | None, list[str]]:
    """Who renders what in a parallel build: the child's formats, this process's first, and the rest (queued).

    The child takes the slowest, the PDF; with the DOCX asked too it takes that as well, right
    after the PDF, whose layout gives the DOCX's TOC its page numbers (``RenderOptions.layout``):
    the pages are laid out once, not once per process, at the cost of the two running one after
    the other.
    """
    rank = {name: index for index, name in enumerate(_SLOWEST_FIRST)}
    first, *others = sorted(formats, key=lambda name: rank.get(name, len(rank)))
    own = (first, "docx") if first == "pdf" and "docx" in others else (first,)
    others = [name for name in others if name not in own]
    return own, (others[0] if others else None), others[1:]


def _build_parallel(outline: str | Path, formats: Sequence[str], targets: Mapping[str, Path], *,
                    theme: Theme | str | Path, strict: bool, embed_font: bool | None) -> list[_Staged]:
    from ._parallel import TaskQueue, Worker, fork_worker

    own, second, rest = _share(formats)
    queue = TaskQueue(rest)
    worker: Worker[_Job, list[_Staged]] = fork_worker(
        lambda: _prepare(own), lambda fonts, job: _child_renders(fonts, job, own, queue)
    )
    try:
        job = _load_job(outline, theme, targets, strict=strict, embed_font=embed_font)
        worker.send(job)
    except BaseException:
        worker.cancel()  # the child writes nothing: a bad outline leaves every output as it was
        queue.close()
        raise
    staged: list[_Staged] = []
    try:
        options = job.options()
        if second is not None:
            staged.append(job.stage(second, options))
        while (name := queue.take()) is not None:
            staged.append(job.stage(name, options))
    except BaseException:
        queue.drain()  # the child need not start anything more
        worker.interrupt()  # nor finish what it does
        _discard(staged)
        with contextlib.suppress(BaseException):
            _discard(worker.result())  # reap the child; this process's error is the one to report
        raise
    finally:
        queue.close()
    try:
        child_staged = worker.result()
    except BaseException:
        _discard(staged)
        if not worker.done:  # this process was interrupted while waiting: stop the child too
            worker.interrupt()
            with contextlib.suppress(BaseException):
                _discard(worker.result())
        raise
    return staged + child_staged
