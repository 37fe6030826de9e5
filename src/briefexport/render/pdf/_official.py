"""The GB/T 9704-2012 elements of an official document (公文) as reportlab flowables.

The writer lays out the body; this module adds what comes around it: the 版头 (份号, 密级,
紧急程度, the red 发文机关标志 with its top 35 mm below the type area, the 发文字号 or the
upward document's 签发人 row, the red rule 4 mm below the 文号), the title in balanced lines
two lines below the rule, the 主送 line, and after the body the 附件说明, 署名 and 成文日期
(by the with-seal or without-seal rule), the 附注, each attachment on pages of its own, and
the 版记 with its last rule on the type area's bottom edge of an even page. Pages holding
only the 版记, and the blank page before it, are noted so that the writer prints no number.
Positions are derived from the theme's type area and grid, faces from its roles (title: 小标宋,
h1: 黑体, h2: 楷体, body: 仿宋).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from reportlab.lib import units
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, PageBreak

from ...model import Official, Para
from .._gongwen import SEAL_ROW_LINES, seal_grid
from ._cjk_lines import Line, Measure, Run, break_lines
from ._flow import Block, FlowCache, TextBlock, draw_line, rl_color, width_of

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

    from ...theme.loader import Theme
    from ._fonts import Typesetter

__all__ = ["RED", "REPLACED_ROLES", "official_flowables"]

mm = float(units.mm)
RED = "#FF0000"
"""发文机关标志 and the rule under the 文号 are printed red."""
REPLACED_ROLES = frozenset({"title", "subtitle", "meta", "toc_title", "toc"})
"""Story roles the official layout replaces: its own title, no date line, no table of contents."""
MARK_TOP_MM = 35.0
"""The mark's top edge below the type area's top (GB/T 9704 7.2.4)."""
RULE_BELOW_NUMBER_MM = 4.0
MARK_MAX_SIZE = 48.0
"""Largest mark size in points; a long organ name is set smaller so the mark fits the type area."""
RED_RULE_WIDTH = 1.0
"""The red rule's weight in points (the standard fixes its width, not its weight)."""
THICK_RULE = 0.35 * mm
THIN_RULE = 0.25 * mm
IMPRINT_RATIO = 14 / 16
"""版记 text is 4号 (14 pt) where the body is 3号 (16 pt)."""


@dataclass(frozen=True, slots=True)
class _Kit:
    """What every element needs: theme, faces, the body's line pitch and character width."""

    theme: Theme
    setter: Typesetter
    block: Callable[[str], Block]
    cache: FlowCache
    where: str

    @property
    def pitch(self) -> float:
        return self.theme.body_line_pitch()

    @property
    def char(self) -> float:
        return self.theme.body_char_pitch() or self.theme.style("body").size

    def runs(self, role: str, text: str, size: float | None = None) -> list[Run]:
        runs = self.setter.text_runs(role, text, self.where)
        return runs if size is None else [Run(run.text, run.font, size) for run in runs]

    def line(self, role: str, text: str, size: float | None = None, *, pitch: bool = False) -> Line:
        """One unbroken line of text; ``pitch``: on the body's character grid."""
        measure = Measure(width=1e6, align="left", char_pitch=self.theme.body_char_pitch() if pitch else None, squeeze=not pitch)
        lines = break_lines(self.runs(role, text, size), measure, width_of)
        return lines[0] if lines else Line((), 0.0, size or self.theme.style(role).size)


def _descent(line: Line) -> float:
    if not line.pieces:
        return 0.0
    piece = line.pieces[0]
    return float(pdfmetrics.getFont(piece.font).face.descent) / 1000 * piece.size


def _draw_top(canv: Canvas, line: Line, x: float, top: float, color: str = "#000000") -> None:
    """Draw ``line`` with the top of its em box at ``top`` (y grows upwards)."""
    canv.setFillColor(rl_color(color))
    draw_line(canv, line, x, top - line.size - _descent(line))


def _rule(canv: Canvas, y: float, width: float, weight: float, color: str = "#000000") -> None:
    canv.saveState()
    canv.setStrokeColor(rl_color(color))
    canv.setLineWidth(weight)
    canv.line(0, y, width, y)
    canv.restoreState()


# -- 版头 ----------------------------------------------------------------------


class Masthead(Flowable):  # type: ignore[misc]
    """份号, 密级, 紧急程度, the mark, the 文号 (and 签发人), the red rule; ends where the title starts."""

    def __init__(self, official: Official, kit: _Kit) -> None:
        super().__init__()
        self.official = official
        self.kit = kit
        self.corner = [kit.line("h1", text) for text in (official.copy_number, official.secrecy, official.urgency) if text]
        lines, suffix = official.mark_lines, official.mark_suffix
        if len(lines) == 1:  # one organ: 文件 follows its name on the same line
            lines, suffix = (lines[0] + suffix,), ""
        self.mark = [kit.line("title", text, 1.0) for text in lines]
        self.suffix = kit.line("title", suffix, 1.0) if suffix else None
        self.number = kit.line("body", official.number) if official.number else None
        self.signer_label = kit.line("body", "签发人：") if official.signers else None
        self.signers = [kit.line("h2", name) for name in official.signers]
        self.mark_size = self._mark_size()
        self.height = self.title_top()

    def _mark_size(self) -> float:
        """At most MARK_MAX_SIZE, and small enough for the longest mark line (with 文件 beside it) to fit."""
        if not self.mark:
            return 0.0
        width = self.kit.theme.page.type_width * mm
        ems = max(line.end for line in self.mark) + (self.suffix.end + 0.5 if self.suffix else 0.0)
        return min(MARK_MAX_SIZE, width / ems)

    @property
    def mark_pitch(self) -> float:
        return self.mark_size * 1.2

    def mark_height(self) -> float:
        return self.mark_size + (len(self.mark) - 1) * self.mark_pitch if self.mark else 0.0

    def number_rows(self) -> int:
        """Lines of the 文号 row: one, or one per two 签发人."""
        return max(1, (len(self.signers) + 1) // 2) if self.signers else (1 if self.number else 0)

    def number_top(self) -> float:
        """Distance of the first 文号/签发人 row's top below the type area's top: two lines below the mark."""
        if self.mark:
            return MARK_TOP_MM * mm + self.mark_height() + 2 * self.kit.pitch
        return len(self.corner) * self.kit.pitch

    def rule_at(self) -> float | None:
        """Distance of the red rule below the type area's top (4 mm below the 文号), if there is one."""
        rows = self.number_rows()
        if rows:
            size = self.kit.theme.style("body").size
            return self.number_top() + (rows - 1) * self.kit.pitch + size + RULE_BELOW_NUMBER_MM * mm
        if self.mark:
            return MARK_TOP_MM * mm + self.mark_height() + RULE_BELOW_NUMBER_MM * mm
        return None

    def title_top(self) -> float:
        """The title two lines below the rule; without a 版头 the title is on the first line."""
        rule = self.rule_at()
        return rule + 2 * self.kit.pitch if rule is not None else len(self.corner) * self.kit.pitch

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.height

    def draw(self) -> None:
        canv, kit, top = self.canv, self.kit, self.height
        for index, line in enumerate(self.corner):
            _draw_top(canv, line, 0.0, top - index * kit.pitch)
        self._draw_mark(canv, top - MARK_TOP_MM * mm)
        self._draw_number(canv, top - self.number_top())
        rule = self.rule_at()
        if rule is not None:
            _rule(canv, top - rule, self.width, RED_RULE_WIDTH, RED)

    def _draw_mark(self, canv: Canvas, top: float) -> None:
        if not self.mark:
            return
        size = self.mark_size
        lines = [_scaled(line, size) for line in self.mark]
        block = max(line.end for line in lines)
        suffix = _scaled(self.suffix, size) if self.suffix else None
        total = block + (suffix.end + size * 0.5 if suffix else 0.0)
        left = (self.width - total) / 2
        for index, line in enumerate(lines):
            # Joint organs: each name spread to the longest one's width, so the block is square.
            spread = _spread(line, block) if len(lines) > 1 else line
            _draw_top(canv, spread, left + (block - spread.end) / 2, top - index * self.mark_pitch, RED)
        if suffix:
            middle = top - self.mark_height() / 2
            _draw_top(canv, suffix, left + block + size * 0.5, middle + size / 2, RED)

    def _draw_number(self, canv: Canvas, top: float) -> None:
        kit = self.kit
        rows = self.number_rows()
        if self.signers and self.signer_label:
            # 上行文: 签发人：names right, one character in, two names a row; the 文号 left on the last row.
            name_width = max(line.end for line in self.signers)
            gap = kit.char
            right = self.width - kit.char
            names_left = right - 2 * name_width - gap if len(self.signers) > 1 else right - name_width
            _draw_top(canv, self.signer_label, names_left - self.signer_label.end, top)
            for index, name in enumerate(self.signers):
                row, column = divmod(index, 2)
                _draw_top(canv, name, names_left + column * (name_width + gap), top - row * kit.pitch)
            if self.number:
                _draw_top(canv, self.number, kit.char, top - (rows - 1) * kit.pitch)
        elif self.number:
            _draw_top(canv, self.number, (self.width - self.number.end) / 2, top)


def _scaled(line: Line, size: float) -> Line:
    """A line laid out at size 1 pt, scaled to ``size``."""
    pieces = tuple(replace(piece, size=size, x=piece.x * size, char_space=piece.char_space * size) for piece in line.pieces)
    return Line(pieces, line.end * size, size)


def _spread(line: Line, width: float) -> Line:
    """Spread a line's characters evenly to ``width`` (the first and last character at the ends)."""
    count = sum(len(piece.text) for piece in line.pieces)
    if count < 2 or line.end >= width:
        return line
    extra = (width - line.end) / (count - 1)
    pieces, before = [], 0
    for piece in line.pieces:
        pieces.append(replace(piece, x=piece.x + before * extra, char_space=piece.char_space + extra))
        before += len(piece.text)
    return Line(tuple(pieces), width, line.size)


# -- 主体 ----------------------------------------------------------------------


class BalancedTitle(TextBlock):
    """The title in lines of nearly equal length, centred (GB/T 9704: 梯形或菱形)."""

    def measure_width(self, avail_width: float) -> float:
        full = replace(self.block.measure, width=avail_width)
        if full.balance:
            # The line breaker balances the lines itself, at phrases; a narrower measure would
            # leave a phrase's line no room and cut it by characters (``全市机 / 关``).
            return avail_width
        count = len(break_lines(self.runs, full, width_of))
        if count <= 1:
            return avail_width
        low, high = avail_width / count, avail_width
        for _ in range(20):  # the narrowest width that still gives the same number of lines
            middle = (low + high) / 2
            if len(break_lines(self.runs, replace(full, width=middle), width_of)) > count:
                low = middle
            else:
                high = middle
        return high

    def draw(self) -> None:
        self.canv.translate((self.width - self.measure_width(self.width)) / 2, 0)
        super().draw()


class Hanging(Flowable):  # type: ignore[misc]
    """A label, then text whose wrapped lines align with its first character (附件说明, 抄送)."""

    def __init__(self, label: Line, runs: Sequence[Run], *, left: float, hang: float, right: float, kit: _Kit, block: Block) -> None:
        super().__init__()
        self.label, self.runs, self.left, self.hang, self.right = label, tuple(runs), left, hang, right
        self.kit, self.block = kit, block
        self.spaceBefore, self.spaceAfter = block.space_before, block.space_after
        self._lines: list[Line] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        measure = replace(self.block.measure, width=avail_width - self.hang - self.right, indent=0.0, align="justify")
        self._lines = break_lines(self.runs, measure, width_of, cache=self.kit.cache.layout)
        self.height = max(1, len(self._lines)) * self.block.leading
        return avail_width, self.height

    def draw(self) -> None:
        canv, leading, baseline = self.canv, self.block.leading, self.block.baseline
        canv.setFillColor(rl_color(self.block.color))
        draw_line(canv, self.label, self.left, self.height - baseline, self.kit.cache)
        for index, line in enumerate(self._lines):
            draw_line(canv, line, self.hang, self.height - index * leading - baseline, self.kit.cache)


def _attachment_list(official: Official, kit: _Kit) -> list[Flowable]:
    """附件说明: one line below the body, two characters in, numbered 1. 2. … when there are several."""
    body = kit.block("body")
    out: list[Flowable] = []
    several = len(official.attachments) > 1
    head = kit.line("body", "附件：", pitch=True)
    left = 2 * kit.char
    for index, attachment in enumerate(official.attachments, start=1):
        number = kit.line("body", f"{index}.", pitch=True) if several else None
        label_text = ("附件：" if index == 1 else "") + (f"{index}." if several else "")
        label = kit.line("body", label_text, pitch=True) if label_text else Line((), 0.0, head.size)
        start = left + (0.0 if index == 1 else head.end)
        hang = left + head.end + (number.end if number else 0.0)
        block = replace(body, space_before=kit.pitch if index == 1 else 0.0, space_after=0.0)
        out.append(Hanging(label, kit.runs("body", attachment.name), left=start, hang=hang, right=0.0, kit=kit, block=block))
    return out


class Signature(Flowable):  # type: ignore[misc]
    """发文机关署名 and 成文日期, placed by the with-seal or without-seal rule (GB/T 9704 7.3.5)."""

    def __init__(self, official: Official, kit: _Kit) -> None:
        super().__init__()
        self.official, self.kit = official, kit
        self.names = [kit.line("body", name, pitch=True) for name in official.signed_by]
        self.date = kit.line("body", official.date, pitch=True) if official.date else None
        # With a seal: two empty lines for the seal's upper half; without: one empty line.
        self.spaceBefore = 2 * kit.pitch if official.seal else kit.pitch
        self.rows = self._rows()
        self.height = ((self.rows[-1] + 1 if self.rows else 0) + (1 if self.date else 0)) * kit.pitch

    def _rows(self) -> list[int]:
        """The line of each 署名: one below the other, or, sealed and joint, rows of two seals apart."""
        if self.official.seal and len(self.names) > 1:
            return [row * SEAL_ROW_LINES for row, _ in seal_grid(len(self.names))]
        return list(range(len(self.names)))

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.height

    def positions(self) -> tuple[list[float], float]:
        """The x of each 署名 line and of the date, from the type area's left edge."""
        char, width = self.kit.char, self.width
        date_end = self.date.end if self.date else 0.0
        name_end = max((line.end for line in self.names), default=0.0)
        if self.official.seal:
            # The date four characters from the right; the (last) 署名 centred over the date, a joint
            # document's others two a row, the left column mirroring the right one.
            date_x = width - 4 * char - date_end
            centre = date_x + date_end / 2 if self.date else width - 4 * char - name_end / 2
            if len(self.names) == 1:
                return [centre - self.names[0].end / 2], date_x
            columns = {"right": centre, "left": width - centre}
            return [columns[side] - line.end / 2 for line, (_, side) in zip(self.names, seal_grid(len(self.names)))], date_x
        # No seal: 署名 two characters from the right, the date starting two characters further right;
        # a longer date sits two characters from the right and pushes the 署名 left.
        name_x = width - 2 * char - name_end
        date_x = name_x + 2 * char
        if date_x + date_end > width - 2 * char:
            date_x = width - 2 * char - date_end
            name_x = date_x - 2 * char
        return [name_x] * len(self.names), date_x

    def draw(self) -> None:
        names, date_x = self.positions()
        top, pitch = self.height, self.kit.pitch
        for line, x, row in zip(self.names, names, self.rows):
            _draw_top(self.canv, line, x, top - row * pitch)
        if self.date:
            _draw_top(self.canv, self.date, date_x, top - (self.rows[-1] + 1 if self.rows else 0) * pitch)


class KeptWithText(Flowable):  # type: ignore[misc]
    """The 署名 and 成文日期 kept with the text above them, so that the seal always presses on text.

    GB/T 9704 7.3.5.1 puts the seal's top within a line of the text and allows no blank seal;
    a 署名 alone at the top of a page would have neither. When the pair does not fit under the
    text, the paragraph above goes over with it, whole, as LibreOffice moves a paragraph kept
    with the next (the DOCX marks it so, ``render/docx/_official.py``); only a paragraph too
    long for that leaves its first lines behind, at least two.
    """

    LINES_CARRIED = 2

    def __init__(self, text: Flowable, signature: Signature) -> None:
        super().__init__()
        self.text, self.signature = text, signature
        self.spaceBefore, self.spaceAfter = text.getSpaceBefore(), signature.getSpaceAfter()
        self._text_height = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self._text_height = self.text.wrap(avail_width, avail_height)[1]
        below = self.signature.wrap(avail_width, avail_height)[1]
        self.height = self._text_height + self.signature.getSpaceBefore() + below
        return avail_width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        if not isinstance(self.text, TextBlock):
            return []
        frame = self._doctemplateAttr("frame")
        page = float(frame._aH) if frame is not None else avail_height
        lines = self.text.lines(avail_width)
        if self.height <= page + 1e-3 or len(lines) < 2 * self.LINES_CARRIED:
            return []  # all of it on the next page
        staying = min(avail_height, (len(lines) - self.LINES_CARRIED) * self.text.block.leading)
        parts = self.text.split(avail_width, staying)
        if len(parts) != 2:
            return []
        head, rest = parts
        return [head, KeptWithText(rest, self.signature)]

    def draw(self) -> None:
        self.text.drawOn(self.canv, 0, self.height - self._text_height)
        self.signature.drawOn(self.canv, 0, 0)


def _note(official: Official, kit: _Kit) -> list[Flowable]:
    """附注: the line below the date, two characters in, in （）."""
    if not official.note:
        return []
    text = official.note if official.note.startswith("（") else f"（{official.note}）"
    body = kit.block("body")
    block = replace(body, measure=replace(body.measure, indent=2 * kit.char), space_before=0.0)
    return [TextBlock(kit.runs("body", text), block, cache=kit.cache)]


def _attachment_pages(official: Official, kit: _Kit) -> list[Flowable]:
    """Each attachment with a body: a new page, 附件N in 黑体 on line 1, the title centred on line 3."""
    out: list[Flowable] = []
    several = len(official.attachments) > 1
    h1, title, body = kit.block("h1"), kit.block("title"), kit.block("body")
    for index, attachment in enumerate(official.attachments, start=1):
        if not attachment.body:
            continue
        label = f"附件{index}" if several else "附件"
        label_block = replace(h1, measure=replace(h1.measure, indent=0.0, align="left"), space_before=0.0, space_after=0.0)
        title_block = replace(title, color="#000000", space_before=kit.pitch, space_after=0.0)
        out.append(PageBreak())
        out.append(TextBlock(kit.runs("h1", label), label_block, cache=kit.cache))
        out.append(BalancedTitle(kit.runs("title", attachment.title or attachment.name), title_block, cache=kit.cache))
        out.extend(_paragraphs(attachment.body, kit, body))
    return out


def _paragraphs(paras: Sequence[Para], kit: _Kit, block: Block) -> list[Flowable]:
    return [TextBlock(kit.setter.runs("body", para.spans, para.pos), block, cache=kit.cache) for para in paras]


# -- 版记 ----------------------------------------------------------------------


class Imprint(Flowable):  # type: ignore[misc]
    """主送 (when moved here) and 抄送, then 印发, between rules, the last rule on the type area's bottom edge of an even page.

    Where the page is odd, or too full, it moves on: to the next page if that is even, else past
    a blank page. The pages it moves to are added to ``unnumbered`` before they begin, so the
    writer prints no page number on them. The lines of each list go into ``lines`` (the DOCX's
    rows give back the rules' weight by them).
    """

    def __init__(self, official: Official, kit: _Kit, unnumbered: set[int], lines: list[int]) -> None:
        super().__init__()
        self.official, self.kit, self.unnumbered, self.noted_lines = official, kit, unnumbered, lines
        size = kit.theme.style("body").size * IMPRINT_RATIO
        self.size = size
        self.labels = [kit.line("body", label, size) for label, _ in official.record_lists]
        self.lists: list[list[Line]] = []
        printer = kit.line("body", official.printer, size) if official.printer else None
        date = kit.line("body", f"{official.print_date}印发", size) if official.print_date else None
        self.printed = (printer, date)

    def _layout_lists(self, width: float) -> None:
        self.lists = []
        for label, (_, text) in zip(self.labels, self.official.record_lists):
            measure = Measure(width=width - 2 * self.size - label.end, align="justify")
            self.lists.append(break_lines(self.kit.runs("body", text, self.size), measure, width_of, cache=self.kit.cache.layout))
        self.noted_lines[:] = map(len, self.lists)

    def rows(self) -> int:
        return sum(map(len, self.lists)) + (1 if any(self.printed) else 0)

    def needed(self) -> float:
        return self.rows() * self.kit.pitch

    def _page(self) -> int:
        canv = self._doctemplateAttr("canv")
        return int(canv.getPageNumber()) if canv is not None else 1

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self._layout_lists(avail_width)
        page = self._page()
        if page % 2 == 0 and self.needed() <= avail_height + 1e-3:
            self.height = avail_height
            return avail_width, avail_height
        # It moves on: to the next page if that is even, else past a blank odd page. Those pages
        # are noted now, before they begin (their page numbers are drawn when they do).
        self.unnumbered.update((page + 1,) if page % 2 else (page + 1, page + 2))
        return avail_width, avail_height + self.needed() + 1.0  # does not fit: split() moves it on

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        # (With no room left at all, platypus does not ask, and turns the page itself.)
        breaks: list[Flowable] = [PageBreak()] if self._page() % 2 else [PageBreak(), PageBreak()]
        return [*breaks, Imprint(self.official, self.kit, self.unnumbered, self.noted_lines)]

    def draw(self) -> None:
        canv, pitch, size = self.canv, self.kit.pitch, self.size
        width = self.width
        rows = self.rows()
        top = rows * pitch
        _rule(canv, top, width, THICK_RULE)
        _rule(canv, 0.0, width, THICK_RULE)

        def slot(index: int) -> float:
            return top - index * pitch - (pitch - size) / 2  # the em box centred in its line
        row = 0
        for label, lines in zip(self.labels, self.lists):  # 主送 right above 抄送, no rule between (GB/T 9704 7.4.2)
            _draw_top(canv, label, size, slot(row))
            for line in lines:
                _draw_top(canv, line, size + label.end, slot(row))
                row += 1
        if row and any(self.printed):
            _rule(canv, top - row * pitch, width, THIN_RULE)
        printer, date = self.printed
        if printer:
            _draw_top(canv, printer, size, slot(rows - 1))
        if date:
            _draw_top(canv, date, width - size - date.end, slot(rows - 1))


# -- assembly ------------------------------------------------------------------


def official_flowables(
    official: Official,
    title: Sequence[str],
    body: Sequence[Flowable],
    *,
    theme: Theme,
    setter: Typesetter,
    block: Callable[[str], Block],
    cache: FlowCache,
    where: str,
    unnumbered: set[int],
    imprint_lines: list[int],
) -> list[Flowable]:
    """The whole official document: 版头, ``title`` (its lines as the outline breaks them), 主送, ``body``,
    附件说明, 署名, 附注, attachments, 版记."""
    kit = _Kit(theme, setter, block, cache, where)
    out: list[Flowable] = [Masthead(official, kit)]
    title_block = replace(block("title"), space_before=0.0, space_after=0.0)
    out.append(BalancedTitle(setter.lines_runs("title", title, where), title_block, cache=cache))
    if official.heading_recipients:
        text = official.heading_recipients
        body_block = block("body")
        recipients = replace(body_block, measure=replace(body_block.measure, indent=0.0), space_before=kit.pitch)
        out.append(TextBlock(kit.runs("body", text), recipients, cache=cache))
    out.extend(body)
    out.extend(_attachment_list(official, kit))
    if official.signed_by or official.date:
        signature = Signature(official, kit)
        above = out[-1] if len(out) > 1 else None  # not the 版头
        out[-1:] = [KeptWithText(above, signature)] if above is not None else [out[-1], signature]
    out.extend(_note(official, kit))
    out.extend(_attachment_pages(official, kit))
    if official.has_record:
        out.append(Imprint(official, kit, unnumbered, imprint_lines))
    return out
