"""The GB/T 9704-2012 elements of an official document (公文) as Word paragraphs, tables and a section.

Placed as in the PDF (``render/pdf/_official.py``): the 版头 as paragraphs of exact height
that do not snap to the grid (the mark's top 35 mm below the type area, the 文号 two lines
below it with the red rule as its bottom border 4 mm under the text), the title in balanced
lines (line breaks), the 主送 flush left, and after the body the 附件说明 (a hanging indent,
so wrapped lines align with the name), 署名 and 成文日期 by the seal rules (with a seal both
centred on the date's centre, so that the reader's faces cannot move one off the other), the 附注, and the attachments after page breaks. The 版记
is a table with horizontal rules only: floating at the bottom of the page where the text ends
when the PDF layout has room there, else in a last section that starts on an even page
(Word and LibreOffice insert the blank page) as its footer, so that page prints no number.
Every element has a named style carrying its face, size and colour (``LOOKS``); runs carry none.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Pt, RGBColor, Twips
from docx.oxml.text.paragraph import CT_P
from docx.text.paragraph import Paragraph

from ...model import Official
from .._gongwen import SEAL_ROW_LINES, seal_grid
from . import _oxml as ox
from ._geometry import Geometry, twips
from ._layout import ROLE_STYLES

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.table import Table

    from ...fonts import FontSet
    from ...theme.loader import Theme
    from .. import ImprintLayout

__all__ = ["Placed", "signature_places", "write_head", "write_imprint", "write_tail"]

RED = "FF0000"
MARK_TOP_MM = 35.0
RULE_BELOW_NUMBER_PT = round(4.0 / 25.4 * 72)
"""The red rule 4 mm (11 pt; Word counts border spacing in whole points) below the 文号."""
MARK_MAX_SIZE = 48.0
RED_RULE = 8
"""Rule weights in eighths of a point: the red rule and the 版记's first and last rules 1 pt (0.35 mm)."""
THICK_RULE = 8
THIN_RULE = 6
"""The 版记's middle rule: 0.75 pt (0.26 mm; Word's nearest weight to 0.25 mm)."""


class _Body(Protocol):
    def add_paragraph(self, style: str) -> Paragraph: ...


def _ems(text: str) -> float:
    """Width in characters: ASCII half, everything else (Chinese, full-width punctuation) whole."""
    return sum(0.5 if char.isascii() else 1.0 for char in text)


@dataclass(frozen=True, slots=True)
class _Look:
    """A named Word style of one 公文 element: the theme role whose face it takes, and what it changes."""

    name: str
    """As Word's style box shows it."""
    style_id: str
    role: str
    character: bool = False
    red: bool = False
    ratio: float = 1.0
    """Size as a fraction of the role's (the 版记's 4号 against the body's 3号)."""


CORNER = _Look("份号密级紧急", "OfficialCorner", "h1")
MARK = _Look("发文机关标志", "OfficialMark", "title", red=True)
NUMBER = _Look("发文字号", "OfficialNumber", "body")
SIGNER = _Look("签发人", "OfficialSigner", "h2", character=True)
RECIPIENTS = _Look("主送机关", "OfficialRecipients", "body")
ATTACHMENTS = _Look("附件说明", "OfficialAttachments", "body")
SIGNATURE = _Look("发文机关署名", "OfficialSignature", "body")
DATE = _Look("成文日期", "OfficialDate", "body")
NOTE = _Look("附注", "OfficialNote", "body")
LABEL = _Look("附件标识", "OfficialAttachmentLabel", "h1")
IMPRINT = _Look("版记", "OfficialImprint", "body", ratio=14 / 16)
LOOKS = (CORNER, MARK, NUMBER, SIGNER, RECIPIENTS, ATTACHMENTS, SIGNATURE, DATE, NOTE, LABEL, IMPRINT)
"""Every element's style: fonts, sizes and colours live in styles, so that restyling one in Word restyles them all."""


def add_styles(document: WordDocument, theme: Theme, mark_size: float | None) -> None:
    """The 公文 elements' paragraph and character styles, based on Body Text (the mark at ``mark_size``)."""
    base = document.styles[ROLE_STYLES["body"]]
    for look in LOOKS:
        text = theme.style(look.role)
        style = document.styles.add_style(look.name, WD_STYLE_TYPE.CHARACTER if look.character else WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = look.style_id
        style.quick_style = True
        if not look.character:
            style.base_style = base
        size = mark_size if look is MARK and mark_size else text.size * look.ratio
        style.font.size = Pt(size)
        style.font.bold = True if text.bold and look.role == "title" else None
        ox.set_fonts(style.element.get_or_add_rPr(), text.fonts[0])
        if look.red:
            style.font.color.rgb = RGBColor.from_string(RED)


class _Writer:
    """Paragraph helpers for one document: faces from the element styles, lengths in the grid's characters."""

    def __init__(self, body: _Body, theme: Theme, geometry: Geometry) -> None:
        self.body, self.theme, self.geometry = body, theme, geometry
        self.pitch = geometry.line_pitch or geometry.line_twips(theme.style("body"))
        self.char = round(geometry.char_width(theme.style("body")) * 20)

    def paragraph(
        self, text: str = "", look: _Look | str = NUMBER, *, align: str = "left", before: int = 0, line: int | None = None,
        first: float = 0.0, left: float = 0.0, right: float = 0.0,
    ) -> Paragraph:
        """A paragraph of one run in an element's style (or a named one); indents in characters of the body grid, lengths in twips."""
        paragraph = self.body.add_paragraph(look if isinstance(look, str) else look.name)
        fmt = paragraph.paragraph_format
        fmt.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                         "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
        fmt.space_before, fmt.space_after = Twips(before), Twips(0)
        pPr = paragraph._p.get_or_add_pPr()
        if line is not None:
            fmt.line_spacing = Twips(line)
            ox.no_snap_to_grid(pPr)
        _indents(pPr, self.char, first=first, left=left, right=right)
        if text:
            paragraph.add_run(text)
        return paragraph


def _indents(pPr: BaseOxmlElement, char: int, *, first: float, left: float, right: float) -> None:
    """Where the first line and the other lines start, and the right indent, in characters (twips fallback).

    ``first < left`` is a hanging indent (Word's ``w:hanging``), which also puts a tab stop at ``left``.
    """
    ox.set_indent(pPr, first_line_chars=max(0.0, first - left), first_line_twips=round(max(0.0, first - left) * char),
                  left_chars=left, left_twips=round(left * char))
    if first < left:
        ind = pPr.find(qn("w:ind"))
        assert ind is not None
        for attr in ("w:firstLineChars", "w:firstLine"):
            if qn(attr) in ind.attrib:
                del ind.attrib[qn(attr)]
        ind.set(qn("w:hangingChars"), str(round((left - first) * 100)))
        ind.set(qn("w:hanging"), str(round((left - first) * char)))
    if right:
        ox.set_side_indent(pPr, "right", right, round(right * char))


# -- 版头 and title --------------------------------------------------------------


def write_head(
    document: WordDocument, body: _Body, official: Official, title: Sequence[str], theme: Theme, geometry: Geometry,
    title_lines: Callable[[Sequence[str]], Sequence[str]],
) -> None:
    """份号, 密级, 紧急程度, the red mark, the 文号 (or the 签发人 rows), the red rule, the title (in the lines
    ``title_lines`` gives: the PDF's, :func:`render.pdf.title_lines`) and the 主送."""
    w = _Writer(body, theme, geometry)
    mark_lines, suffix = official.mark_lines, official.mark_suffix
    if len(mark_lines) == 1:
        mark_lines, suffix = (mark_lines[0] + suffix,), ""
    size = min(MARK_MAX_SIZE, geometry.type_width / 20 / (max(map(_ems, mark_lines)) + (_ems(suffix) + 0.5 if suffix else 0))) if mark_lines else None
    add_styles(document, theme, size)
    corner = [text for text in (official.copy_number, official.secrecy, official.urgency) if text]
    for text in corner:
        w.paragraph(text, CORNER, line=w.pitch)
    used = len(corner) * w.pitch
    if mark_lines and size:
        mark_line = round(size * 20 * 1.2) if len(mark_lines) > 1 else round(size * 20)
        before = max(0, twips(MARK_TOP_MM) - used)
        if len(mark_lines) > 1 and suffix:
            _joint_mark(document, w, mark_lines, suffix, size, before)
        for index, text in enumerate(mark_lines if not suffix else ()):
            paragraph = w.paragraph(text, MARK, align="center", line=mark_line, before=before if index == 0 else 0)
            paragraph.paragraph_format.keep_with_next = True
    number_rows = _number_rows(w, official, after_mark=bool(mark_lines))
    rule_host = number_rows[-1] if number_rows else None
    if rule_host is not None:
        ox.set_paragraph_border(rule_host._p.get_or_add_pPr(), "bottom", RED_RULE, RED, RULE_BELOW_NUMBER_PT)
    _title(w, title_lines(title), before=2 * w.pitch if rule_host is not None else 0)
    if official.heading_recipients:
        w.paragraph(official.heading_recipients, RECIPIENTS, before=w.pitch)


def _title(w: _Writer, lines: Sequence[str], *, before: int) -> None:
    """The title in the Title style, centred, in the lines the PDF breaks it into (the outline's
    lines, each that does not fit balanced at phrase boundaries): so Word and LibreOffice break it there too."""
    paragraph = w.paragraph("", ROLE_STYLES["title"], align="center", before=before, line=w.pitch)
    for index, line in enumerate(lines):
        if index:
            ox.add_line_break(paragraph.runs[-1]._r)
        paragraph.add_run(line)


def _joint_mark(document: WordDocument, w: _Writer, organs: Sequence[str], suffix: str, size: float, before: int) -> None:
    """Joint organs stacked and spread to one width, 文件 beside them, centred on them: a borderless table."""
    w.paragraph("", MARK, line=max(before, 20))  # the space above the mark (a table has no space before)
    line = round(size * 20 * 1.2)
    widths = [round(max(map(_ems, organs)) * size * 20), round((_ems(suffix) + 0.5) * size * 20)]
    table = document.add_table(rows=1, cols=2)
    ox.set_plain_table(table._tbl, widths)
    names, beside = table.rows[0].cells
    for index, organ in enumerate(organs):
        paragraph = names.paragraphs[0] if index == 0 else names.add_paragraph()
        _cell_paragraph(w, paragraph, organ, MARK, left=0.0, first=0.0, right=0.0, line=line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.DISTRIBUTE
    _cell_paragraph(w, beside.paragraphs[0], suffix, MARK, left=0.0, first=0.0, right=0.0, line=line)
    beside.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _number_rows(w: _Writer, official: Official, *, after_mark: bool) -> list[Paragraph]:
    """The 文号 centred two lines below the mark; with 签发人: 文号 left, names right, two a row."""
    size = w.theme.style("body").size
    before = 2 * w.pitch if after_mark else 0
    if not official.signers:
        if not official.number:
            return []
        return [w.paragraph(official.number, NUMBER, align="center", before=before, line=round(size * 20))]
    # As in the PDF: the names in two columns as wide as the longest name, a character apart, the
    # right one ending one character from the right; 签发人： before the first; later rows under them.
    name_width = max(_ems(name) for name in official.signers) * w.char
    columns = 2 if len(official.signers) > 1 else 1
    names_left = w.geometry.type_width - w.char - columns * name_width - (columns - 1) * w.char
    stops = [round(names_left + column * (name_width + w.char)) for column in range(columns)]
    label_at = round(names_left - _ems("签发人：") * w.char)
    rows: list[Paragraph] = []
    pairs = [official.signers[i : i + 2] for i in range(0, len(official.signers), 2)]
    for index, pair in enumerate(pairs):
        last = index == len(pairs) - 1
        paragraph = w.paragraph(official.number or "" if last else "", NUMBER, first=1.0, before=before if index == 0 else 0,
                                line=round(size * 20) if last else w.pitch)
        for stop in [label_at, *stops[1:]] if index == 0 else stops:
            paragraph.paragraph_format.tab_stops.add_tab_stop(Twips(stop), WD_TAB_ALIGNMENT.LEFT)
        if index == 0:
            paragraph.add_run("\t签发人：")
        for column, name in enumerate(pair):
            if index or column:
                paragraph.add_run("\t")
            paragraph.add_run(name).style = SIGNER.name
        ox.no_auto_space(paragraph._p.get_or_add_pPr())
        rows.append(paragraph)
    return rows


# -- after the body ------------------------------------------------------------------


def signature_texts(official: Official) -> tuple[str, ...]:
    """The texts :func:`write_tail` measures: each 署名 and the 成文日期 (their widths centre the 署名)."""
    return (*official.signed_by, *((official.date,) if official.date else ()))


def write_tail(
    body: _Body, official: Official, theme: Theme, geometry: Geometry, ems: Callable[[str], float],
    title_lines: Callable[[Sequence[str]], Sequence[str]],
) -> None:
    """附件说明, 署名 and 成文日期, 附注, then each attachment with a body on new pages (``ems``: the
    widths of :func:`signature_texts` in grid characters, as :func:`render.pdf.measured_ems` gives them;
    ``title_lines``: an attachment title's lines as the PDF breaks them)."""
    w = _Writer(body, theme, geometry)
    several = len(official.attachments) > 1
    number_ems = 1.0 if several else 0.0  # "1." in half-width digits and point
    for index, attachment in enumerate(official.attachments, start=1):
        listed = ("附件：" if index == 1 else "") + (f"{index}." if several else "")
        name_at = 2 + 3 + number_ems
        first = 2.0 if index == 1 else 5.0
        w.paragraph(f"{listed}\t{attachment.name}", ATTACHMENTS, first=first, left=name_at, before=w.pitch if index == 1 else 0, align="justify")
    _signature(w, official, ems)
    if official.note:
        note = official.note if official.note.startswith("（") else f"（{official.note}）"
        w.paragraph(note, NOTE, first=2.0, align="justify")
    for index, attachment in enumerate(official.attachments, start=1):
        if not attachment.body:
            continue
        label = w.paragraph(f"附件{index}" if several else "附件", LABEL)
        label.paragraph_format.page_break_before = True
        _title(w, title_lines((attachment.title or attachment.name,)), before=w.pitch)
        for para in attachment.body:
            paragraph = body.add_paragraph(ROLE_STYLES["body"])
            for span in para.spans:
                paragraph.add_run(span.text).bold = span.bold or None


@dataclass(frozen=True, slots=True)
class Placed:
    """Where one 署名 or date line goes: aligned ``align`` between indents in characters of the body grid."""

    align: str
    left: float = 0.0
    right: float = 0.0


def signature_places(
    names: Sequence[str], date: str | None, seal: bool, width: float, ems: Callable[[str], float] = _ems
) -> tuple[list[Placed], Placed | None]:
    """Each 署名 line and the date (GB/T 9704 7.3.5.1 and 7.3.5.2) on a type area ``width`` characters wide, widths by ``ems``.

    Placed so that the reader's own layout keeps what the rule ties together, whatever face it
    substitutes for the digits: with a seal, 署名 and date centred on one point, the date's centre
    four characters from the right (by ``ems``), so the 署名 stays centred over the date; without,
    the 署名 ending two characters from the right and the date starting two characters right of
    where it starts (a longer date ends two characters from the right, the 署名 two before it).
    """
    date_ems = ems(date) if date else 0.0
    longest = max(map(ems, names), default=0.0)
    if seal:
        centre = 4 + (date_ems if date else longest) / 2  # from the right
        half = max(centre, longest / 2, date_ems / 2)  # room for the widest line, into the margin if it must
        place = Placed("center", width - centre - half, centre - half)
        return [place] * len(names), place if date else None
    if date_ems <= longest - 2:
        start = width - 2 - longest
        return [Placed("left", left=start)] * len(names), Placed("left", left=start + 2) if date else None
    return [Placed("left", left=width - 2 - date_ems - 2)] * len(names), Placed("right", right=2.0)


def _signature(w: _Writer, official: Official, ems: Callable[[str], float]) -> None:
    names = list(official.signed_by)
    if not names and not official.date:
        return
    width = w.geometry.type_width / w.char
    name_places, date_place = signature_places(names, official.date, official.seal, width, ems)
    before = (2 if official.seal else 1) * w.pitch
    written: list[Paragraph] = []
    if official.seal and len(names) > 1:
        centre = (width - name_places[-1].left + name_places[-1].right) / 2  # from the right
        written.extend(_joint_seal_rows(w, names, centre, before))
        names = []  # written; the date follows
    # The indents count characters, so no automatic space may widen the date's digits.
    for index, (name, place) in enumerate(zip(names, name_places)):
        paragraph = _placed(w, name, SIGNATURE, place, before=before if index == 0 else 0)
        paragraph.paragraph_format.keep_with_next = True
        written.append(paragraph)
    if official.date and date_place is not None:
        written.append(_placed(w, official.date, DATE, date_place, before=0 if official.signed_by else before))
    _keep_above_with(written[0])


def _placed(w: _Writer, text: str, look: _Look, place: Placed, *, before: int) -> Paragraph:
    """A 署名 or date paragraph where ``place`` puts it; the left indent in twips, as it spans most of the
    type area (Word counts ``leftChars`` in the font's size, not the grid's narrower pitch)."""
    paragraph = w.paragraph(text, look, align=place.align, right=place.right, before=before)
    pPr = paragraph._p.get_or_add_pPr()
    if place.left:
        ind = pPr.find(qn("w:ind"))
        assert ind is not None
        del ind.attrib[qn("w:leftChars")]
        ind.set(qn("w:left"), str(round(place.left * w.char)))
    ox.no_auto_space(pPr)
    return paragraph


def _keep_above_with(paragraph: Paragraph) -> None:
    """Mark the paragraph before ``paragraph`` (the text's or the 附件说明's last) keep-with-next.

    The seal presses on text: with the 署名 go the last lines of the text above (two, by Word's
    widow control), as the PDF's ``KeptWithText`` carries them.
    """
    above = paragraph._p.getprevious()
    if isinstance(above, CT_P):
        Paragraph(above, paragraph._parent).paragraph_format.keep_with_next = True


def _joint_seal_rows(w: _Writer, names: Sequence[str], centre_from_right: float, before: int) -> list[Paragraph]:
    """Sealed signatures of a joint document, two a row on centred tab stops: the right column over
    the date, the left one mirroring it, rows a seal apart (``_gongwen.seal_grid``)."""
    right = w.geometry.type_width - round(centre_from_right * w.char)
    stops = {"left": w.geometry.type_width - right, "right": right}
    rows: dict[int, dict[str, str]] = {}
    written = []
    for name, (row, side) in zip(names, seal_grid(len(names))):
        rows.setdefault(row, {})[side] = name
    for row, cells in sorted(rows.items()):
        paragraph = w.paragraph("", SIGNATURE, before=before if row == 0 else (SEAL_ROW_LINES - 1) * w.pitch)
        for side in ("left", "right"):
            paragraph.paragraph_format.tab_stops.add_tab_stop(Twips(stops[side]), WD_TAB_ALIGNMENT.CENTER)
        paragraph.add_run("\t" + cells.get("left", "") + "\t" + cells.get("right", ""))
        paragraph.paragraph_format.keep_with_next = True
        ox.no_auto_space(paragraph._p.get_or_add_pPr())
        written.append(paragraph)
    return written


# -- 版记 ------------------------------------------------------------------------


def write_imprint(
    document: WordDocument, body: _Body, official: Official, theme: Theme, geometry: Geometry, *, layout: ImprintLayout
) -> None:
    """The 版记, its last rule on the type area's bottom edge: under the last text, or on an even page of its own.

    ``layout`` (the PDF layout's, ``render.pdf.imprint_layout``): ``alone`` when the text ends on
    an odd page, or on an even one without room. Then the 版记 is the footer of a last section that
    starts on an even page (Word and LibreOffice insert the blank page), measured from the
    page's bottom edge to its own bottom; at the bottom margin's distance its last rule lies on
    the type area's bottom edge, and the text area shrinks above it. LibreOffice has no
    page-level vertical alignment, so a footer it is; the empty footers print no page number.
    Otherwise it is a table floating at the bottom of the type area of the page where the text
    ends, as in the PDF.
    """
    if not official.has_record:
        return
    w = _Writer(body, theme, geometry)
    lines = layout.list_lines
    if not layout.alone:
        closing = body.add_paragraph(ROLE_STYLES["body"])
        table = _imprint_table(lambda rows: document.add_table(rows, 1), closing, w, official, lines)
        # Positioned from the page's left edge: LibreOffice keeps a table as wide as the type area
        # in the flow when it is placed relative to the margins.
        ox.float_at_bottom(table._tbl, geometry.left)
        return
    sentinel = document.element.body.get_or_add_sectPr()
    # An empty paragraph of its own ends the text's section, so the last text keeps its own properties;
    ox.end_section_at(body.add_paragraph(ROLE_STYLES["body"])._p, sentinel)
    # the new section holds one invisible paragraph, 1 pt high.
    w.paragraph("", ROLE_STYLES["body"], line=20)
    section = Section(sentinel, document.part)
    section.footer_distance = section.bottom_margin
    for footer in (section.footer, section.even_page_footer):
        footer.is_linked_to_previous = False
        _imprint_table(lambda rows: footer.add_table(rows, 1, Twips(geometry.type_width)), footer.paragraphs[0], w, official, lines)


def _imprint_table(
    new_table: Callable[[int], Table], closing: Paragraph, w: _Writer, official: Official, list_lines: Sequence[int]
) -> Table:
    """主送 and 抄送 (one row: no rule between them), then 印发, between rules as wide as the type area, in a table of ``new_table(rows)``;
    ``closing``, the paragraph that must follow it (a footer's, or the floating table's anchor), 1 twip high;
    ``list_lines``: the lines the PDF breaks each list into."""
    theme, geometry = w.theme, w.geometry
    size = theme.style(IMPRINT.role).size * IMPRINT.ratio
    char = size / (geometry.char_width(theme.style("body")))  # one 4号 character in body-grid characters
    rows = [kind for kind, present in (("lists", official.record_lists), ("print", official.printer or official.print_date)) if present]
    table = new_table(len(rows))
    ox.set_table_rules(table._tbl, geometry.type_width, THICK_RULE, THIN_RULE)
    lines = _imprint_lines(w.pitch, rows, sum(list_lines) or len(official.record_lists))
    for row, kind in zip(table.rows, rows):
        paragraph = row.cells[0].paragraphs[0]
        line = lines[kind]
        if kind == "lists":
            for index, (label, text) in enumerate(official.record_lists):
                listed = paragraph if index == 0 else row.cells[0].add_paragraph()
                _cell_paragraph(w, listed, label + text, IMPRINT, left=char * 4, first=char, right=char, line=line)
        else:
            printed = f"{official.printer or ''}\t{official.print_date}印发" if official.print_date else official.printer or ""
            _cell_paragraph(w, paragraph, printed, IMPRINT, left=char, first=char, right=0.0, line=line)
            paragraph.paragraph_format.tab_stops.add_tab_stop(Twips(geometry.type_width - round(size * 20)), WD_TAB_ALIGNMENT.RIGHT)
    table._tbl.addnext(closing._p)
    closing.paragraph_format.line_spacing = Twips(1)
    closing.paragraph_format.space_before = closing.paragraph_format.space_after = Twips(0)
    ox.no_snap_to_grid(closing._p.get_or_add_pPr())
    return table


def _imprint_lines(pitch: int, rows: Sequence[str], list_lines: int) -> dict[str, int]:
    """The exact line height (twips) of the lists' lines (``list_lines`` of them) and of the 印发 line.

    Word and LibreOffice draw a table's rules inside its height. Each row gives back the rules
    it holds (its outer rule, half the middle one), so that the 版记 takes its lines and no more
    (a page the PDF fills exactly is full in Word too), and the middle rule lies on the line
    between them as in the PDF; the lists' share is spread over their lines.
    """
    outer, middle = THICK_RULE * 20 / 8, THIN_RULE * 20 / 8
    share = outer + middle / 2 if len(rows) > 1 else 2 * outer
    return {"lists": pitch - math.ceil(share / max(1, list_lines)), "print": pitch - math.ceil(share)}


def _cell_paragraph(
    w: _Writer, paragraph: Paragraph, text: str, look: _Look, *, left: float, first: float, right: float, line: int | None = None,
) -> None:
    paragraph.style = look.name
    fmt = paragraph.paragraph_format
    fmt.line_spacing = Twips(line or w.pitch)
    fmt.space_before = fmt.space_after = Twips(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _indents(paragraph._p.get_or_add_pPr(), w.char, first=first, left=left, right=right)
    if line:
        ox.no_snap_to_grid(paragraph._p.get_or_add_pPr())
    paragraph.add_run(text)
