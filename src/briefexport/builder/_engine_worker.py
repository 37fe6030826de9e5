"""The worker side of the warm engine (``engine.py``): one process, jobs in, results out.

A worker imports every renderer, reads the bundled fonts, registers them with reportlab and
loads the presets once (:func:`_warm_up`); then each job costs only its own loading, numbering
and rendering. All formats of a job are rendered into memory (through a private scratch
folder, since the renderers write files) with the same steps and options as ``briefexport
build``, so the bytes are the same. The job's log records become the result's warnings and
notes; with ``strict`` the first warning fails the job, as ``--strict`` does.
"""

from __future__ import annotations

import logging
import pickle
import signal
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BriefexportError, Coded, LocatedError, OutlineError, RenderError, SourcePos
from ..render import RENDERERS, WarmMemo
from .engine import BuildResult, _Job

if TYPE_CHECKING:
    from ..fonts.fontset import FontSet
    from ..model import Document
    from ..numbering import NumberedDocument
    from ..render import RenderOptions
    from ..theme.loader import Theme

__all__ = ["main"]


@dataclass(slots=True)
class _Warm:
    """What a worker keeps between jobs: one font set (parsed cmaps, registered reportlab fonts), the presets, a memo."""

    fonts: FontSet
    presets: dict[str, Theme]
    scratch: Path
    memo: WarmMemo = field(default_factory=WarmMemo)
    """Paragraph lines of the last builds: a re-render breaks only what changed."""


def main(fd: int, formats: Sequence[str] = tuple(RENDERERS)) -> None:  # pragma: no cover - runs in the worker; tests assert its results
    """Warm up, say so, then build each job received on socket ``fd`` until told to stop."""
    # Ctrl-C in a terminal reaches the whole process group: the engine's owner decides what
    # stops, and a worker must not die of it halfway through a job with a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = Connection(fd)
    with tempfile.TemporaryDirectory(prefix="briefexport-worker-") as scratch:
        warm = _warm_up(Path(scratch), formats)
        conn.send("ready")
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                return
            if job is None:
                return
            _send(conn, job, _answer(warm, job))


def _send(conn: Connection, job: _Job, answer: tuple[bool, object]) -> None:  # pragma: no cover - runs in the worker
    try:
        conn.send(answer)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:  # an error that cannot cross processes
        conn.send((False, RuntimeError(f"{job.name}: the build failed: {answer[1]!r} ({exc})")))


def _warm_up(scratch: Path, formats: Sequence[str]) -> _Warm:
    """Import the renderers of ``formats``, load the presets, and for PDF or DOCX register the bundled fonts with reportlab."""
    from ..fonts.fontset import FontSet
    from ..render import get_renderer
    from ..theme.loader import load_theme, preset_names

    fonts = FontSet()
    presets: dict[str, Theme] = {}
    try:
        for name in formats:
            get_renderer(name)
        # The DOCX lays its headings out as the PDF does, for the page numbers of its TOC.
        for face in fonts.bundled_faces() if {"pdf", "docx"} & set(formats) else ():
            if fonts.is_truetype(face):
                _remember_subsets(fonts.reportlab_name(face))
        presets = {name: load_theme(name) for name in preset_names()}
    except BriefexportError:
        pass  # a job that needs what failed here reports it itself
    return _Warm(fonts, presets, scratch)


class _SubsetMemo:
    """reportlab's ``makeSubset`` of one registered face, remembering its last few results.

    Subsetting a CJK face is a third of a warm PDF render, and a live preview asks for the same
    characters again and again. The result depends only on the face and the code points asked
    for (in order), so a remembered subset is the same bytes.
    """

    def __init__(self, make: Callable[[Sequence[int]], bytes], size: int = 16) -> None:
        self._make = make
        self._size = size
        self._made: dict[tuple[int, ...], bytes] = {}

    def __call__(self, subset: Sequence[int]) -> bytes:
        key = tuple(subset)
        data = self._made.pop(key, None)
        if data is None:
            data = self._make(subset)
            if len(self._made) >= self._size:
                del self._made[next(iter(self._made))]  # the least recently used
        self._made[key] = data
        return data


def _remember_subsets(reportlab_name: str) -> None:
    from reportlab.pdfbase import pdfmetrics

    face = getattr(pdfmetrics.getFont(reportlab_name), "face", None)
    if face is not None and not isinstance(getattr(face, "makeSubset", None), _SubsetMemo):
        face.makeSubset = _SubsetMemo(face.makeSubset)


def _answer(warm: _Warm, job: _Job) -> tuple[bool, object]:  # pragma: no cover - runs in the worker
    try:
        return True, _build(warm, job)
    except BriefexportError as exc:
        return False, exc
    except Exception as exc:  # noqa: BLE001 - a bug: the caller gets it with the worker's traceback
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return False, RuntimeError(f"{job.name}: the build failed (a bug; the worker's traceback follows)\n{trace}")


def _build(warm: _Warm, job: _Job) -> BuildResult:
    """Load, number and render one job, all formats into memory; the same steps as ``briefexport build``."""
    from ..numbering import number
    from ..render import HeadingPages, RenderOptions
    from .api import creation_time, layout_first

    start, cpu = time.perf_counter(), time.process_time()
    warm.memo.next_build()
    with _captured_log(job.strict) as log:
        numbered = number(_load(job))
        theme = _theme(warm, job)
        created = creation_time(numbered.doc, epoch=job.epoch)
        options = RenderOptions(
            fonts=warm.fonts, created=created, strict=job.strict, embed_font=job.embed_font, layout=HeadingPages(), warm=warm.memo,
        )
        files = {name: _render_bytes(numbered, name, theme, options, warm.scratch) for name in layout_first(job.formats)}
    ordered = {name: files[name] for name in job.formats}
    return BuildResult(ordered, tuple(log.warnings), time.perf_counter() - start, tuple(log.notes), time.process_time() - cpu,
                       tuple(log.coded))


def _load(job: _Job) -> Document:
    from .._yaml import MAX_BYTES
    from ..outline.reader import load, loads

    if job.path is not None:
        return load(job.path)
    assert job.text is not None
    size = len(job.text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise OutlineError(
            SourcePos(job.name, 1, 1), f"file is {size / 2**20:.0f} MiB; outlines are limited to {MAX_BYTES // 2**20} MiB"
        )
    return loads(job.text, job.name)


def _theme(warm: _Warm, job: _Job) -> Theme:
    from ..theme.loader import load_theme

    if job.theme_text is not None:
        return _theme_from_text(job.theme_text, job.theme_name, warm.scratch)
    if not isinstance(job.theme, str):
        return job.theme
    if job.theme in warm.presets:
        return warm.presets[job.theme]
    from ..theme.loader import preset_names

    if job.theme not in preset_names():
        raise RenderError(f"no preset theme named '{job.theme}'; presets: {', '.join(preset_names())} (give a theme's text for others)")
    return load_theme(job.theme)


def _theme_from_text(text: str, name: str, scratch: Path) -> Theme:
    """Check a theme given as text like a file, alone in a private folder; it may extend presets only."""
    from ..theme.loader import load_theme

    _refuse_file_parent(text, name)
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        path = Path(folder) / "theme.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            return load_theme(path)
        except LocatedError as exc:
            raise _renamed(exc, str(path), name) from None
        except BriefexportError as exc:
            raise type(exc)(str(exc).replace(str(path), name)) from None


def _refuse_file_parent(text: str, name: str) -> None:
    """A theme sent as text has no folder of its own: ``extends:`` may name a preset and nothing else."""
    from yaml.nodes import MappingNode, ScalarNode

    from .. import _yaml
    from ..errors import ThemeError
    from ..theme.loader import preset_names

    root = _yaml.compose_text(text, name, ThemeError)
    if not isinstance(root, MappingNode):
        return  # the loader says what is wrong with it
    for key, value in root.value:
        if isinstance(key, ScalarNode) and key.value == "extends" and isinstance(value, ScalarNode):
            if value.value not in preset_names():
                presets = ", ".join(preset_names())
                message = f"a theme given as text may extend only a preset ({presets}), not '{value.value}'"
                raise ThemeError(_yaml.pos_of(value, name), message)


def _renamed(exc: LocatedError, private: str, shown: str) -> LocatedError:
    """The same error, pointing at the name the caller knows instead of the private temp file."""
    pos = exc.pos
    if isinstance(pos, SourcePos) and pos.file == private:
        pos = SourcePos(shown, pos.line, pos.col)
    elif str(pos) == private:
        pos = shown
    return type(exc)(pos, exc.message.replace(private, shown), exc.said)


def _render_bytes(numbered: NumberedDocument, name: str, theme: Theme, options: RenderOptions, scratch: Path) -> bytes:
    from ..render import get_renderer

    target = scratch / f"job.{name}"
    try:
        get_renderer(name)(numbered, theme, target, opts=options)
        return target.read_bytes()
    finally:
        target.unlink(missing_ok=True)


class _Capture(logging.Handler):
    """Collects one job's warnings and notes; under ``strict`` the first warning becomes the job's error."""

    def __init__(self, strict: bool) -> None:
        super().__init__(logging.INFO)
        self.strict = strict
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self.coded: list[tuple[str, Coded]] = []
        """Lines that say what they say as a code too (``warn(…, code)``), for the web page's languages."""

    def emit(self, record: logging.LogRecord) -> None:
        said = getattr(record, "coded", None)
        if isinstance(said, Coded):
            self.coded.append((record.getMessage(), said))
        if record.levelno < logging.WARNING:
            self.notes.append(record.getMessage())
            return
        if self.strict:
            where = getattr(record, "where", "briefexport")
            message = getattr(record, "warning", record.getMessage())
            raise LocatedError(where, f"{message} (a warning, made an error by --strict)")
        self.warnings.append(record.getMessage())


@contextmanager
def _captured_log(strict: bool) -> Iterator[_Capture]:
    log = logging.getLogger("briefexport")
    handler = _Capture(strict)
    saved = (log.handlers[:], log.level, log.propagate)
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        yield handler
    finally:
        log.handlers[:], log.level, log.propagate = saved
