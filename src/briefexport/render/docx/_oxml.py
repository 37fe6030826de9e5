"""Raw WordprocessingML that python-docx has no API for: numbering, East-Asian fonts, grid, fields.

This is the only module of the DOCX renderer that builds XML elements by tag name;
``writer.py`` speaks in styles and paragraphs and calls the helpers here.
"""

from __future__ import annotations

import zlib
from copy import deepcopy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from lxml import etree
from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import oxml_parser
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement

__all__ = [
    "ListDef",
    "ListLevel",
    "NumDef",
    "WORD_FORMATS",
    "add_body_paragraph",
    "add_bookmark",
    "add_hyperlink",
    "add_numbering",
    "add_text_run",
    "field_begin",
    "field_end",
    "font_table",
    "next_ids",
    "linked_style_id",
    "reset_properties",
    "set_char_spacing",
    "set_doc_defaults",
    "set_doc_grid",
    "set_fonts",
    "set_indent",
    "set_num_pr",
    "set_side_indent",
    "set_theme_font_lang",
    "add_line_break",
    "end_section_at",
    "no_auto_space",
    "no_snap_to_grid",
    "set_paragraph_border",
    "set_plain_table",
    "set_table_rules",
    "set_update_fields",
    "tab_run",
    "text_run",
    "word_format",
]

WORD_FORMATS = {"cn": "chineseCounting", "n": "decimal", "roman": "upperRoman"}
"""numbering.py's counters as ``w:numFmt`` values (for ``cn`` lists past 99 see :func:`word_format`)."""
CHINESE_COUNTING_UP_TO = 99

#: Run-property children that follow ``w:spacing`` in the schema (CT_RPr's sequence).
_AFTER_SPACING = (
    "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd",
    "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
)
_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


_W_NS = nsmap["w"]
_VAL = qn("w:val")
_XML_SPACE = qn("xml:space")


@lru_cache(maxsize=512)
def _tag(nsptag: str) -> tuple[str, dict[str, str]]:
    """``w:p`` as its Clark name and the namespace declaration python-docx's ``OxmlElement`` gives it."""
    prefix = nsptag.partition(":")[0]
    return qn(nsptag), {prefix: nsmap[prefix]}


@lru_cache(maxsize=512)
def _attr(name: str) -> str:
    return qn(f"w:{name}")


def _set(element: BaseOxmlElement, attrs: Mapping[str, str | int]) -> BaseOxmlElement:
    # Set one by one: lxml takes an attribute dict at creation more slowly than this.
    for name, value in attrs.items():
        element.set(_attr(name), str(value))
    return element


def _el(tag: str, **attrs: str | int) -> BaseOxmlElement:
    """A ``w:`` element with ``w:`` attributes (keyword ``val`` → ``w:val``).

    The element python-docx's ``OxmlElement`` makes (its element class, its namespace
    declaration, the attributes in the order given), made by the same parser without
    parsing the prefixed name again for each of the document's elements.
    """
    clark, declared = _tag(tag)
    element = cast(BaseOxmlElement, oxml_parser.makeelement(clark, nsmap=declared))
    return _set(element, attrs) if attrs else element


def _sub(parent: BaseOxmlElement, tag: str, **attrs: str | int) -> BaseOxmlElement:
    """``_el`` appended as the last child of ``parent``: made in place, which is cheaper than making it loose
    and moving it in (lxml then drops its namespace declaration as redundant: the same XML)."""
    element = cast(BaseOxmlElement, etree.SubElement(parent, _tag(tag)[0]))
    return _set(element, attrs) if attrs else element


def _ranks(*tags: str) -> dict[str, int]:
    """``tags`` (a schema's successors of some child) by Clark name, each with its place in the list."""
    return {qn(tag): place for place, tag in enumerate(tags)}


def _insert_before(parent: BaseOxmlElement, element: BaseOxmlElement, successors: Mapping[str, int]) -> None:
    """python-docx's ``insert_element_before``: before the first child of the first successor tag (in the
    list's order) that ``parent`` has, else last; one pass over the children instead of a search per tag."""
    best, rank = None, len(successors)
    for child in parent:
        found = successors.get(child.tag)  # a comment's tag is a function: never found
        if found is not None and found < rank:
            best, rank = child, found
    if best is None:
        parent.append(element)
    else:
        best.addprevious(element)


def _child(parent: BaseOxmlElement, tag: str) -> BaseOxmlElement:
    found = cast("BaseOxmlElement | None", parent.find(qn(tag)))
    if found is None:
        found = _el(tag)
        parent.append(found)
    return found


# -- fonts, language, indents ------------------------------------------------


def set_fonts(rPr: BaseOxmlElement, family: str) -> None:
    """Name ``family`` for every script; python-docx's ``font.name`` leaves ``w:eastAsia`` unset.

    Theme-font attributes are removed because Word lets them win over explicit names, and
    ``w:hint="eastAsia"`` makes Word set ambiguous characters (“ ” — …) in the East-Asian font,
    full width, as Chinese text expects.
    """
    # python-docx generates get_or_add_* per element class; BaseOxmlElement does not declare them.
    rFonts = cast(Any, rPr).get_or_add_rFonts()
    for attr in _THEME_FONT_ATTRS:
        rFonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rFonts.set(qn(attr), family)
    rFonts.set(qn("w:hint"), "eastAsia")


def set_doc_defaults(styles: BaseOxmlElement, family: str, half_points: int, lang: str, east_asian_lang: str) -> None:
    """Document-wide run defaults: font, size, and the languages Word picks glyph shapes by.

    python-docx's template says ``w:eastAsia="en-US"`` (and ja-JP in settings), which makes
    Word choose Japanese glyph variants for Han characters; a Chinese outline needs zh-CN.
    """
    rPr = styles.xpath("w:docDefaults/w:rPrDefault/w:rPr")[0]
    set_fonts(rPr, family)
    for tag in ("w:sz", "w:szCs"):
        _child(rPr, tag).set(qn("w:val"), str(half_points))
    lang_el = _child(rPr, "w:lang")
    lang_el.set(qn("w:val"), lang)
    lang_el.set(qn("w:eastAsia"), east_asian_lang)
    lang_el.set(qn("w:bidi"), "ar-SA")
    # Paragraph defaults: no space after, single spacing; styles set what the theme says.
    for pPr in styles.xpath("w:docDefaults/w:pPrDefault/w:pPr"):
        for spacing in pPr.findall(qn("w:spacing")):
            pPr.remove(spacing)
        pPr.append(_el("w:spacing", after=0, line=240, lineRule="auto"))


def set_theme_font_lang(settings: BaseOxmlElement, lang: str, east_asian_lang: str) -> None:
    """The languages Word resolves theme fonts for (settings.xml ``w:themeFontLang``)."""
    found = settings.find(qn("w:themeFontLang"))
    if found is not None:
        found.set(qn("w:val"), lang)
        found.set(qn("w:eastAsia"), east_asian_lang)


def reset_properties(style: BaseOxmlElement) -> None:
    """Drop a template style's paragraph and run properties so the theme alone decides its look."""
    for tag in ("w:pPr", "w:rPr"):
        for found in style.findall(qn(tag)):
            style.remove(found)


def write_look(
    style: BaseOxmlElement, *, family: str, half_points: str, bold: bool, color: str | None,
    spacing: tuple[str, str, str] | None = None, jc: str | None = None,
) -> tuple[BaseOxmlElement, BaseOxmlElement | None]:
    """A style's run look (and with ``spacing``, its paragraph look), written straight into fresh
    ``w:rPr``/``w:pPr`` in schema order: the same elements and attributes python-docx's ``font``
    and ``paragraph_format`` setters make, without its successor search for each of them.

    ``spacing`` is (before, after, line) in twips, exactly; returns (rPr, pPr or None).
    """
    reset_properties(style)
    rPr = cast(Any, style).get_or_add_rPr()
    rPr.append(_el("w:rFonts"))  # first in w:rPr; set_fonts then finds it
    set_fonts(rPr, family)
    if bold:
        rPr.append(_el("w:b"))
    if color is not None:
        rPr.append(_el("w:color", val=color))
    rPr.append(_el("w:sz", val=half_points))
    if spacing is None:
        return rPr, None
    pPr = cast(Any, style).get_or_add_pPr()
    before, after, line = spacing
    pPr.append(_el("w:spacing", before=before, after=after, line=line, lineRule="exact"))
    pPr.append(_el("w:ind"))
    if jc is not None:
        pPr.append(_el("w:jc", val=jc))
    return rPr, pPr


def linked_style_id(style: BaseOxmlElement) -> str | None:
    """The id of the character style a paragraph style is linked to (``w:link``), if any."""
    link = style.find(qn("w:link"))
    return None if link is None else link.get(qn("w:val"))


def set_indent(pPr: BaseOxmlElement, *, first_line_chars: float, first_line_twips: int, left_chars: float = 0, left_twips: int = 0) -> None:
    """Indent in character units (``w:firstLineChars``, hundredths) with a twips fallback.

    Word uses the ``*Chars`` values, so an indent stays two characters when the font size
    changes; readers that ignore them (older LibreOffice) use the twips.
    """
    ind = cast(Any, pPr).get_or_add_ind()
    ind.attrib.clear()
    ind.set(qn("w:leftChars"), str(round(left_chars * 100)))
    ind.set(qn("w:left"), str(left_twips))
    ind.set(qn("w:firstLineChars"), str(round(first_line_chars * 100)))
    ind.set(qn("w:firstLine"), str(first_line_twips))


def set_side_indent(pPr: BaseOxmlElement, side: str, chars: float, twips: int) -> None:
    """Indent one side (``left`` or ``right``) by ``chars`` characters, with a twips fallback."""
    ind = cast(Any, pPr).get_or_add_ind()
    ind.set(qn(f"w:{side}Chars"), str(round(chars * 100)))
    ind.set(qn(f"w:{side}"), str(twips))


# -- section grid ------------------------------------------------------------


def set_doc_grid(sectPr: BaseOxmlElement, line_pitch: int, char_space: int | None) -> None:
    """A document grid: ``line_pitch`` twips per line, and a character grid when ``char_space`` is given.

    ``char_space`` is (character pitch − Normal font size) in points × 4096 (ECMA-376
    §17.6.5), so it is only right while the Normal style's size is the body size.
    """
    grid = sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = _el("w:docGrid")
        following = [sectPr.find(qn(tag)) for tag in ("w:printerSettings", "w:sectPrChange")]
        anchor = next((el for el in following if el is not None), None)
        if anchor is None:
            sectPr.append(grid)
        else:
            anchor.addprevious(grid)
    grid.attrib.clear()
    grid.set(qn("w:type"), "lines" if char_space is None else "linesAndChars")
    grid.set(qn("w:linePitch"), str(line_pitch))
    if char_space is not None:
        grid.set(qn("w:charSpace"), str(char_space))


def set_char_spacing(rPr: BaseOxmlElement, twentieths: int) -> None:
    """Condense (negative) or expand every character by ``twentieths`` of a point (``w:spacing``)."""
    for found in rPr.findall(qn("w:spacing")):
        rPr.remove(found)
    rPr.insert_element_before(_el("w:spacing", val=twentieths), *_AFTER_SPACING)


# -- numbering ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListLevel:
    """One level of a Word list: how its number is formatted, separated and indented."""

    ilvl: int
    num_fmt: str
    """``w:numFmt``: chineseCounting, chineseCountingThousand, decimal, upperRoman, or none."""
    text: str
    """``w:lvlText`` such as ``（%2）``; ``%n`` is level n's number."""
    separator: str
    """What follows the label: "" (``w:suff`` nothing), " " (space) or "\t" (tab)."""
    first_line_chars: float
    first_line_twips: int
    style: str | None = None
    """The paragraph style this level is linked to (``w:pStyle``), by name."""


@dataclass(frozen=True, slots=True)
class ListDef:
    """An abstract multilevel list (``w:abstractNum``) and the levels it defines."""

    abstract_id: int
    levels: tuple[ListLevel, ...]


@dataclass(frozen=True, slots=True)
class NumDef:
    """A list instance (``w:num``) of an abstract list; ``restart``: the ilvl that starts again at 1."""

    num_id: int
    abstract_id: int
    restart: int | None = None


_SUFFIXES = {"": "nothing", " ": "space", "\t": "tab"}


def word_format(counter: str, count: int) -> str:
    """numbering.py's counter as a ``w:numFmt`` for a list of ``count`` items.

    ``chineseCounting`` prints 十一, 九十九 as numbering.py does, but is only documented up to
    99; ``chineseCountingThousand`` continues 一百, 一百零一 … 一千零一十 (as numbering.py does)
    and is used for longer lists.
    """
    if counter == "cn":
        return "chineseCounting" if count <= CHINESE_COUNTING_UP_TO else "chineseCountingThousand"
    return WORD_FORMATS[counter]


def _lvl(level: ListLevel, style_ids: Mapping[str, str]) -> BaseOxmlElement:
    # Child order is fixed by the schema (CT_Lvl): start, numFmt, lvlRestart, pStyle, isLgl, suff, lvlText, lvlJc, pPr, rPr.
    lvl = _el("w:lvl", ilvl=level.ilvl)
    lvl.append(_el("w:start", val=1))
    lvl.append(_el("w:numFmt", val=level.num_fmt))
    if level.style is not None:
        lvl.append(_el("w:pStyle", val=style_ids[level.style]))
    # The theme's separator; a template that ends in its own punctuation (、 ） 是 ：) has none.
    lvl.append(_el("w:suff", val=_SUFFIXES[level.separator]))
    lvl.append(_el("w:lvlText", val=level.text))
    lvl.append(_el("w:lvlJc", val="left"))
    pPr = _el("w:pPr")
    lvl.append(pPr)
    set_indent(pPr, first_line_chars=level.first_line_chars, first_line_twips=level.first_line_twips)
    # No w:rPr: the label takes the paragraph's (the style's) font, so restyling restyles it too.
    return lvl


def _abstract_num(definition: ListDef, style_ids: Mapping[str, str]) -> BaseOxmlElement:
    abstract = _el("w:abstractNum", abstractNumId=definition.abstract_id)
    # nsid identifies a list across copy and paste; derive it from the content, never at random.
    signature = repr((definition.abstract_id, definition.levels)).encode("utf-8")
    abstract.append(_el("w:nsid", val=f"{zlib.crc32(signature) & 0xFFFFFFFF:08X}"))
    abstract.append(_el("w:multiLevelType", val="multilevel"))
    for level in definition.levels:
        abstract.append(_lvl(level, style_ids))
    return abstract


def add_numbering(numbering: BaseOxmlElement, lists: Sequence[ListDef], nums: Iterable[NumDef], style_ids: Mapping[str, str]) -> None:
    """Append abstract lists and their instances to numbering.xml (``style_ids``: style name → id).

    An instance with ``restart`` gets ``w:lvlOverride``/``w:startOverride`` 1 at that level.
    """
    existing = numbering.findall(qn("w:abstractNum"))
    # The schema wants every abstractNum before the first num.
    anchor = existing[-1] if existing else None
    for definition in lists:
        element = _abstract_num(definition, style_ids)
        if anchor is None:
            numbering.insert(0, element)
        else:
            anchor.addnext(element)
        anchor = element
    cleanup = numbering.find(qn("w:numIdMacAtCleanup"))
    for instance in nums:
        num = _el("w:num", numId=instance.num_id)
        num.append(_el("w:abstractNumId", val=instance.abstract_id))
        if instance.restart is not None:
            override = _el("w:lvlOverride", ilvl=instance.restart)
            override.append(_el("w:startOverride", val=1))
            num.append(override)
        if cleanup is None:
            numbering.append(num)
        else:
            cleanup.addprevious(num)


def next_ids(numbering: BaseOxmlElement) -> tuple[int, int]:
    """The first free abstractNumId and numId (the template already defines some lists)."""
    abstract_ids = [int(v) for v in numbering.xpath("w:abstractNum/@w:abstractNumId")]
    num_ids = [int(v) for v in numbering.xpath("w:num/@w:numId")]
    return max(abstract_ids, default=-1) + 1, max(num_ids, default=0) + 1


def set_num_pr(pPr: BaseOxmlElement, num_id: int, ilvl: int) -> None:
    """Attach a paragraph (or paragraph style) to list ``num_id`` at level ``ilvl``; numId 0 = none."""
    numPr = pPr.find(_NUM_PR)
    if numPr is None:
        # What python-docx's get_or_add_numPr, get_or_add_ilvl and get_or_add_numId add to a pPr without one.
        numPr = _el("w:numPr")
        _insert_before(pPr, numPr, _AFTER_NUM_PR)
        _sub(numPr, "w:ilvl", val=ilvl)
        _sub(numPr, "w:numId", val=num_id)
        return
    numPr = cast(Any, pPr).get_or_add_numPr()
    numPr.get_or_add_ilvl().val = ilvl
    numPr.get_or_add_numId().val = num_id


# -- body paragraphs -----------------------------------------------------------


def add_body_paragraph(sectPr: BaseOxmlElement) -> CT_P:
    """A new empty ``w:p`` at the end of the body, just before its final ``w:sectPr``.

    python-docx's ``add_paragraph`` finds that ``w:sectPr`` by scanning every child of the
    body for each new paragraph, which makes a long document quadratic; the caller keeps
    the reference instead. The element is the one python-docx would create.
    """
    p = cast(CT_P, _el("w:p"))
    sectPr.addprevious(p)
    return p


def add_styled_paragraph(sectPr: BaseOxmlElement, style_id: str | None) -> CT_P:
    """:func:`add_body_paragraph` with what python-docx's ``p.style = style_id`` adds: a ``w:pPr``
    (empty for the default style, None) holding the ``w:pStyle``; written directly, as it is the
    paragraph's first child and the properties' first."""
    p = add_body_paragraph(sectPr)
    pPr = _sub(p, "w:pPr")
    if style_id is not None:
        _sub(pPr, "w:pStyle", val=style_id)
    return p


def add_text_run(p: CT_P, text: str, *, bold: bool = False) -> BaseOxmlElement:
    """Append a run of ``text`` to ``p``, bold if asked (fonts and sizes come from the paragraph's style).

    The XML is what python-docx's ``add_run(text)`` and ``run.bold = True`` make, built
    directly: python-docx clears each new run's content with an XPath query and re-walks the
    schema's successor lists, for every run of the document.
    """
    if any(char in text for char in "\t\r\n"):
        from docx.text.run import Run

        split = Run(p.add_r(), cast(Any, None))  # tabs and breaks: python-docx's own text splitting
        split.text = text
        if bold:
            split.bold = True
        return cast(BaseOxmlElement, split._r)
    run = _sub(p, "w:r")
    if bold:
        _sub(_sub(run, "w:rPr"), "w:b")
    if text:
        t = _sub(run, "w:t")
        t.text = text
        if len(text.strip()) < len(text):
            t.set(_XML_SPACE, "preserve")
    return run


# -- bookmarks, hyperlinks, fields -------------------------------------------


def add_bookmark(p: BaseOxmlElement, bookmark_id: int, name: str) -> None:
    """Wrap a paragraph's content in a bookmark (TOC entries link to it)."""
    start = _el("w:bookmarkStart", id=bookmark_id, name=name)
    pPr = p.find(_PPR)
    if pPr is None:
        p.insert(0, start)
    else:
        pPr.addnext(start)
    _sub(p, "w:bookmarkEnd", id=bookmark_id)


def add_hyperlink(p: BaseOxmlElement, anchor: str, runs: Sequence[BaseOxmlElement]) -> None:
    """Move ``runs`` (already in ``p``) into an internal hyperlink to bookmark ``anchor``."""
    link = _sub(p, "w:hyperlink", anchor=anchor, history=1)
    for run in runs:
        link.append(run)


def _fld_char(kind: str) -> BaseOxmlElement:
    r = _el("w:r")
    _sub(r, "w:fldChar", fldCharType=kind)
    return r


def field_begin(instruction: str) -> list[BaseOxmlElement]:
    """Runs that open a complex field: begin, the instruction, separate; the result follows.

    The field is never marked ``w:dirty``: that makes Word ask to update fields on every open.
    """
    instr_run = _el("w:r")
    instr = _sub(instr_run, "w:instrText")
    instr.set(_XML_SPACE, "preserve")
    instr.text = f" {instruction} "
    return [_fld_char("begin"), instr_run, _fld_char("separate")]


def field_end() -> BaseOxmlElement:
    """The run that closes a complex field."""
    return _fld_char("end")


# -- official documents (GB/T 9704): borders, section breaks, line breaks ----------

#: Children of ``w:pPr`` that follow ``w:pBdr`` in the schema (CT_PPrBase's sequence).
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
    "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)
_AFTER_SNAP = _AFTER_PBDR[_AFTER_PBDR.index("w:snapToGrid") + 1 :]
_AFTER_AUTO_SPACE_DN = _ranks(*_AFTER_PBDR[_AFTER_PBDR.index("w:autoSpaceDN") + 1 :])
_AFTER_AUTO_SPACE_DE = _ranks(*_AFTER_PBDR[_AFTER_PBDR.index("w:autoSpaceDE") + 1 :])
#: CT_PPr's children after ``w:numPr`` (python-docx's successors of it).
_AFTER_NUM_PR = _ranks("w:suppressLineNumbers", "w:pBdr", *_AFTER_PBDR)
_NUM_PR, _PPR = qn("w:numPr"), qn("w:pPr")


def set_paragraph_border(pPr: BaseOxmlElement, side: str, eighths: int, color: str, space_pt: int = 0) -> None:
    """A single rule on one side of a paragraph (``w:pBdr``): ``eighths`` of a point thick, ``space_pt`` from the text."""
    border = pPr.find(qn("w:pBdr"))
    if border is None:
        border = _el("w:pBdr")
        pPr.insert_element_before(border, *_AFTER_PBDR)
    border.append(_el(f"w:{side}", val="single", sz=eighths, space=space_pt, color=color))


def no_snap_to_grid(pPr: BaseOxmlElement) -> None:
    """Let a paragraph keep its own exact line height on a document grid (``w:snapToGrid w:val="0"``)."""
    pPr.insert_element_before(_el("w:snapToGrid", val=0), *_AFTER_SNAP)


def no_auto_space(pPr: BaseOxmlElement) -> None:
    """No extra space between Chinese and Latin or digits (``w:autoSpaceDE``/``w:autoSpaceDN`` off), so widths are as counted."""
    _insert_before(pPr, _el("w:autoSpaceDE", val=0), _AFTER_AUTO_SPACE_DE)
    _insert_before(pPr, _el("w:autoSpaceDN", val=0), _AFTER_AUTO_SPACE_DN)


def no_digit_space(pPr: BaseOxmlElement) -> None:
    """No extra space between Chinese and digits (``w:autoSpaceDN`` off); Latin letters keep theirs."""
    _insert_before(pPr, _el("w:autoSpaceDN", val=0), _AFTER_AUTO_SPACE_DN)


def add_line_break(r: BaseOxmlElement) -> None:
    """A line break (``w:br``) at the end of a run."""
    r.append(_el("w:br"))


def end_section_at(p: BaseOxmlElement, sentinel: BaseOxmlElement) -> None:
    """Make ``p`` the last paragraph of a section laid out like ``sentinel``, the body's final ``w:sectPr``.

    The sentinel then describes a new, last section: it starts on an even page (Word and
    LibreOffice insert a blank page when needed) and loses its footer references (the caller
    gives it footers of its own).
    """
    cast(Any, p).get_or_add_pPr().append(deepcopy(sentinel))
    for ref in sentinel.xpath("w:headerReference|w:footerReference|w:titlePg"):
        sentinel.remove(ref)
    kind = sentinel.find(qn("w:type"))
    if kind is None:
        kind = _el("w:type")
        sentinel.insert_element_before(kind, "w:pgSz", "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")
    kind.set(qn("w:val"), "evenPage")


def set_table_rules(tbl: BaseOxmlElement, width: int, outer: int, inner: int) -> None:
    """A full-width table with horizontal rules only: ``outer`` above and below, ``inner`` between rows (eighths of a point); no cell margins."""
    sizes = {"top": outer, "left": 0, "bottom": outer, "right": 0, "insideH": inner, "insideV": 0}
    _table_properties(tbl, [width], sizes, centred=False)


def float_at_bottom(tbl: BaseOxmlElement, left: int) -> None:
    """Float a table to the bottom of the type area (``w:tblpPr``), ``left`` twips from the page's left edge.

    Placed from the page's edge rather than the margin: LibreOffice keeps a table in the flow
    when it is placed relative to the margins and nearly as wide as the type area.
    """
    position = _el("w:tblpPr", leftFromText=0, rightFromText=0, topFromText=0, bottomFromText=0,
                   vertAnchor="margin", horzAnchor="page", tblpX=left, tblpYSpec="bottom")
    tblPr = cast("BaseOxmlElement | None", tbl.find(qn("w:tblPr")))
    assert tblPr is not None
    style = tblPr.find(qn("w:tblStyle"))  # CT_TblPr: tblStyle, then tblpPr
    if style is not None:
        style.addnext(position)
    else:
        tblPr.insert(0, position)


def set_plain_table(tbl: BaseOxmlElement, widths: Sequence[int]) -> None:
    """A centred table of fixed column widths (twips), without borders or cell margins; cells centred vertically."""
    _table_properties(tbl, widths, dict.fromkeys(("top", "left", "bottom", "right", "insideH", "insideV"), 0), centred=True)
    for tcPr in tbl.xpath("w:tr/w:tc/w:tcPr"):
        tcPr.append(_el("w:vAlign", val="center"))


def _table_properties(tbl: BaseOxmlElement, widths: Sequence[int], borders: dict[str, int], *, centred: bool) -> None:
    tblPr = cast("BaseOxmlElement | None", tbl.find(qn("w:tblPr")))
    assert tblPr is not None
    for tag in ("w:tblW", "w:jc", "w:tblInd", "w:tblBorders", "w:tblLayout", "w:tblCellMar"):
        for found in tblPr.findall(qn(tag)):
            tblPr.remove(found)
    rules = _el("w:tblBorders")
    for side, size in borders.items():
        rules.append(_el(f"w:{side}", val="single", sz=size, space=0, color="000000") if size else _el(f"w:{side}", val="nil"))
    margins = _el("w:tblCellMar")
    for side in ("left", "right"):
        margins.append(_el(f"w:{side}", w=0, type="dxa"))
    # Schema order (CT_TblPr): … tblW, jc, tblCellSpacing, tblInd, tblBorders, shd, tblLayout, tblCellMar, tblLook …
    placement = _el("w:jc", val="center") if centred else _el("w:tblInd", w=0, type="dxa")
    following = ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
    for element in (_el("w:tblW", w=sum(widths), type="dxa"), placement, rules, _el("w:tblLayout", type="fixed"), margins):
        tblPr.insert_element_before(element, *following)
    for column, width in zip(tbl.xpath("w:tblGrid/w:gridCol"), widths):
        column.set(qn("w:w"), str(width))
    for row in tbl.xpath("w:tr"):
        for cell_width, width in zip(row.xpath("w:tc/w:tcPr/w:tcW"), widths):
            cell_width.set(qn("w:w"), str(width))
            cell_width.set(qn("w:type"), "dxa")
def text_run(text: str) -> BaseOxmlElement:
    """A plain run of text (a field's cached result)."""
    run = _el("w:r")
    _sub(run, "w:t").text = text
    return run


def tab_run() -> BaseOxmlElement:
    """A run holding one tab (to the TOC styles' right-aligned, dot-leader tab stop)."""
    run = _el("w:r")
    _sub(run, "w:tab")
    return run


#: CT_Settings children that come after ``w:updateFields`` in the schema.
_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr",
    "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "w:smartTagType",
    "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
)


def set_update_fields(settings: BaseOxmlElement) -> None:
    """``w:updateFields``: Word refreshes the TOC and its page references when the file opens (it asks first)."""
    if settings.find(qn("w:updateFields")) is None:
        settings.insert_element_before(_el("w:updateFields", val="true"), *_AFTER_UPDATE_FIELDS)


# -- the font table --------------------------------------------------------------

#: Name parts that say what kind of face a family is (Windows' own font table gives 宋体 roman, 黑体 swiss, 仿宋/楷体 modern).
_FONT_KINDS = (
    (("仿宋", "楷", "fang", "kai"), "modern", "fixed"),
    (("黑", "hei", "sans", "gothic"), "swiss", "variable"),
    (("宋", "明", "song", "serif", "ming"), "roman", "variable"),
)
_CJK_NAME_HINTS = ("cjk", "gb", " sc", "sim", "song", "hei", "kai", "fang")
GB2312_CHARSET = "86"


def _font_kind(family: str) -> tuple[str, str]:
    lowered = family.lower()
    for words, kind, pitch in _FONT_KINDS:
        if any(word in lowered for word in words):
            return kind, pitch
    return "auto", "variable"


def _is_cjk_family(family: str) -> bool:
    lowered = f" {family.lower()}"
    return any(ord(ch) > 0x2E80 for ch in family) or any(hint in lowered for hint in _CJK_NAME_HINTS)


def font_table(chains: Iterable[Sequence[str]]) -> bytes:
    """fontTable.xml naming every family of the chains once, each with the next of its chain as ``w:altName``.

    Chinese families get charset 86 (GB2312), which makes Word pick a Chinese face for a missing one.
    """
    table = etree.Element(f"{{{_W_NS}}}fonts", nsmap={"w": _W_NS})
    seen: set[str] = set()
    for chain in chains:
        for position, family in enumerate(chain):
            if family in seen:
                continue
            seen.add(family)
            font = etree.SubElement(table, f"{{{_W_NS}}}font", {f"{{{_W_NS}}}name": family})
            if position + 1 < len(chain):
                etree.SubElement(font, f"{{{_W_NS}}}altName", {f"{{{_W_NS}}}val": chain[position + 1]})
            kind, pitch = _font_kind(family)
            etree.SubElement(font, f"{{{_W_NS}}}charset", {f"{{{_W_NS}}}val": GB2312_CHARSET if _is_cjk_family(family) else "00"})
            etree.SubElement(font, f"{{{_W_NS}}}family", {f"{{{_W_NS}}}val": kind})
            etree.SubElement(font, f"{{{_W_NS}}}pitch", {f"{{{_W_NS}}}val": pitch})
    return etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)
