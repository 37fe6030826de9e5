"""What a render worker does: outline text + theme in, file bytes, page images and notices out.

Everything here runs inside a worker process (see :mod:`.engine`). A job touches the file
system only inside its own temporary folder, which is removed when the job ends, and is
stopped by ``SIGALRM`` when it runs past its time limit.
"""

from __future__ import annotations

import contextlib
import io
import logging
import signal
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from ..builder.api import FORMATS, build_options, render
from ..errors import BriefexportError, LocatedError, RenderError, SourcePos
from ..numbering import number
from ..outline.reader import loads
from ..theme.loader import Theme, load_theme

__all__ = ["Notice", "RenderJob", "RenderResult", "run_job", "warm_up"]

#: The name errors and warnings give the outline, as if the user had saved it beside the page.
OUTLINE_NAME = "outline.yaml"
#: The name an uploaded theme is saved under in the job's folder.
THEME_NAME = "theme.yaml"


@dataclass(frozen=True, slots=True)
class RenderJob:
    """One request for files: the outline and theme as text, which formats, whether to draw pages."""

    outline: str
    formats: tuple[str, ...]
    theme: str = "handout"
    """A preset name; ignored when ``theme_text`` is given."""
    theme_text: str | None = None
    """An uploaded theme file's text (it may ``extends:`` a preset, nothing else)."""
    preview_dpi: int = 0
    """Draw the PDF's pages as PNG images at this resolution (0: no images)."""
    time_limit: float = 30.0


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning or note the render logged, with its place when it has one."""

    level: str
    message: str
    line: int | None = None
    col: int | None = None


@dataclass(frozen=True, slots=True)
class RenderResult:
    """The rendered files (format → bytes), the PDF's page images, and what the render noticed."""

    files: dict[str, bytes]
    pages: tuple[bytes, ...] = ()
    notices: tuple[Notice, ...] = ()


class _Collector(logging.Handler):
    """Keeps the library's warnings and notes of one job, so the page can show them."""

    def __init__(self, folder: Path) -> None:
        super().__init__(logging.INFO)
        self.folder = folder
        self.notices: list[Notice] = []

    def emit(self, record: logging.LogRecord) -> None:
        where = getattr(record, "where", None)
        level = "warning" if record.levelno >= logging.WARNING else "note"
        message = _unrooted(str(getattr(record, "warning", record.getMessage())), self.folder)
        if isinstance(where, SourcePos):
            self.notices.append(Notice(level, message, where.line, where.col))
        else:
            self.notices.append(Notice(level, message))


def _unrooted(text: str, folder: Path) -> str:
    """Messages name files as the user knows them, not by the job's temporary folder."""
    return text.replace(f"{folder}/", "")


class _TimeUp(BaseException):
    """Raised by the alarm inside a job that ran too long (a BaseException, so no handler swallows it)."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _TimeUp


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _TimeUp:
        raise RenderError(f"the render took longer than {seconds:g} s and was stopped; shorten the outline") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _collecting(folder: Path) -> Iterator[_Collector]:
    log = logging.getLogger("briefexport")
    collector = _Collector(folder)
    saved = (log.handlers[:], log.level, log.propagate)
    log.handlers[:] = [collector]
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        yield collector
    finally:
        log.handlers[:], log.level, log.propagate = saved


def _theme(job: RenderJob, folder: Path) -> Theme:
    if job.theme_text is None:
        return load_theme(job.theme)
    path = folder / THEME_NAME
    path.write_text(job.theme_text, encoding="utf-8")
    # No allow_paths: the upload may extend presets only (its folder holds nothing else).
    return load_theme(path)


def _render_files(job: RenderJob, folder: Path) -> dict[str, bytes]:
    unknown = [name for name in job.formats if name not in FORMATS]
    if unknown:
        raise RenderError(f"unknown format '{unknown[0]}'; available: {', '.join(FORMATS)}")
    numbered = number(loads(job.outline, OUTLINE_NAME))
    theme = _theme(job, folder)
    # One set of options for every format, as `briefexport build` does, so the bytes are the CLI's.
    options = build_options(numbered.doc)
    files = {}
    for name in job.formats:
        files[name] = render(numbered, name, folder / f"out.{name}", theme=theme, opts=options).read_bytes()
    return files


def page_images(pdf: bytes, dpi: int) -> tuple[bytes, ...]:
    """The PDF's pages as PNG images (pdfium, as Chrome draws PDFs)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    images = []
    try:
        for index in range(len(document)):
            page = document[index]
            bitmap = page.render(scale=dpi / 72)
            buffer = io.BytesIO()
            # Fast compression: the image travels over loopback, size matters less than time.
            bitmap.to_pil().save(buffer, "PNG", compress_level=1)
            images.append(buffer.getvalue())
            page.close()
    finally:
        document.close()
    return tuple(images)


def _unroot_error(exc: BriefexportError, folder: Path) -> BriefexportError:
    if isinstance(exc, LocatedError):
        pos = exc.pos
        if isinstance(pos, SourcePos):
            pos = SourcePos(_unrooted(pos.file, folder), pos.line, pos.col)
        else:
            pos = _unrooted(str(pos), folder)
        return type(exc)(pos, _unrooted(exc.message, folder))
    return type(exc)(_unrooted(str(exc), folder))


def run_job(job: RenderJob) -> RenderResult:
    """Render a job in this process, inside a temporary folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="briefexport-web-") as tmp:
        folder = Path(tmp)
        try:
            with _collecting(folder) as collector, _time_limit(job.time_limit):
                files = _render_files(job, folder)
                pages = page_images(files["pdf"], job.preview_dpi) if job.preview_dpi else ()
        except BriefexportError as exc:
            raise _unroot_error(exc, folder) from None
        return RenderResult(files, pages, tuple(collector.notices))


#: A tiny outline whose render loads reportlab's fonts and layout code before the first request.
_WARM_OUTLINE = "title: 预热\nsections:\n  - title: 一\n    body: 正文 text\n"


def warm_up() -> None:
    """Import the renderers and the rasteriser and load the fonts once, when a worker starts."""
    run_job(RenderJob(_WARM_OUTLINE, FORMATS, preview_dpi=10))
