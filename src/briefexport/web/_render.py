"""What the page asks a render for, and what it gets back: files and located notices; the PDF's pages as images."""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass

from ..errors import Coded

__all__ = ["Notice", "RenderJob", "RenderResult", "notice_of", "page_image", "page_sizes"]

#: The name errors and warnings give the outline, as if the user had saved it beside the page.
OUTLINE_NAME = "outline.yaml"
#: The name errors in an uploaded theme give it.
THEME_NAME = "theme.yaml"


@dataclass(frozen=True, slots=True)
class RenderJob:
    """One request for files: the outline and theme as text, and which formats."""

    outline: str
    formats: tuple[str, ...]
    theme: str = "handout"
    """A preset name; ignored when ``theme_text`` is given."""
    theme_text: str | None = None
    """An uploaded theme file's text (it may ``extends:`` a preset, nothing else)."""


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning or note the render logged, with its place in the outline when it has one."""

    level: str
    message: str
    line: int | None = None
    col: int | None = None
    said: Coded | None = None
    """The message as a code and parameters, which the page shows in its language (None: English only)."""


@dataclass(frozen=True, slots=True)
class RenderResult:
    """The rendered files (format → bytes) and what the render noticed."""

    files: dict[str, bytes]
    notices: tuple[Notice, ...] = ()


_LOCATED = re.compile(rf"^{re.escape(OUTLINE_NAME)}:(\d+):(\d+): (?:warning: )?(.*)$", re.DOTALL)


def notice_of(level: str, line: str, said: Coded | None = None) -> Notice:
    """A logged line (``outline.yaml:12:5: warning: …``) as a notice with its line and column."""
    match = _LOCATED.match(line)
    if match:
        return Notice(level, match.group(3), int(match.group(1)), int(match.group(2)), said)
    return Notice(level, line, said=said)


#: pdfium is not thread-safe: one page drawing at a time in this process.
_PDFIUM = threading.Lock()


def page_sizes(pdf: bytes) -> tuple[tuple[float, float], ...]:
    """Each page's width and height in points (cheap: no page is drawn)."""
    import pypdfium2

    with _PDFIUM:
        document = pypdfium2.PdfDocument(pdf)
        try:
            return tuple(document.get_page_size(index) for index in range(len(document)))
        finally:
            document.close()


def page_image(pdf: bytes, index: int, dpi: int) -> bytes:
    """Page ``index`` (from 0) of the PDF as a PNG image, drawn by pdfium (the engine of Chrome's PDF viewer)."""
    import pypdfium2

    with _PDFIUM:
        document = pypdfium2.PdfDocument(pdf)
        try:
            page = document[index]
            image = page.render(scale=dpi / 72).to_pil()
            page.close()
        finally:
            document.close()
    buffer = io.BytesIO()
    # Fast compression: the image travels over loopback, so time matters more than size.
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()
