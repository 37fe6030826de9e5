"""Render a numbered document as a Word file: theme styles, real list numbering, a TOC field, page numbers.

The look (geometry, styles) lives in ``_layout``, the list plan in ``_numbering``,
and every raw WordprocessingML element in ``_oxml``; this module writes the content.
"""

from __future__ import annotations

import copy
import datetime as dt
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

import docx
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.pkgwriter import PackageWriter
from docx.oxml.ns import qn
from docx.shared import Twips
from docx.oxml.text.paragraph import CT_P
from docx.styles import BabelFish
from docx.text.paragraph import Paragraph

from ...errors import recorded
from ...model import Para
from ...text import DATE, format_date, is_cjk
from ...numbering import NumberedDocument, NumberedNode, chinese_numeral
from . import _oxml as ox, _prepared
from ._geometry import Geometry, twips
from ._layout import ALIGN, ROLE_STYLES, TOC_HEADING_STYLE, setup_styles
from ._numbering import NumberingPlan, plan_numbering
from ._prepared import Styled, style_index
from .._xhtml import check_theme_text
from .._pdf_facts import heading_pages, imprint_layout, page_number_drop, text_ems, title_lines
from .._zip import write_entries

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from docx.opc.packuri import PackURI
    from docx.oxml.styles import CT_Style
    from docx.oxml.xmlchemy import BaseOxmlElement

    from ...theme.loader import Theme
    from .. import RenderOptions, WarmMemo

__all__ = ["render"]

LAST_MODIFIED_BY = "briefexport"
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


# -- content ------------------------------------------------------------------


class Body:
    """Appends styled paragraphs to the document body in constant time.

    ``document.add_paragraph(style=name)`` does the same, but searches every style for the
    name and every child of the body for the final ``w:sectPr`` on each call, which makes a
    long document quadratic. Here the paragraph styles are indexed once (the styles must be
    set up before the first paragraph; a kept template brings its index), and the ``w:sectPr``
    is kept. The XML is the same.
    """

    __slots__ = ("_document", "_index", "_parent", "_sectPr", "_style_ids")

    def __init__(self, document: WordDocument, index: Mapping[str, str | None] | None = None) -> None:
        self._document = document
        self._parent = document._body  # a lazy property of python-docx's, asked once
        self._sectPr: BaseOxmlElement = document.element.body.get_or_add_sectPr()
        self._style_ids: dict[str, str | None] = {}
        self._index = index or None

    def add_paragraph(self, style: str) -> Paragraph:
        """A new last paragraph of paragraph style ``style`` (a style name, as python-docx takes)."""
        return self.paragraph(self.add_p(style))

    def paragraph(self, p: CT_P) -> Paragraph:
        """python-docx's object for a paragraph of the body."""
        return Paragraph(p, self._parent)

    def add_p(self, style: str) -> CT_P:
        """:meth:`add_paragraph`'s XML alone, for the writers that need no python-docx object of it."""
        return ox.add_styled_paragraph(self._sectPr, self.style_id(style))

    def style_id(self, name: str) -> str | None:
        """What python-docx's ``get_style_id(name, PARAGRAPH)`` gives: None for the default paragraph style."""
        if name in self._style_ids:
            return self._style_ids[name]
        if self._index is None:
            # python-docx's lookup is an XPath query over every style, once per name: index them once.
            self._index = style_index(self._document.styles.element)
        internal = BabelFish.ui2internal(name)
        if internal in self._index:
            found = self._style_ids[name] = self._index[internal]
            return found
        # python-docx's own lookup, for its errors (and its deprecated lookup by id).
        lookup: Callable[[str, WD_STYLE_TYPE], str | None] = self._document.part.get_style_id  # untyped in python-docx
        return lookup(name, WD_STYLE_TYPE.PARAGRAPH)


def _add_text(paragraph: Paragraph | CT_P, text: str, *, bold: bool = False) -> None:
    """A run of ``text``: fonts and sizes come from the paragraph's style, so restyling it restyles the text.

    Only the outline's own emphasis is direct formatting (``w:b``).
    """
    ox.add_text_run(_xml(paragraph), text, bold=bold)


def _xml(paragraph: Paragraph | CT_P) -> CT_P:
    """The paragraph's element (body paragraphs are made as elements, without a python-docx Paragraph)."""
    return paragraph._p if isinstance(paragraph, Paragraph) else paragraph


def _add_para(body: Body, para: Para, role: str) -> CT_P:
    p = body.add_p(ROLE_STYLES[role])
    for span in para.spans:
        ox.add_text_run(p, span.text, bold=span.bold)
    _date_rule(p, para.text)
    return p


def _date_rule(paragraph: Paragraph | CT_P, text: str) -> None:
    """Dates print without Word's automatic Han–digit space (2024年1月14日, as in the PDF and EPUB).

    ``w:autoSpaceDN`` is a paragraph property in Word, WPS and LibreOffice alike (no run can
    turn it off), so it is turned off for each paragraph that holds a date, and only for those.
    LibreOffice's DOCX import drops ``w:autoSpaceDE``/``w:autoSpaceDN`` wherever they are
    (paragraph, style or docDefaults: ``ParaIsCharacterDistance`` stays at its default, on), and
    it reads no ``w:noLineBreaksBefore``/``w:noLineBreaksAfter`` list either, so there a date
    keeps its gaps and may break; no DOCX markup short of invisible characters changes that.
    """
    if DATE.search(text):
        ox.no_digit_space(_xml(paragraph).get_or_add_pPr())


def write_title_block(body: Body, doc: NumberedDocument, theme: Theme) -> None:
    """Title, subtitle and (unless the theme signs at the end) a date/author line; then the theme's blank line."""
    meta = doc.doc.meta
    line = None if theme.title_block.meta == "signature" else theme.meta_line(meta)
    # The outline's own breaks in the title are line breaks (w:br) within its paragraph.
    for role, text in (("title", "\n".join(meta.title_shown)), ("subtitle", meta.subtitle), ("meta", line)):
        if text:
            paragraph = body.add_paragraph(ROLE_STYLES[role])
            _add_text(paragraph, text)
            _date_rule(paragraph, text)
    if theme.title_block.blank_line:
        body.add_paragraph(ROLE_STYLES["body"])  # GB/T 9704: a blank line under the title, before the body


def _ems(text: str) -> float:
    """Width in characters of the grid: Chinese whole, everything else half."""
    return sum(1.0 if is_cjk(char) else 0.5 for char in text)


def write_signature(body: Body, doc: NumberedDocument, theme: Theme, geometry: Geometry) -> None:
    """署名 and 成文日期 at the end when the theme signs there (``title_block.meta: signature``, GB/T 9704
    7.3.5), as the PDF sets them: a blank line under the text, the date right-aligned ``date_indent``
    characters from the right, the signature centred over the date."""
    meta = doc.doc.meta
    if theme.title_block.meta != "signature":
        return
    date = format_date(meta.date, meta.lang, theme.furniture.date_format) if meta.date else None
    indent = theme.title_block.date_indent
    char = geometry.char_width(theme.style("body")) * 20
    before = geometry.line_pitch or geometry.line_twips(theme.style("body"))
    for role, text in (("signature", meta.author), ("date", date)):
        if not text:
            continue
        right = max(0.0, indent + (_ems(date) - _ems(text)) / 2) if role == "signature" and date else indent
        paragraph = body.add_paragraph(ROLE_STYLES["meta"])
        fmt = paragraph.paragraph_format
        fmt.alignment = ALIGN["right"]
        fmt.first_line_indent = Twips(0)
        fmt.space_before = Twips(before if role == "signature" or not meta.author else 0)
        fmt.keep_with_next = role == "signature" or None
        ox.set_side_indent(paragraph._p.get_or_add_pPr(), "right", right, round(right * char))
        _add_text(paragraph, text)
        ox.no_auto_space(paragraph._p.get_or_add_pPr())  # the indents count characters: no automatic space may widen them


def _bookmark(index: int) -> str:
    return f"_Toc{index:08d}"


def write_toc(body: Body, doc: NumberedDocument, theme: Theme, pages: Mapping[tuple[int, ...], int]) -> None:
    """A TOC field whose cached result already lists the numbered headings with their page numbers.

    Each entry is the heading, a tab to the right margin (dot leaders, from the TOC styles)
    and a ``PAGEREF`` field to the heading's bookmark whose cached number is ``pages`` (the
    theme's own PDF layout), all inside a link to the heading. settings.xml's
    ``w:updateFields`` makes Word offer to refresh the fields on open (per ECMA-376; not
    verified here); WPS ignores it, and LibreOffice 7.4 prints the cached numbers as they
    are (checked: its PDF of a file with wrong cached numbers prints the wrong numbers), so
    the cached numbers are what those readers see.
    """
    depth = theme.toc.depth
    _add_text(body.add_paragraph(TOC_HEADING_STYLE), theme.toc_title(doc.doc.meta.lang))
    entries = [(index, item) for index, item in enumerate(doc.walk()) if item.level <= depth]
    begin = ox.field_begin(f'TOC \\o "1-{depth}" \\h \\z \\u')
    if not entries:
        paragraph = body.add_paragraph("toc 1")
        paragraph._p.extend([*begin, ox.field_end()])
        return
    for position, (index, item) in enumerate(entries):
        p = body.add_p(f"toc {item.level}")
        if position == 0:
            p.extend(begin)
        runs = [ox.add_text_run(p, item.heading_with(theme.label_gap(item.level))), ox.tab_run()]
        page = pages.get(item.path)
        runs += [*ox.field_begin(f"PAGEREF {_bookmark(index)} \\h"), ox.text_run("" if page is None else str(page)), ox.field_end()]
        p.extend(runs[1:])
        ox.add_hyperlink(p, _bookmark(index), runs)
        if position == len(entries) - 1:
            p.append(ox.field_end())


def _write_heading(body: Body, item: NumberedNode, index: int, theme: Theme, plan: NumberingPlan) -> list[CT_P]:
    """The kicker (if any) and the heading: list numbering, or the label as text when Word cannot number it."""
    written: list[CT_P] = []
    if item.node.kicker:
        written.append(kicker := body.add_p(ROLE_STYLES["kicker"]))
        ox.add_text_run(kicker, item.node.kicker)
    role = theme.heading_role(item.level)
    written.append(p := body.add_p(plan.styles.get(item.path, ROLE_STYLES[role])))
    numbering = plan.headings.get(item.path)
    if numbering is not None:
        ox.set_num_pr(p.get_or_add_pPr(), numbering.num_id, numbering.ilvl)
    if item.label and not plan.numbered(item):
        ox.add_text_run(p, item.label + theme.label_gap(item.level))
    for span in item.node.title.spans:
        ox.add_text_run(p, span.text, bold=span.bold)
    _date_rule(p, item.node.title.text)
    ox.add_bookmark(p, index, _bookmark(index))
    return written


def write_content(body: Body, doc: NumberedDocument, theme: Theme, plan: NumberingPlan, *, new_page: bool) -> None:
    """Lead paragraphs, then every heading (kicker first) with its body, in reading order."""
    written: list[CT_P] = [_add_para(body, para, "body") for para in doc.doc.lead]
    for index, item in enumerate(doc.walk()):
        written.extend(_write_heading(body, item, index, theme, plan))
        written.extend(_add_para(body, para, "body") for para in item.node.body)
    if new_page and written:
        body.paragraph(written[0]).paragraph_format.page_break_before = True  # the content starts after the title page


# -- page, footer, metadata, package -------------------------------------------


def setup_section(document: WordDocument, body: Body, theme: Theme, geometry: Geometry, *, opts: RenderOptions) -> None:
    """Paper, margins, the optional grid, and the page-number footers."""
    section = document.sections[0]
    section.page_width, section.page_height = Twips(geometry.width), Twips(geometry.height)
    section.top_margin, section.bottom_margin = Twips(geometry.top), Twips(geometry.bottom)
    section.left_margin, section.right_margin = Twips(geometry.left), Twips(geometry.right)
    number = theme.page_number
    section.footer_distance = Twips(max(0, geometry.bottom - twips(number.below_type_area) - _footer_drop(theme, geometry, opts)))
    if geometry.line_pitch is not None:
        ox.set_doc_grid(section._sectPr, geometry.line_pitch, geometry.char_space(theme.style("body").size))
    if not number.first_page:
        section.different_first_page_header_footer = True
        section.first_page_footer.is_linked_to_previous = False
    if number.align == "outside":
        document.settings.odd_and_even_pages_header_footer = True
        _page_number(section.footer.paragraphs[0], body, theme, "right", "1")
        section.even_page_footer.is_linked_to_previous = False
        _page_number(section.even_page_footer.paragraphs[0], body, theme, "left", "2")
    else:
        _page_number(section.footer.paragraphs[0], body, theme, number.align, "1")


def _footer_drop(theme: Theme, geometry: Geometry, opts: RenderOptions) -> int:
    """Twips from the top of the page number (its line box, or with ``to: ink`` the dash's ink)
    down to the bottom of its line, which Word measures the footer distance to."""
    if theme.page_number.to == "ink":
        # Word and LibreOffice set the text on the bottom of the exact-height line; the dash's
        # ink lies (descent + ink top) above that bottom, measured on the PDF's face.
        return round(page_number_drop(theme, opts=opts) * 20)
    return geometry.line_twips(theme.style("page_number"), on_grid=False)


def _page_number(paragraph: Paragraph, body: Body, theme: Theme, align: str, sample: str) -> None:
    """``— PAGE —`` in the footer, ``edge_indent`` characters in from the side it is set against."""
    style = theme.style("page_number")
    number = theme.page_number
    paragraph._p.style = body.style_id(ROLE_STYLES["page_number"])  # python-docx's paragraph.style = name
    paragraph.alignment = ALIGN[align]
    if align in ("left", "right") and number.edge_indent:
        ox.set_side_indent(paragraph._p.get_or_add_pPr(), align, number.edge_indent, round(number.edge_indent * style.size * 20))
    for kind, value in number.parts():
        if kind == "text":
            _add_text(paragraph, value)
            continue
        cached = {"page": sample, "page_cn": chinese_numeral(int(sample))}.get(value, "1")  # shown until fields update
        _add_text(paragraph, cached)
        result = paragraph.runs[-1]._r
        for run in ox.field_begin(_FIELDS[value]):
            result.addprevious(run)
        result.addnext(ox.field_end())


#: Word's field for each page-number field: CHINESENUM3 writes 一, 十二, 一百零三 (Word's chineseCounting).
_FIELDS = {"page": "PAGE", "page_cn": "PAGE \\* CHINESENUM3", "pages": "NUMPAGES"}

#: python-docx's limit for a core property's text.
CORE_PROPERTY_LIMIT = 255


def _core_text(value: str) -> str:
    # python-docx refuses core properties over 255 characters; the full text is in the body.
    return value if len(value) <= CORE_PROPERTY_LIMIT else value[: CORE_PROPERTY_LIMIT - 1] + "…"


def set_core_properties(document: WordDocument, doc: NumberedDocument, created: dt.datetime) -> None:
    """Title, subject, author, keywords, language and fixed dates from the outline's metadata."""
    meta = doc.doc.meta
    when = created.astimezone(dt.timezone.utc).replace(tzinfo=None) if created.tzinfo else created
    props = document.core_properties
    props.title = _core_text(meta.title)
    props.subject = _core_text(meta.subtitle or "")
    props.author = _core_text(meta.author or "")
    props.keywords = _core_text(", ".join(meta.keywords))
    props.language = _core_text(meta.lang)
    props.comments = _core_text(meta.source or "")
    props.category = ""
    props.last_modified_by = LAST_MODIFIED_BY
    props.revision = 1
    props.created = when
    props.modified = when


FONT_TABLE = "/word/fontTable.xml"


def write_font_table(document: WordDocument, theme: Theme) -> None:
    """Replace python-docx's fontTable.xml (Calibri, Cambria…) with the theme's families.

    Every family of every role's chain gets an entry, with the next family of the chain as
    ``w:altName`` and its kind (charset, family, pitch), which Word and WPS use to choose a
    substitute of the same kind when the named face is not installed.
    """
    chains = [theme.style(role).fonts for role in ROLE_STYLES] + [theme.style("toc").fonts]
    for part in document.part.package.iter_parts():
        if str(part.partname) == FONT_TABLE:
            part._blob = ox.font_table(chains)  # a plain Part: python-docx keeps its bytes as they are


def _pristine(opts: RenderOptions) -> WordDocument:
    """A warm process's parsed python-docx template, never changed: copied before writing into it (half the time of parsing)."""
    assert opts.warm is not None
    pristine = opts.warm.get(_TEMPLATE_KEY)
    if not isinstance(pristine, WordDocument):
        pristine = docx.Document()
    opts.warm.put(_TEMPLATE_KEY, pristine)  # kept on while DOCX builds come
    return pristine


_TEMPLATE_KEY = ("docx-template",)


def _styled(doc: NumberedDocument, theme: Theme, geometry: Geometry, opts: RenderOptions) -> tuple[Styled, NumberingPlan]:
    """The template with the theme's defaults, styles, lists and font table written in, and the numbering plan.

    These steps read only the theme, the language and the plan's lists and heading-style links,
    so a warm process keeps their result for the next build with the same ones (a live preview's
    edit changes none of them) and copies it, and a build with a layout cache keeps it on disk
    (``_prepared``), when writing them logged nothing.
    """
    lang = doc.doc.meta.lang
    if opts.warm is None:
        pristine = None
        plan = plan_numbering(doc, theme, geometry, *_prepared.template_ids())
    else:
        pristine = _pristine(opts)
        plan = plan_numbering(doc, theme, geometry, *ox.next_ids(pristine.part.numbering_part.element))
    key = ("docx-styled", theme.name, lang, plan.lists, plan.nums, tuple(sorted(plan.style_nums.items())), plan.derived)
    if opts.warm is None:
        found = _prepared.kept((theme, key), opts)
        if found is not None:
            return found, plan
    else:
        kept = opts.warm.get(key)
        if isinstance(kept, tuple) and kept[0] == theme:
            return Styled(copy.deepcopy(kept[1]), kept[2]), plan  # a copy has the same styles: the same index
    document = docx.Document() if pristine is None else copy.deepcopy(pristine)
    with recorded() as logged:
        _drop_template_leftovers(document)
        body_style = theme.style("body")
        ox.set_doc_defaults(document.styles.element, body_style.fonts[0], round(body_style.size * 2), "en-US", _east_asian_lang(lang))
        ox.set_theme_font_lang(document.settings.element, "en-US", _east_asian_lang(lang))
        style_ids = setup_styles(document, theme, geometry, plan)
        ox.add_numbering(document.part.numbering_part.element, plan.lists, plan.nums, style_ids)
        write_font_table(document, theme)
    if not logged and opts.warm is not None:
        opts.warm.put(key, (theme, copy.deepcopy(document), style_index(document.styles.element)))
    elif not logged and opts.layout_cache is not None:
        return _prepared.keep((theme, key), document, _package_entries(document), opts), plan
    return Styled(document, {}), plan


def _drop_template_leftovers(document: WordDocument) -> None:
    """Remove the template's thumbnail (a picture of some other document) and its Word 2010 style copy."""
    package_rels = document.part.package.rels
    for rId, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package_rels.pop(rId)
    for rId, rel in list(document.part.rels.items()):
        if rel.reltype == STYLES_WITH_EFFECTS:
            document.part.drop_rel(rId)


def save_reproducibly(document: WordDocument, out: Path, created: dt.datetime, *, warm: WarmMemo | None = None) -> None:
    """Save with fixed zip dates, modes and entry order (``[Content_Types].xml`` first, as Office expects)."""
    write_entries(_package_entries(document), out, created, first="[Content_Types].xml", deflated=warm)


class _Entries(dict[str, bytes]):
    """Stands in for python-docx's zip writer: keeps each file it is given, by its name in the package."""

    def write(self, pack_uri: PackURI, blob: bytes) -> None:
        self[pack_uri.membername] = blob


def _package_entries(document: WordDocument) -> dict[str, bytes]:
    """The files ``document.save()`` would zip, unzipped: they are zipped once, reproducibly, instead of twice."""
    package = document.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    entries = _Entries()
    # The steps of python-docx's PackageWriter.write, with this collector as the "physical" writer.
    PackageWriter._write_content_types_stream(entries, parts)  # type: ignore[no-untyped-call]
    PackageWriter._write_pkg_rels(entries, package.rels)  # type: ignore[no-untyped-call]
    PackageWriter._write_parts(entries, parts)  # type: ignore[arg-type]  # duck-typed: only write() is called
    return entries


def _east_asian_lang(lang: str) -> str:
    return lang if lang.split("-")[0].lower() in ("zh", "ja", "ko") else "zh-CN"


def render(doc: NumberedDocument, theme: Theme, out: Path, *, opts: RenderOptions) -> None:
    """Write ``doc`` as a DOCX file at ``out``."""
    check_theme_text(theme, page_number=True)
    geometry = Geometry.of(theme)
    styled, plan = _styled(doc, theme, geometry, opts)
    document = styled.document
    official = doc.doc.official
    # An official document adds styles of its own (``_official.write_head``): the body then asks the styles.
    body = Body(document, styled.style_ids if official is None else None)
    lines = partial(title_lines, theme=theme, opts=opts)  # an official title's lines, as the PDF breaks them
    if official is None:
        write_title_block(body, doc, theme)
    else:
        from . import _official  # GB/T 9704's head, tail and imprint: imported only for the documents that have them

        _official.write_head(document, body, official, doc.doc.meta.title_shown, theme, geometry, lines)
    toc = official is None and theme.toc.enabled and (theme.docx or {}).get("toc_field") is not False
    if toc:
        write_toc(body, doc, theme, heading_pages(doc, theme, opts=opts))
        ox.set_update_fields(document.settings.element)
    write_content(body, doc, theme, plan, new_page=toc)
    if official is None:
        write_signature(body, doc, theme, geometry)
    else:
        _official.write_tail(body, official, theme, geometry, text_ems(_official.signature_texts(official), theme, geometry.char_width(theme.style("body")), opts=opts), lines)
    setup_section(document, body, theme, geometry, opts=opts)
    if official is not None:
        _official.write_imprint(document, body, official, theme, geometry, layout=imprint_layout(doc, theme, opts=opts))
    set_core_properties(document, doc, opts.created)
    save_reproducibly(document, out, opts.created, warm=opts.warm if opts.warm is not None else styled.deflated)
