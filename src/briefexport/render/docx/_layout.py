"""The look of the DOCX: page geometry (with the GB/T 9704 grid) and Word styles built from the theme."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Pt, RGBColor, Twips
from docx.oxml.ns import qn
from docx.oxml.simpletypes import ST_HexColor, ST_HpsMeasure, ST_SignedTwipsMeasure, ST_TwipsMeasure
from docx.styles import BabelFish
from docx.styles.style import StyleFactory

from ...errors import warn
from . import _oxml as ox
from ._geometry import Geometry, twips

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.oxml.styles import CT_Style
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.styles.style import ParagraphStyle

    from ...theme.loader import TextStyle, Theme
    from ._numbering import NumberingPlan

__all__ = ["ALIGN", "ROLE_STYLES", "TOC_HEADING_STYLE", "setup_styles"]

TOC_LEVEL_STEP_CHARS = 2
"""Each deeper TOC level steps in by two characters, as Word's built-in TOC 2…9 styles do."""

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
#: Word style per theme role; the body's font and size also go to Normal (the docGrid is relative to it).
ROLE_STYLES = {
    "title": "Title", "subtitle": "Subtitle", "meta": "Meta", "kicker": "Kicker",
    "h1": "Heading 1", "h2": "Heading 2", "h3": "Heading 3", "h4": "Heading 4",
    "body": "Body Text", "page_number": "Footer",
}
TOC_HEADING_STYLE = "TOC Heading"



class _Styles:
    """The template's styles by name, read once per render.

    python-docx answers ``styles[name]`` with an XPath query over all 164 template styles and
    ``add_style`` with a walk over all of their names; setting up the theme's styles asked
    about forty times, most of a warm DOCX render.
    """

    def __init__(self, document: WordDocument) -> None:
        self._element = document.styles.element
        self._by_name: dict[str, BaseOxmlElement] = {}
        name_tag, val, style_id = qn("w:name"), qn("w:val"), qn("w:styleId")
        self._by_id: dict[str, list[BaseOxmlElement]] = {}
        for style in self._element.iterchildren(qn("w:style")):
            name = style.find(name_tag)
            if name is not None:
                self._by_name.setdefault(name.get(val), style)  # the first, as python-docx finds
            self._by_id.setdefault(style.get(style_id), []).append(style)

    def __getitem__(self, name: str) -> ParagraphStyle:
        return cast("ParagraphStyle", StyleFactory(cast("CT_Style", self._by_name[BabelFish.ui2internal(name)])))

    def by_id(self, style_id: str) -> list[ParagraphStyle]:
        """The template's styles with this id (linked character styles; ids are never changed before this is asked)."""
        return [cast("ParagraphStyle", StyleFactory(cast("CT_Style", style))) for style in self._by_id.get(style_id, ())]

    def paragraph_style(self, name: str, *, builtin: bool = False) -> ParagraphStyle:
        """The template's style of that name, or a new one based on Normal (``builtin``: one Word knows, e.g. toc 1)."""
        internal = BabelFish.ui2internal(name)
        if internal in self._by_name:
            return self[name]
        # What python-docx's add_style does once it has found the name unused.
        added = self._by_name[internal] = self._element.add_style_of_type(internal, WD_STYLE_TYPE.PARAGRAPH, builtin)
        self._by_id.setdefault(added.get(qn("w:styleId")), []).append(added)  # appended last, as in the document
        style = cast("ParagraphStyle", StyleFactory(added))
        style.base_style = self["Normal"]
        style.quick_style = not builtin
        return style


def _color(style: TextStyle, role: str) -> RGBColor | None:
    hex_digits = style.color.lstrip("#")
    try:
        return RGBColor.from_string(hex_digits.upper())
    except ValueError:
        warn(f"theme style '{role}'", f"colour '{style.color}' is not #RRGGBB; using the default")
        return None


def _apply(style: ParagraphStyle, text: TextStyle, role: str, geometry: Geometry, *, paragraph: bool = True) -> None:
    """Give a Word style the theme role's font, size, weight, colour, alignment, spacing and indent."""
    color = _color(text, role)
    spacing = None
    if paragraph:
        # The grid covers the type area only; the footer keeps its own line height.
        line = Twips(geometry.line_twips(text, on_grid=role != "page_number"))
        spacing = (ST_TwipsMeasure.convert_to_xml(Pt(text.space_before)), ST_TwipsMeasure.convert_to_xml(Pt(text.space_after)),
                   ST_SignedTwipsMeasure.convert_to_xml(line))
    # Values converted as python-docx's setters convert them (Pt to half-points, twips), so the XML is theirs.
    _, pPr = ox.write_look(
        style.element, family=text.fonts[0], half_points=ST_HpsMeasure.convert_to_xml(Pt(text.size)), bold=text.bold,
        color=None if color is None else ST_HexColor.convert_to_xml(color), spacing=spacing,
        jc=WD_ALIGN_PARAGRAPH.to_xml(ALIGN[text.align]) if paragraph else None,
    )
    if pPr is not None:
        char_pt = geometry.char_width(text)
        ox.set_indent(pPr, first_line_chars=text.indent, first_line_twips=round(text.indent * char_pt * 20))


def _sync_linked_character_style(styles: _Styles, style: ParagraphStyle, text: TextStyle, role: str, geometry: Geometry) -> None:
    """Keep the template's linked "… Char" style in step, so text restyled in Word looks the same."""
    link = ox.linked_style_id(style.element)
    if link is None:
        return
    for candidate in styles.by_id(link):
        _apply(candidate, text, role, geometry, paragraph=False)


def _heading_style(styles: _Styles, style: ParagraphStyle, level: int, num_id: int | None) -> None:
    """Outline level, keep-with-next, Body Text after it, and the list that numbers it."""
    fmt = style.paragraph_format
    fmt.keep_with_next, fmt.keep_together = True, True
    style.next_paragraph_style = styles[ROLE_STYLES["body"]]
    style.element.get_or_add_pPr().get_or_add_outlineLvl().val = level - 1
    if num_id is not None:
        ox.set_num_pr(style.element.pPr, num_id, level - 1)


def _derived_styles(styles: _Styles, plan: NumberingPlan) -> dict[str, str]:
    """The heading styles of other templates: based on the level's Heading style, numbered by their own list."""
    ids: dict[str, str] = {}
    for position, derived in enumerate(plan.derived, start=1):
        style = styles.paragraph_style(derived.name)
        style.style_id = f"Heading{derived.level}T{position}"
        style.base_style = styles[f"Heading {derived.level}"]
        ox.reset_properties(style.element)
        _heading_style(styles, style, derived.level, derived.num_id)
        ids[derived.name] = style.style_id
    return ids


def setup_styles(document: WordDocument, theme: Theme, geometry: Geometry, plan: NumberingPlan) -> dict[str, str]:
    """Write every role's look into its Word style; headings also get outline levels and list links.

    Returns the heading styles' ids by name (numbering.xml links list levels to them).
    """
    style_ids: dict[str, str] = {}
    body = theme.style("body")
    styles = _Styles(document)
    normal = styles["Normal"]
    ox.reset_properties(normal.element)
    normal.font.size = Pt(body.size)
    ox.set_fonts(normal.element.get_or_add_rPr(), body.fonts[0])
    condensed = geometry.condensed(body.size)
    if condensed:
        ox.set_char_spacing(normal.element.get_or_add_rPr(), condensed)
    for role, name in ROLE_STYLES.items():
        style = styles.paragraph_style(name)
        style.base_style = normal
        _apply(style, theme.style(role), role, geometry)
        _sync_linked_character_style(styles, style, theme.style(role), role, geometry)
        if role.startswith("h"):
            level = int(role[1:])
            _heading_style(styles, style, level, plan.style_nums.get(level))
            style_ids[name] = style.style_id
        if role == "kicker":
            style.paragraph_format.keep_with_next = True
    heading = styles.paragraph_style(TOC_HEADING_STYLE)
    heading.base_style = normal
    _apply(heading, theme.style("h1"), "h1", geometry)
    heading.element.pPr.get_or_add_outlineLvl().val = 9  # never listed in the TOC itself
    toc = theme.style("toc")
    for level in range(1, theme.toc.depth + 1):
        style = styles.paragraph_style(f"toc {level}", builtin=True)
        style.style_id = f"TOC{level}"
        style.base_style = normal
        _apply(style, toc, "toc", geometry)
        step = (level - 1) * TOC_LEVEL_STEP_CHARS
        ox.set_side_indent(style.element.pPr, "left", step, round(step * geometry.char_width(toc) * 20))
        # Where Word puts page numbers once the field is updated.
        style.paragraph_format.tab_stops.add_tab_stop(Twips(geometry.type_width), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    style_ids.update(_derived_styles(styles, plan))
    return style_ids
