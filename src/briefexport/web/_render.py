"""What the page asks a render for, and what it gets back: files, page images, located notices."""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass

__all__ = ["Notice", "RenderJob", "RenderResult", "notice_of", "page_images"]

#: The name errors and warnings give the outline, as if the user had saved it beside the page.
OUTLINE_NAME = "outline.yaml"
#: The name errors in an uploaded theme give it.
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


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning or note the render logged, with its place in the outline when it has one."""

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


_LOCATED = re.compile(rf"^{re.escape(OUTLINE_NAME)}:(\d+):(\d+): (?:warning: )?(.*)$", re.DOTALL)


def notice_of(level: str, line: str) -> Notice:
    """A logged line (``outline.yaml:12:5: warning: …``) as a notice with its line and column."""
    match = _LOCATED.match(line)
    if match:
        return Notice(level, match.group(3), int(match.group(1)), int(match.group(2)))
    return Notice(level, line)


#: pdfium is not thread-safe: one page drawing at a time in this process.
_PDFIUM = threading.Lock()


def page_images(pdf: bytes, dpi: int) -> tuple[bytes, ...]:
    """The PDF's pages as PNG images, drawn by pdfium (the engine of Chrome's PDF viewer)."""
    import pypdfium2

    images = []
    with _PDFIUM:
        document = pypdfium2.PdfDocument(pdf)
        try:
            for index in range(len(document)):
                page = document[index]
                image = page.render(scale=dpi / 72).to_pil()
                page.close()
                buffer = io.BytesIO()
                # Fast compression: the image travels over loopback, so time matters more than size.
                image.save(buffer, "PNG", compress_level=1)
                images.append(buffer.getvalue())
        finally:
            document.close()
    return tuple(images)
