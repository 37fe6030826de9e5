"""Turn the numbered tree into XHTML documents and the theme into CSS (for EPUB now, for HTML later)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..errors import RenderError, warn
from ..model import Meta, Para, Span
from ..numbering import NumberedNode
from ..text import DATE, URL, URL_BREAKS, format_date
from ..theme.loader import TextStyle, Theme

__all__ = [
    "FontFace",
    "Stylesheet",
    "anchor",
    "attr",
    "check_theme_text",
    "check_xml_text",
    "document",
    "font_stack",
    "heading",
    "node_fragment",
    "paragraph",
    "spans",
    "stylesheet",
    "text",
    "title_block",
]

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"

#: Deepest HTML heading a node may map to; outlines stop at level 4 anyway.
_MAX_HEADING = 6

#: U+FFFE, U+FFFF and their copies in planes 1–16.
_PLANE_ENDS = "".join(chr(plane | 0xFFFE) + chr(plane | 0xFFFF) for plane in range(0, 0x110000, 0x10000))
#: What the outline loader refuses, and XML 1.0 cannot hold or calls a noncharacter: control characters
#: other than tab, line feed and carriage return, lone surrogates, U+FDD0–U+FDEF and the plane ends.
#: All of them are unprintable (``str.isprintable``); the pattern, slow to compile for its
#: character class, is compiled (and cached by ``re``) only when a text is not printable.
_NOT_XML = f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef{_PLANE_ENDS}]"


@dataclass(frozen=True, slots=True)
class Stylesheet:
    """A stylesheet a document links to."""

    href: str


# The replacements of ``html.escape``, written out: importing ``html`` loads its table of 2,000
# named entities, which no document here uses.
def text(value: str) -> str:
    """Escape text content: ``<``, ``&`` and ``>`` in the outline print as themselves."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(value: str) -> str:
    """Escape an attribute value (double-quoted), as ``html.escape(value, quote=True)``."""
    return text(value).replace('"', "&quot;").replace("'", "&#x27;")


def check_xml_text(value: str, where: str) -> str:
    """``value`` unchanged, or a :class:`RenderError` naming the first character an XML document cannot carry."""
    found = None if value.isprintable() else re.search(_NOT_XML, value)
    if found:
        raise RenderError(f"{where} contains U+{ord(found.group()):04X}, which cannot go into an XML document; remove it")
    return value


def check_theme_text(theme: Theme, *, page_number: bool = False) -> None:
    """Refuse theme text that XML cannot carry: the TOC title, font names, and (``page_number``) the page-number format.

    The outline loader refuses such characters in the outline, but theme strings (a theme
    file's ``"\\uFFFE"`` escapes, or a Theme built in code) reach the DOCX and EPUB without
    passing it; lxml would fail on them with no hint of where they came from. The DOCX
    renderer calls this too: the rule is XML's, not XHTML's.
    """
    # A theme that extends a preset carries the preset's name and no path, so the key alone says where.
    for name, value in (("toc.title", theme.toc.title), ("furniture.date_format", theme.furniture.date_format),
                        ("furniture.meta_separator", theme.furniture.meta_separator)):
        if value is not None:
            check_xml_text(value, f"theme {name}")
    if page_number:
        check_xml_text(theme.page_number.format, "theme page_number.format")
    for role, style in theme.styles.items():
        for family in style.fonts:
            check_xml_text(family, f"theme styles.{role}.fonts")


def spans(items: Iterable[Span]) -> str:
    """Inline markup for a paragraph's spans; bold is real ``<strong>``, everything else literal."""
    return "".join(f"<strong>{dated(s.text)}</strong>" if s.bold else dated(s.text) for s in items)


def dated(value: str) -> str:
    """Escaped text with each date in ``<span class="date">``, which the stylesheet keeps on one line,
    and break opportunities in web addresses (:func:`linked`)."""
    if "月" not in value:  # every form of DATE has one: most paragraphs need no search
        return linked(value)
    out, start = [], 0
    for found in DATE.finditer(value):
        out += [linked(value[start : found.start()]), f'<span class="date">{text(found.group())}</span>']
        start = found.end()
    return "".join(out) + linked(value[start:])


def linked(value: str) -> str:
    """Escaped text with a ``<wbr/>`` after each ``/ _ . -`` inside a web address (not within ``//``).

    A browser breaks a URL only where it overflows (``overflow-wrap: anywhere``) and first moves
    it whole to the next line, which spreads the line before it into holes (详　　见): with
    these, the address starts where it is written and breaks at its segments, as in the PDF.
    """
    if "://" not in value and "www." not in value:  # what every URL match starts with
        return text(value)
    out, start = [], 0
    for found in URL.finditer(value):
        address = found.group()
        marked = "".join(
            text(char) + ("<wbr/>" if char in URL_BREAKS and k + 1 < len(address) and address[k + 1] not in URL_BREAKS else "")
            for k, char in enumerate(address)
        )
        out += [text(value[start : found.start()]), marked]
        start = found.end()
    return "".join(out) + text(value[start:])


def paragraph(para: Para, css_class: str | None = None) -> str:
    """One ``<p>``; body paragraphs carry no class so the markup stays plain."""
    opening = f'<p class="{attr(css_class)}">' if css_class else "<p>"
    return f"{opening}{spans(para.spans)}</p>"


def anchor(item: NumberedNode) -> str:
    """A stable id for a node's heading, from its path: ``sec-3-2`` is the 2nd child of the 3rd section."""
    return "sec-" + "-".join(str(index + 1) for index in item.path)


def heading(item: NumberedNode, separator: str = "") -> str:
    """The heading of a node: its label in ``<span class="label">``, then the title."""
    level = min(item.level, _MAX_HEADING)
    label = f'<span class="label">{text(item.label + separator)}</span>' if item.label else ""
    return f'<h{level} id="{anchor(item)}">{label}{spans(item.node.title.spans)}</h{level}>'


def node_fragment(item: NumberedNode, theme: Theme) -> list[str]:
    """A node's kicker, heading, body paragraphs and children, one line per block."""
    lines: list[str] = []
    if item.node.kicker:
        lines.append(f'<p class="kicker">{text(item.node.kicker)}</p>')
    lines.append(heading(item, theme.label_gap(item.level)))
    lines.extend(paragraph(para) for para in item.node.body)
    for child in item.children:
        lines.extend(node_fragment(child, theme))
    return lines


def title_heading(lines: Sequence[str]) -> str:
    """The title as ``<h1 class="title">``, a ``<br/>`` where the outline breaks it."""
    return f'<h1 class="title">{"<br/>".join(text(line) for line in lines)}</h1>'


def title_block(meta: Meta, theme: Theme) -> list[str]:
    """The title page's lines: title, subtitle, then the date and author line every format prints
    (unless the theme signs at the end, ``title_block.meta: signature``: see :func:`signature`)."""
    lines = [title_heading(meta.title_shown)]
    if meta.subtitle:
        lines.append(f'<p class="subtitle">{text(meta.subtitle)}</p>')
    line = theme.meta_line(meta)
    if line and theme.title_block.meta != "signature":
        lines.append(f'<p class="meta">{dated(line)}</p>')
    return lines


def signature(meta: Meta, theme: Theme) -> list[str]:
    """署名 and 成文日期 at the document's end (GB/T 9704), for themes with ``title_block.meta: signature``."""
    lines = [f'<p class="signature">{text(meta.author)}</p>'] if meta.author else []
    if meta.date:
        lines.append(f'<p class="signature date">{dated(format_date(meta.date, meta.lang, theme.furniture.date_format))}</p>')
    return lines


def document(title: str, lang: str, body: Sequence[str], *, stylesheets: Sequence[Stylesheet] = ()) -> bytes:
    """A complete XHTML5 document; ``lang`` and ``xml:lang`` on the root, as EPUB chapters need."""
    links = "".join(f'\n<link rel="stylesheet" type="text/css" href="{attr(sheet.href)}"/>' for sheet in stylesheets)
    source = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<!DOCTYPE html>\n"
        f'<html xmlns="{XHTML_NS}" xmlns:epub="{EPUB_NS}" lang="{attr(lang)}" xml:lang="{attr(lang)}">\n'
        # The charset meta is for readers that parse chapters as HTML, which ignores the XML declaration.
        f'<head>\n<meta charset="utf-8"/>\n<title>{text(title)}</title>{links}\n</head>\n'
        "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
    return source.encode("utf-8")


# -- CSS from the theme ------------------------------------------------------

#: Names e-readers and systems know, appended after the theme's own chain (Song/serif or Hei/sans).
SERIF_STACK = ("Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "SimSun", "serif")
SANS_STACK = ("Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "sans-serif")
_SANS_HINTS = ("sans", "hei", "黑", "gothic", "pingfang", "苹方")
_SERIF_HINTS = ("serif", "song", "宋", "fang", "仿", "kai", "楷", "ming", "明")
_GENERIC = frozenset({"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"})
#: Colours written into CSS as they are; anything else could break out of the rule.
_CSS_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]+")

#: Where each role's style applies; body text is plain ``<p>``, other roles refine it by class.
ROLE_SELECTORS: tuple[tuple[str, str], ...] = (
    ("body", "p"),
    ("title", "h1.title"),
    ("subtitle", "p.subtitle"),
    ("meta", "p.meta"),
    ("kicker", "p.kicker"),
    ("h1", "h1, nav > h2"),
    ("h2", "h2"),
    ("h3", "h3"),
    ("h4", "h4, h5, h6"),
    ("toc", "nav > ol"),
)


@dataclass(frozen=True, slots=True)
class FontFace:
    """An embedded font file, declared with ``@font-face``."""

    family: str
    href: str
    format: str
    """The CSS ``format()`` hint: ``truetype``, ``opentype`` or ``woff2``."""
    bold: bool = False


def is_sans(chain: Sequence[str]) -> bool:
    """Whether a font chain is Hei/sans rather than Song/Fang/Kai/serif, judged by its first telling name."""
    for name in chain:
        lowered = name.lower()
        if any(hint in lowered for hint in _SANS_HINTS):
            return True
        if any(hint in lowered for hint in _SERIF_HINTS):
            return False
    return False


def font_stack(chain: Sequence[str], embedded: str | None = None) -> str:
    """A CSS font-family list: the embedded face, the theme's chain, then names readers know."""
    known = SANS_STACK if is_sans(chain) else SERIF_STACK
    names: list[str] = []
    for name in (*([embedded] if embedded else []), *chain, *known):
        if name.lower() not in (seen.lower() for seen in names):
            names.append(name)
    return ", ".join(name if name in _GENERIC else _quote(name) for name in names)


def _quote(name: str) -> str:
    # A CSS string may not hold a raw line break; control characters are written as hex escapes.
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda found: f"\\{ord(found.group()):x} ", escaped) + '"'


def _num(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") or "0"


def _em(value: float) -> str:
    return f"{_num(value)}em" if _num(value) != "0" else "0"


def _same_color(a: str, b: str) -> bool:
    expand = {"#000": "#000000", "black": "#000000", "#fff": "#ffffff", "white": "#ffffff"}
    return expand.get(a.lower(), a.lower()) == expand.get(b.lower(), b.lower())


def style_rule(
    selector: str, style: TextStyle, body: TextStyle, family: str | None = None, *, min_line_height: float = 0.0
) -> str:
    """One role's rule; sizes are em relative to body text, spacing em of the role's own size."""
    declarations = [
        f"font-family: {font_stack(style.fonts, family)}",
        f"font-size: {_em(style.size / body.size)}",
        f"font-weight: {'bold' if style.bold else 'normal'}",
        f"line-height: {_num(max(style.line_height, min_line_height))}",
        f"text-align: {style.align}",
        f"text-indent: {_em(style.indent)}",
        f"margin: {_em(style.space_before / style.size)} 0 {_em(style.space_after / style.size)} 0",
    ]
    # Black body text is the reader's default; writing it would defeat night modes.
    inherited = "#000000" if style is body else body.color
    if _CSS_COLOR.fullmatch(style.color) and not _same_color(style.color, inherited):
        declarations.append(f"color: {style.color}")
    return selector + " {\n  " + ";\n  ".join(declarations) + ";\n}"


def font_face_rule(face: FontFace) -> str:
    """An ``@font-face`` block for an embedded file."""
    weight = "bold" if face.bold else "normal"
    return (
        f"@font-face {{\n  font-family: {_quote(face.family)};\n  font-style: normal;\n  font-weight: {weight};\n"
        f'  src: url("{face.href}") format("{face.format}");\n}}'
    )


def stylesheet(theme: Theme, *, faces: Sequence[FontFace] = (), families: Mapping[str, str] | None = None) -> str:
    """The whole stylesheet for a theme; ``families`` maps a role to the embedded family it uses first."""
    families = families or {}
    body = theme.style("body")
    for role, _ in ROLE_SELECTORS:
        if not _CSS_COLOR.fullmatch(theme.style(role).color):
            warn(f"theme style '{role}'", f"colour '{theme.style(role).color}' is not #RRGGBB or a CSS colour name; using the default")
    rules = [font_face_rule(face) for face in faces]
    epub = theme.epub or {}
    rules.append(_body_rule(body, families.get("body"), float(epub.get("max_measure", DEFAULT_MEASURE))))
    # The TOC's own numbering is in the labels; list markers would number it twice.
    rules.append(f"nav ol {{\n  list-style-type: none;\n  margin: 0;\n  padding: 0;\n}}\nnav ol ol {{\n  padding-left: {_em(body.indent)};\n}}")
    # Reader-TOC links read as the entries they are, not as web links.
    rules.append("nav a {\n  color: inherit;\n  text-decoration: none;\n}")
    floor = float(epub.get("min_line_height", 0.0))
    rules.extend(
        style_rule(selector, theme.style(role), body, families.get(role), min_line_height=floor) for role, selector in ROLE_SELECTORS
    )
    rules.append("h1, h2, h3, h4, h5, h6 {\n  page-break-after: avoid;\n  break-after: avoid;\n}")
    # Titles and headings that wrap get lines of even length, as in the PDF (readers without it ignore it).
    rules.append("h1, h2, h3, h4, h5, h6, p.subtitle {\n  text-wrap: balance;\n}")
    rules.append(_signature_rule(theme))
    return "\n".join(rules) + "\n"


#: The longest line, in body ems (CJK characters): about 40 a line reads well on a wide screen.
DEFAULT_MEASURE = 40.0


def _body_rule(body: TextStyle, family: str | None, measure: float) -> str:
    """The page: a limited measure, centred; long Latin tokens (URLs) wrap inside the column."""
    return (
        f"body {{\n  font-family: {font_stack(body.fonts, family)};\n  max-width: {_em(measure)};\n"
        "  margin-left: auto;\n  margin-right: auto;\n"
        # A URL wider than a phone's column breaks anywhere rather than overflowing it; CJK text
        # breaks between characters anyway, so nothing else changes.
        "  overflow-wrap: anywhere;\n  text-justify: inter-character;\n}\n"
        ".date {\n  white-space: nowrap;\n}"
    )


def _signature_rule(theme: Theme) -> str:
    """署名 and 成文日期: right-aligned, the date ``date_indent`` characters from the right."""
    indent = _em(theme.title_block.date_indent)
    return (
        f"p.signature {{\n  text-align: right;\n  text-indent: 0;\n  margin-right: {indent};\n}}\n"
        "p.signature:first-of-type {\n  margin-top: 1.5em;\n}"
    )
