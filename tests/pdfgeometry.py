"""Where things are on PDF pages, read with pdfminer: text lines and rules in millimetres from the page's top left."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTComponent, LTCurve, LTLayoutContainer, LTPage

from conftest import require_tool

MM = 72 / 25.4


@dataclass(frozen=True)
class Glyph:
    char: str
    x0: float
    x1: float
    top: float
    bottom: float
    font: str
    size: float
    color: tuple[float, ...]


@dataclass(frozen=True)
class TextLine:
    """Glyphs sharing a top edge, left to right."""

    glyphs: tuple[Glyph, ...]

    @property
    def text(self) -> str:
        return "".join(g.char for g in self.glyphs)

    @property
    def x0(self) -> float:
        return self.glyphs[0].x0

    @property
    def x1(self) -> float:
        return self.glyphs[-1].x1

    @property
    def top(self) -> float:
        return min(g.top for g in self.glyphs)

    @property
    def bottom(self) -> float:
        return max(g.bottom for g in self.glyphs)

    @property
    def size(self) -> float:
        return max(g.size for g in self.glyphs)

    @property
    def fonts(self) -> set[str]:
        return {g.font.split("+")[-1] for g in self.glyphs if not g.char.isspace()}

    @property
    def colors(self) -> set[tuple[float, ...]]:
        return {g.color for g in self.glyphs if not g.char.isspace()}


@dataclass(frozen=True)
class Rule:
    """A horizontal stroke: its y, ends, weight and colour, in millimetres."""

    y: float
    x0: float
    x1: float
    weight: float
    color: tuple[float, ...]


@dataclass(frozen=True)
class Page:
    number: int
    height: float
    lines: tuple[TextLine, ...]
    rules: tuple[Rule, ...]

    def find(self, text: str) -> TextLine:
        """The first line containing ``text``."""
        for line in self.lines:
            if text in line.text:
                return line
        raise AssertionError(f"no line with {text!r} on page {self.number}: {[line.text for line in self.lines]}")

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def _walk(item: LTComponent) -> list[LTComponent]:
    out: list[LTComponent] = [item]
    if isinstance(item, LTLayoutContainer) or hasattr(item, "__iter__"):
        for child in item:  # type: ignore[attr-defined]
            out.extend(_walk(child))
    return out


def _color(value: object) -> tuple[float, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(round(float(v), 3) for v in value)
    if value is None:
        return (0.0,)
    return (round(float(value), 3),)  # type: ignore[arg-type]


def pages(path: Path) -> list[Page]:
    """Every page's text lines (grouped by top edge, 0.3 mm apart at most) and horizontal rules."""
    out = []
    for layout in extract_pages(str(path), laparams=LAParams()):
        assert isinstance(layout, LTPage)
        height = layout.height
        glyphs, rules = [], []
        for item in _walk(layout):
            if isinstance(item, LTChar):
                glyphs.append(Glyph(item.get_text(), item.x0 / MM, item.x1 / MM, (height - item.y1) / MM, (height - item.y0) / MM,
                                    item.fontname, round(item.size, 2), _color(item.graphicstate.ncolor)))
            elif isinstance(item, LTCurve) and abs(item.y1 - item.y0) < 2 and item.width > 20:
                color = _color(item.stroking_color if item.stroke else item.non_stroking_color)
                weight = item.linewidth if item.stroke and abs(item.y1 - item.y0) < 0.01 else item.y1 - item.y0
                rules.append(Rule((height - (item.y0 + item.y1) / 2) / MM, item.x0 / MM, item.x1 / MM, weight / MM, color))
        glyphs.sort(key=lambda g: (round(g.top, 1), g.x0))
        lines: list[list[Glyph]] = []
        for glyph in glyphs:
            if lines and abs(lines[-1][0].top - glyph.top) < 0.3:
                lines[-1].append(glyph)
            else:
                lines.append([glyph])
        built = tuple(TextLine(tuple(sorted(line, key=lambda g: g.x0))) for line in lines)
        out.append(Page(layout.pageid, height / MM, built, tuple(sorted(rules, key=lambda r: r.y))))
    return out


def page_ink(pdf: Path, page: int, dpi: int = 300) -> tuple[int, int, bytes]:
    """Page ``page`` rendered by poppler as 8-bit grey: (width, height, pixels, top row first)."""
    out = subprocess.run(
        [require_tool("pdftoppm"), "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf)], capture_output=True, check=True
    ).stdout
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", out)
    assert header is not None
    width, height = int(header.group(1)), int(header.group(2))
    return width, height, out[header.end() :]


def ink_box(image: tuple[int, int, bytes], box: tuple[float, float, float, float], dpi: int = 300) -> tuple[float, float, float, float] | None:
    """The ink (pixels darker than mid-grey) inside ``box`` (x0, top, x1, bottom in mm from the
    page's top left): its extent in mm, or None."""
    width, _, pixels = image
    px = dpi / 25.4
    x0, top, x1, bottom = (round(v * px) for v in box)
    rows = [y for y in range(top, bottom) if min(pixels[y * width + x0 : y * width + x1]) < 128]
    if not rows:
        return None
    cols = [x for x in range(x0, x1) if any(pixels[y * width + x] < 128 for y in rows)]
    return cols[0] / px, rows[0] / px, (cols[-1] + 1) / px, (rows[-1] + 1) / px
