"""reportlab flowables that draw lines laid out by ``_cjk_lines``: text blocks and TOC entries."""

from __future__ import annotations

import functools
import itertools
import math
import zlib
from collections import ChainMap
from collections.abc import Mapping, MutableMapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from typing import Any

from reportlab import rl_config
from reportlab.lib.colors import Color, toColor
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable

from .. import WarmMemo
from ._cjk_lines import LayoutCache, Line, Measure, Piece, Run, break_lines
from ._ink import InkReader

__all__ = ["Anchor", "Block", "FlowCache", "KeepRoom", "TextBlock", "TocEntry", "define_page_number", "draw_line", "lays_out_only", "plain_form", "plain_link", "rl_color", "width_of"]

_FUZZ = 1e-3

@dataclass(frozen=True, slots=True)
class Anchor:
    """A heading's destination: bookmark key, outline entry and where its page number is recorded."""

    key: str
    title: str
    level: int
    """Outline depth, 0 for sections."""
    closed: bool


@dataclass(frozen=True, slots=True)
class Block:
    """How a role's paragraph sits vertically and which line rules apply."""

    measure: Measure
    """Width is taken from the frame; the rest (indent, alignment, gaps, grid pitch) from the theme."""
    leading: float
    """Baseline-to-baseline distance."""
    baseline: float
    """Distance from the top of a line's slot down to its baseline."""
    color: str = "#000000"
    space_before: float = 0.0
    space_after: float = 0.0
    orphans: bool = True
    """Keep at least two lines of a paragraph together at a page break (off on a strict grid)."""
    right: float = 0.0
    """Right indent in points (a 成文日期 four characters from the right)."""


class FlowCache:
    """Memos shared by the flowables of one render; a long document repeats characters and sizes.

    ``layout`` keeps character widths and line-breaking atoms; ``encoders`` each face's
    character codes, widths and font-selection operators in the document; ``notdef`` the
    code points each face draws as its .notdef box (the Typesetter's record of characters no
    face has); ``lines``, in a warm process, each paragraph's lines by runs and measure.
    Make one per render.
    """

    __slots__ = ("encoders", "layout", "lines", "notdef")

    def __init__(self, notdef: Mapping[str, AbstractSet[int]] | None = None, lines: WarmMemo | None = None) -> None:
        self.layout = _layout_cache(lines)
        self.encoders: dict[tuple[Any, str], _Encoder] = {}
        """Each face's character codes, per document and font."""
        self.notdef: Mapping[str, AbstractSet[int]] = notdef if notdef is not None else {}
        self.lines = lines
        """A warm process's paragraph lines from earlier builds (None outside the engine)."""

    def release(self) -> None:
        """Let go of the written document (its encoders hold reportlab's document, every page of it).

        The render's canvas class holds this cache in a reference cycle, which only the cyclic
        collector frees: in a build of all three formats, after the DOCX written next in the same
        process has reached its peak memory.
        """
        self.encoders.clear()


#: Characters a warm process's layout memo may hold before it starts afresh (a worker can live for days).
_LAYOUT_LIMIT = 200_000


def _layout_cache(memo: WarmMemo | None) -> LayoutCache:
    """A render's character widths and atoms; a warm process keeps one for all its renders.

    Faces are registered once per process under their PostScript names (a name cannot change
    its file), so a width or atom found in one build is what the next would compute. An edited
    paragraph then measures only the characters the process has never set.
    """
    if memo is None:
        return LayoutCache(width_of, InkReader())
    kept = memo.get(_LAYOUT_KEY)
    if not isinstance(kept, LayoutCache) or len(kept.widths.cache) + len(kept.atoms) > _LAYOUT_LIMIT:
        kept = LayoutCache(width_of, InkReader())
    memo.put(_LAYOUT_KEY, kept)
    return kept


_LAYOUT_KEY = ("pdf-layout-cache",)


def draw_line(canv: Canvas, line: Line, x: float, y: float, cache: FlowCache | None = None) -> None:
    """Draw one line's pieces with its baseline at ``y``; character spacing spreads the slack.

    With character spacing, each run of characters from one of reportlab's 256-glyph subsets
    is positioned explicitly: pdfminer drops the spacing after the last glyph of every Tj
    (poppler, following the PDF spec, keeps it), so this way every reader measures the same line.

    The line is written as one string of the operators reportlab's text object writes for it
    (``beginText``, ``setFont``, ``setCharSpace``, ``setHorizScale``, ``setTextOrigin``,
    ``textOut``, ``drawText``): a text object's bookkeeping per call cost more than the
    operators themselves. tests/test_render_pdf.py compares the two.
    """
    doc = canv._doc
    matrix = "1 0 0 1" if canv.bottomup else "1 0 0 -1"  # setTextOrigin's matrix
    ops = [f"BT {matrix} 0 0 Tm"]  # what beginText() starts with
    baseline = fp_str(y)  # formatted once for all the line's text origins
    spacing, scale, bold = 0.0, 100.0, False
    font: tuple[str, float] | None = None
    encoder, current = None, -1
    for piece in line.pieces:
        size = piece.size
        if encoder is None or font != (piece.font, size):
            font, current = (piece.font, size), -1  # setFont forgets the subset in use
            encoder = _encoder(piece.font, doc, cache)
        if abs(piece.char_space - spacing) > 1e-6:
            spacing = piece.char_space
            ops.append(f"{fp_str(spacing)} Tc")
        if piece.scale != scale:
            scale = piece.scale
            ops.append(f"{fp_str(scale)} Tz")
        if piece.bold != bold:
            bold = piece.bold
            ops.append(_synthetic_bold(size if bold else None, canv._lineWidth))
        parts = encoder.split(piece.text)
        origin = x + piece.x
        if not spacing:
            ops.append(f"{matrix} {fp_str(origin)} {baseline} Tm")
            for subset, encoded in parts:
                if subset != current:
                    ops.append(encoder.select(subset, size))
                    current = subset
                ops.append(f"({escapePDF(encoded)}) Tj")
            if not parts:
                ops.append("")  # textOut of nothing still adds its (empty) operators
            continue
        # Each part positioned: the hot loop of drawing. The origins are formatted by one
        # fp_str call (a call costs more than formatting a number).
        for (subset, encoded), at in zip(parts, fp_str(encoder.origins(piece.text, parts, origin, size, spacing)).split(" ")):
            if subset != current:
                ops.append(f"{matrix} {at} {baseline} Tm {encoder.select(subset, size)} ({escapePDF(encoded)}) Tj")
                current = subset
            else:
                ops.append(f"{matrix} {at} {baseline} Tm ({escapePDF(encoded)}) Tj")
    if spacing:
        ops.append("0 Tc")
    if scale != 100.0:
        ops.append("100 Tz")
    if bold:
        ops.append(_synthetic_bold(None, canv._lineWidth))
    ops.append("ET")
    canv.addLiteral(" ".join(ops))


#: The outline stroke of synthetic bold, in em: about the stem gain of a real bold CJK face.
SYNTHETIC_BOLD_STROKE = 0.03


def _synthetic_bold(size: float | None, line_width: float) -> str:
    """Fill and stroke the glyphs (render mode 2) with a stroke of ``size``'s em share; None ends it.

    The stroke colour is the fill colour (the flowables set both); the canvas's line width
    is restored afterwards, so later strokes on the page are unchanged.
    """
    if size is None:
        return f"0 Tr {fp_str(line_width)} w"
    return f"{fp_str(size * SYNTHETIC_BOLD_STROKE)} w 2 Tr"


def _encoder(font: str, doc: Any, cache: FlowCache | None) -> _Encoder:
    """The face's encoder for this document: the render's own, or (no cache) a fresh one."""
    if cache is None:
        return _Encoder(font, doc, None)
    key = (doc, font)
    found = cache.encoders.get(key)
    if found is None:
        found = cache.encoders[key] = _Encoder(font, doc, cache.notdef)
    return found


class _Encoder:
    """One face's characters in one document as (subset, codes), as ``TTFont.splitString`` gives them.

    reportlab gives a character its code on first sight and keeps it for the document, so a
    character's code, once seen, is noted here: text whose characters are all known is encoded
    by two ``str.translate`` calls instead of reportlab's loop over every character. Text with a
    character not seen yet goes to ``splitString``, which assigns codes in the same order as
    before. A character drawn as code 0 (one no face has, unless ``notdef`` lists it) is not
    noted: a later ``notdef`` entry may still give it a code of its own.

    Made per document and font (``FlowCache.encoders``); it also keeps each subset's
    font-selection operators and the face's advance widths of the characters seen.
    """

    __slots__ = ("codes", "doc", "font", "known", "name", "notdef", "selects", "single", "subsets", "units")

    def __init__(self, name: str, doc: Any, notdef: Mapping[str, AbstractSet[int]] | None) -> None:
        self.name = name
        self.font = pdfmetrics.getFont(name)
        if not getattr(self.font, "_dynamicFont", False):
            raise TypeError(f"{name} is not a TrueType face (FontSet chains hold TrueType faces only)")
        self.doc = doc
        self.notdef = notdef
        self.known: set[str] = set()
        self.codes: dict[int, str] = {}
        """Code point -> its code in its subset (as a character, for ``str.translate``)."""
        self.subsets: dict[int, str] = {}
        """Code point -> its subset (as a character)."""
        self.single = True
        """Every known character is in subset 0 (a short or Latin text): no subsets to look up."""
        self.units: dict[str, int] | None = {}
        """Each character's advance in 1/1000 em, for the face's integer widths (None: some width is not an integer)."""
        self.selects: dict[tuple[int, float], str] = {}

    def split(self, text: str) -> list[tuple[int, bytes]]:
        """``splitString(text)``: the text as (subset, codes)."""
        if not self.known.issuperset(text):
            return self._noted(text)
        if not text:
            return []
        codes = text.translate(self.codes).encode("latin-1")
        if self.single:
            return [(0, codes)]
        subsets = text.translate(self.subsets)
        first = subsets[0]
        if subsets.count(first) == len(subsets):
            return [(ord(first), codes)]
        parts, start = [], 0
        for subset, run in itertools.groupby(subsets):  # runs of one subset (faster than a regex's matches)
            end = start + len(list(run))
            parts.append((ord(subset), codes[start:end]))
            start = end
        return parts

    def _noted(self, text: str) -> list[tuple[int, bytes]]:
        parts = _split(self.font, text, self.doc, self.notdef.get(self.name) if self.notdef is not None else None)
        at = 0
        face = self.font.face
        for subset, encoded in parts:
            for code in encoded:
                char = text[at]
                at += 1
                if self.units is not None:
                    width = face.charWidths.get(ord(char), face.defaultWidth)
                    if type(width) is int:
                        self.units[char] = width
                    else:
                        self.units = None
                if subset or code:
                    self.known.add(char)
                    self.codes[ord(char)] = chr(code)
                    self.subsets[ord(char)] = chr(subset)
                    self.single = self.single and not subset
        return parts

    def origins(self, text: str, parts: Sequence[tuple[int, bytes]], origin: float, size: float, spacing: float) -> list[float]:
        """Where each part of ``text`` starts, from ``origin``: each advances by its width and spacing per character.

        The width is ``stringWidth``'s, ``sum of advances × 0.001 × size``: with integer advances
        the sum is exact, so adding them here gives its very number, without a call per part.
        """
        out = [origin]
        start = 0
        units = self.units
        for _, encoded in parts[:-1]:  # the last part's width moves nothing
            end = start + len(encoded)  # one byte per character
            chunk = text[start:end]
            width = sum(map(units.__getitem__, chunk)) * 0.001 * size if units is not None else self.font.stringWidth(chunk, size)
            origin += width + spacing * (end - start)
            out.append(origin)
            start = end
        return out

    def select(self, subset: int, size: float) -> str:
        """The Tf and TL operators that select ``subset`` at ``size`` (leading 1.2 × size, setFont's).

        Noted per subset and size: CJK text changes subset nearly every few characters, and
        reportlab names the subset anew each time (its first naming registers the font with the
        document, so that call is always made).
        """
        key = (subset, size)
        found = self.selects.get(key)
        if found is None:
            name = self.font.getSubsetInternalName(subset, self.doc)
            found = self.selects[key] = f"{name} {fp_str(size)} Tf {fp_str(size * 1.2)} TL"
        return found


def _split(rl_font: Any, text: str, doc: Any, notdef: AbstractSet[int] | None) -> list[tuple[int, bytes]]:
    """``rl_font.splitString(text, doc)``: the text as (subset, codes), in the subsets the document owns.

    reportlab gives every character its face lacks code 0, whose ToUnicode entry is U+0000, so
    it would not extract as itself. Each character of ``notdef`` instead gets a code of its own,
    drawn with the .notdef glyph (reportlab subsets an unmapped character as glyph 0) and
    mapped back to the character. splitString is run on a view of the font whose cmap also
    lists those characters: the registered face, which every document of the process shares,
    is never changed.
    """
    if notdef and not notdef.isdisjoint(map(ord, text)):
        return type(rl_font).splitString(_NotdefView(rl_font, notdef), text, doc)  # type: ignore[no-any-return]
    return rl_font.splitString(text, doc)  # type: ignore[no-any-return]


class _NotdefView:
    """A TrueType font as ``TTFont.splitString`` sees it, with ``notdef`` added to its cmap as glyph 0.

    Everything else (the per-document subset state in particular) is the font's own.
    """

    def __init__(self, font: Any, notdef: AbstractSet[int]) -> None:
        self._font = font
        self.face = _FaceView(font.face, ChainMap(font.face.charToGlyph, dict.fromkeys(notdef, 0)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._font, name)


class _FaceView:
    def __init__(self, face: Any, char_to_glyph: Mapping[int, int]) -> None:
        self._face = face
        self.charToGlyph = char_to_glyph

    def __getattr__(self, name: str) -> Any:
        return getattr(self._face, name)


@functools.lru_cache(maxsize=256)
def rl_color(color: str) -> Color:
    """reportlab's colour for a theme colour (``#rrggbb``), parsed once.

    ``setFillColor`` parses a string anew on every call, through reportlab's safe evaluator,
    which costs more than drawing a line of text; given the parsed colour it writes the same operators.
    """
    return toColor(color)


def lays_out_only(canv: Canvas) -> bool:
    """Whether ``canv`` only lays the pages out (for their numbers): flowables then note where they land and draw nothing.

    Drawing never moves a flowable (platypus places it before drawing), so the pages are those
    of the drawn PDF.
    """
    return bool(getattr(canv, "lays_out_only", False))


def width_of(text: str, font: str, size: float) -> float:
    """Advance width of ``text`` in a registered face."""
    return float(pdfmetrics.stringWidth(text, font, size))


class TextBlock(Flowable):  # type: ignore[misc]
    """A paragraph (or heading) broken into lines by the Chinese line breaker; splits across pages."""

    def __init__(
        self,
        runs: Sequence[Run],
        block: Block,
        *,
        anchor: Anchor | None = None,
        pages: MutableMapping[str, int] | None = None,
        lines: Sequence[Line] | None = None,
        cache: FlowCache | None = None,
    ) -> None:
        super().__init__()
        self.runs = tuple(runs)
        self.block = block
        self.anchor = anchor
        self.pages = pages
        self.cache = cache
        self.spaceBefore = block.space_before
        self.spaceAfter = block.space_after
        self._lines: tuple[Line, ...] | None = tuple(lines) if lines is not None else None
        self._fixed = lines is not None
        self._laid_out_for: float | None = None

    def measure_width(self, avail_width: float) -> float:
        return avail_width - self.block.right

    def lines(self, avail_width: float) -> tuple[Line, ...]:
        """The block's lines at this width (computed once per width)."""
        if self._fixed and self._lines is not None:
            return self._lines
        if self._lines is None or self._laid_out_for != avail_width:
            measure = replace(self.block.measure, width=self.measure_width(avail_width))
            self._lines = self._broken(measure)
            self._laid_out_for = avail_width
        return self._lines

    def _broken(self, measure: Measure) -> tuple[Line, ...]:
        # Lines depend only on the runs (text, face, size) and the measure: a warm memo's are the same.
        memo = self.cache.lines if self.cache is not None else None
        key = ("pdf-lines", self.runs, measure)
        found = memo.get(key) if memo is not None else None
        if isinstance(found, tuple):
            return found
        lines = tuple(break_lines(self.runs, measure, width_of, cache=self.cache.layout if self.cache else None))
        if memo is not None:
            memo.put(key, lines)
        return lines

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = len(self.lines(avail_width)) * self.block.leading
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        lines = self.lines(avail_width)
        fit = int((avail_height + _FUZZ) // self.block.leading)
        if self.block.orphans and len(lines) >= 2:
            if len(lines) - fit == 1:
                fit -= 1  # no widow: carry two lines over
            if fit < 2:
                fit = 0  # no orphan: move the whole paragraph
        if fit <= 0 or fit >= len(lines):
            return []
        head = self.clone(lines[:fit], replace(self.block, space_after=0.0))
        head.anchor, head.pages = self.anchor, self.pages
        return [head, self.clone(lines[fit:], replace(self.block, space_before=0.0))]

    def clone(self, lines: Sequence[Line], block: Block) -> TextBlock:
        """A block drawing the given, already broken lines."""
        return TextBlock(self.runs, block, lines=lines, cache=self.cache)

    def draw(self) -> None:
        canv = self.canv
        if self.anchor is not None:
            self._mark(canv, self.anchor)
        if lays_out_only(canv):
            return
        canv.setFillColor(rl_color(self.block.color))
        if any(run.bold for run in self.runs):
            canv.setStrokeColor(rl_color(self.block.color))  # synthetic bold strokes the glyphs
        for index, line in enumerate(self.lines(self.width)):
            draw_line(canv, line, 0.0, self.height - index * self.block.leading - self.block.baseline, self.cache)

    def _mark(self, canv: Canvas, anchor: Anchor) -> None:
        """Bookmark the heading, add it to the PDF outline and note its page for the TOC."""
        canv.bookmarkHorizontal(anchor.key, 0, self.height)
        canv.addOutlineEntry(anchor.title, anchor.key, level=anchor.level, closed=anchor.closed)
        if self.pages is not None:
            self.pages[anchor.key] = canv.getPageNumber()


class TocEntry(TextBlock):
    """A table-of-contents entry: indented heading text, then a form XObject holding the dot
    leaders and the page number, and a link to the heading.

    The page number is not known when the entry is drawn (the TOC comes first), so the entry
    records how long its leaders must be and draws a reference to a form that
    :func:`define_page_number` fills in when the document is saved: one layout pass suffices.
    """

    def __init__(
        self,
        runs: Sequence[Run],
        block: Block,
        *,
        key: str,
        left: float,
        number_box: float,
        leaders: MutableMapping[str, float],
        lines: Sequence[Line] | None = None,
        cache: FlowCache | None = None,
    ) -> None:
        super().__init__(runs, block, lines=lines, cache=cache)
        self.key = key
        self.left = left
        self.number_box = number_box
        self.leaders = leaders
        self.numbered = True

    def measure_width(self, avail_width: float) -> float:
        # The text stops short of the page-number column, so leaders always have room.
        return avail_width - self.left - self.number_box

    def clone(self, lines: Sequence[Line], block: Block) -> TextBlock:
        return TocEntry(
            self.runs, block, key=self.key, left=self.left, number_box=self.number_box, leaders=self.leaders, lines=lines,
            cache=self.cache,
        )

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        parts = super().split(avail_width, avail_height)
        if parts:
            parts[0].numbered = False  # leaders and number go with the entry's last line
        return parts

    def draw(self) -> None:
        canv = self.canv
        if lays_out_only(canv):
            return
        canv.setFillColor(rl_color(self.block.color))
        if any(run.bold for run in self.runs):
            canv.setStrokeColor(rl_color(self.block.color))
        lines = self.lines(self.width)
        for index, line in enumerate(lines):
            draw_line(canv, line, self.left, self.height - index * self.block.leading - self.block.baseline, self.cache)
        if not lines or not self.numbered:
            return
        baseline = self.height - (len(lines) - 1) * self.block.leading - self.block.baseline
        self.leaders[self.key] = self.width - (self.left + lines[-1].end + 0.5 * lines[-1].size)
        canv.saveState()
        canv.translate(self.width, baseline)
        canv.doForm(form_name(self.key))
        canv.restoreState()
        name = form_name(self.key)  # named, so the annotation can be found; names are not written
        canv.linkRect("", self.key, (0, 0, self.width, self.height), relative=1, thickness=0, name=name)
        plain_link(canv, name)


def form_name(key: str) -> str:
    """The form XObject holding a TOC entry's leaders and page number."""
    return f"toc-{key}"


def plain_link(canv: Canvas, name: str) -> None:
    """Have the link annotation ``name`` just added to ``canv`` formatted by :class:`_PlainLink` (same bytes, less work)."""
    link = canv._doc.idToObject.get(canv._doc.annotationName(name))
    if type(link) is pdfdoc.LinkAnnotation:
        link.__class__ = _PlainLink


class _PlainLink(pdfdoc.LinkAnnotation):  # type: ignore[misc]
    """A borderless link to a destination, without contents, formatted as reportlab formats it.

    Each TOC entry links to its heading (900 links in the x50 briefing); as with
    :class:`_PlainForm`, the dictionary is written directly (the destination is still formatted
    by reportlab), and anything else is left to reportlab. tests/test_render_pdf.py compares the bytes.
    """

    def format(self, document: Any) -> bytes:
        border = self.Border
        plain = (
            self.Contents == "" and not self.otherkw and not rl_config.pdfMultiLine
            and type(document.encrypt) is pdfdoc.NoEncryption and len(self.Rect) == 4
            and all(type(number) in (float, int) for number in self.Rect)
            and type(border) is pdfdoc.PDFArray and border.sequence == [0, 0, 0]
        )
        if not plain:
            return super().format(document)  # type: ignore[no-any-return]
        return b"".join((
            b"<<\n/Border [ 0 0 0 ] /Contents () /Dest ", pdfdoc.format(self.Destination, document),
            b" /Rect [ ", fp_str(*self.Rect).encode("ascii"), b" ] /Subtype /Link /Type /Annot\n>>",
        ))


def define_page_number(canv: Canvas, key: str, number: Line, leader: float, color: str, cache: FlowCache | None = None) -> None:
    """Define a TOC entry's form: dot leaders over ``leader`` points, then the number, ending at x = 0."""
    size = number.size or 10.0
    canv.beginForm(form_name(key), lowerx=-leader - size, lowery=-size, upperx=0, uppery=2 * size)
    canv.setFillColor(rl_color(color))
    canv.setStrokeColor(rl_color(color))
    draw_line(canv, number, -number.end, 0.0, cache)
    gap = size * 0.3
    # Dots sit on multiples of ``gap`` from the right edge, so they line up from entry to entry.
    stop = -math.ceil((number.end + 0.5 * size) / gap) * gap
    if stop > -leader:
        canv.setLineWidth(size * 0.08)
        canv.setLineCap(1)
        canv.setDash([0, gap])
        canv.line(stop, size * 0.05, -leader, size * 0.05)
    canv.endForm()
    plain_form(canv, form_name(key))


def plain_form(canv: Canvas, name: str) -> None:
    """Have the form ``name`` just defined on ``canv`` formatted by :class:`_PlainForm` (same bytes, less work)."""
    form = canv._doc.idToObject.get(pdfdoc.xObjectName(name))
    if type(form) is pdfdoc.PDFFormXObject:
        form.__class__ = _PlainForm


class _PlainForm(pdfdoc.PDFFormXObject):  # type: ignore[misc]
    """A form XObject holding only a deflated content stream, formatted as reportlab formats it.

    reportlab writes a form through its generic dictionary and array formatting, about ninety
    calls per form, which cost more than drawing it; a TOC entry's leaders and number are such a
    form, one per entry. The bytes are written directly here. Anything else (resources, a box set
    beforehand, ASCII85, multi-line dictionaries, encryption) is left to reportlab.
    tests/test_render_pdf.py compares the bytes with reportlab's.
    """

    def format(self, document: Any) -> bytes:
        box = (self.lowerx, self.lowery, self.upperx, self.uppery)
        plain = (
            self.compression and self.stream and self.hasImages and not rl_config.useA85 and not rl_config.pdfMultiLine
            and not (self.XObjects or self.Annots or self.BBox or self.Matrix or self.Contents or self.Resources)
            and type(document.encrypt) is pdfdoc.NoEncryption and all(type(number) in (float, int) for number in box)
        )
        if not plain:
            return super().format(document)  # type: ignore[no-any-return]
        content = zlib.compress(self.stream)
        fonts = pdfdoc.PDFObjectReference(pdfdoc.BasicFonts).format(document)
        return b"".join((
            b"<<\n/BBox [ ", fp_str(*box).encode("ascii"), b" ] /Filter [ /FlateDecode ] /FormType 1 /Length ",
            str(len(content)).encode("ascii"), b" /Matrix [ 1 0 0 1 0 0 ] /Resources <<\n/Font ", fonts,
            b" /ProcSet [ /PDF /Text /ImageB /ImageC /ImageI ]\n>> \n  /Subtype /Form /Type /XObject\n>>\nstream\n",
            content, b"endstream\n",
        ))


class KeepRoom(CondPageBreak):  # type: ignore[misc]
    """Turn the page unless the headings that follow and the first lines of their text fit.

    platypus' keepWithNext would move a heading together with its whole next paragraph,
    leaving half a page empty; a heading needs only the start of its text with it.
    """

    def __init__(self, group: Sequence[TextBlock], lines_after: int = 2) -> None:
        super().__init__(0)
        self.group = tuple(group)
        self.lines_after = lines_after

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        frame = self._doctemplateAttr("frame")
        if frame is not None and getattr(frame, "_atTop", False):
            return 0, 0  # a new page cannot give more room
        *heads, last = self.group
        need = 0.0
        for block in heads:
            need += block.spaceBefore + block.wrap(avail_width, avail_height)[1] + block.spaceAfter
        lines = last.lines(avail_width)
        need += last.spaceBefore + min(len(lines), self.lines_after) * last.block.leading
        self.height = need
        return super().wrap(avail_width, avail_height)  # type: ignore[no-any-return]
