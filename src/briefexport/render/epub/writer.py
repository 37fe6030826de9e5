"""Render a numbered document as an EPUB 3 (with an NCX for EPUB 2 readers), byte-identical for the same input.

ebooklib assembles the package (OPF, nav document, NCX); the chapters are
complete XHTML documents written by :mod:`._xhtml`, so nothing re-parses them
or changes their ``lang``. ebooklib's archive is then re-packed by :mod:`._zip` with
fixed entry dates, modes and order, ``mimetype`` first and stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ebooklib import epub

from ...errors import RenderError, warn
from .. import _xhtml
from .._zip import repack
from . import _official
from ._ncx import NcxWriter

if TYPE_CHECKING:
    from ...fonts.fontset import Face
    from ...model import Official
    from ...numbering import NumberedDocument, NumberedNode
    from ...theme.loader import Theme
    from .. import RenderOptions

__all__ = ["render"]

STYLESHEET = "style.css"
MIMETYPE = "mimetype"


@dataclass(frozen=True, slots=True)
class Chapter:
    """One XHTML document of the spine."""

    uid: str
    file_name: str
    title: str
    body: tuple[str, ...]
    section: NumberedNode | None = None
    """The top-level section it holds (None for the title page)."""


def render(doc: NumberedDocument, theme: Theme, out: Path, *, opts: RenderOptions) -> None:
    """Write ``doc`` as an EPUB 3 file at ``out``."""
    _xhtml.check_theme_text(theme)
    fonts = embedded_fonts(doc, theme, opts) if _wants_font(theme, opts) else ()
    book = _assemble(doc, theme, fonts)
    repack(_write(book, opts), out, opts.created, first=MIMETYPE, stored=frozenset({MIMETYPE}))


def _wants_font(theme: Theme, opts: RenderOptions) -> bool:
    if opts.embed_font is not None:
        return opts.embed_font
    return bool((theme.epub or {}).get("embed_font", False))


def _utc(moment: dt.datetime) -> dt.datetime:
    # A naive datetime is taken as UTC, like SOURCE_DATE_EPOCH.
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment.astimezone(dt.timezone.utc)


# -- the documents -----------------------------------------------------------


def _front_matter(doc: NumberedDocument, theme: Theme) -> Chapter | None:
    """The title page with the lead, or (without a title page) a document holding just the lead."""
    meta = doc.doc.meta
    lead = tuple(_xhtml.paragraph(para) for para in doc.doc.lead)
    # A book needs one document in its spine: an outline of just a title keeps its title page.
    official = doc.doc.official
    if official is not None or (theme.epub or {}).get("title_page", True) or not (lead or doc.sections):
        # An official document signs in its own closing (_official); a plain one where the theme says.
        title = _official.head(official, meta.title_shown) if official is not None else _xhtml.title_block(meta, theme)
        block = ('<section epub:type="titlepage">', *title, "</section>")
        return Chapter("titlepage", "title.xhtml", meta.title, (*block, *lead))
    if lead:
        return Chapter("lead", "lead.xhtml", meta.title, lead)
    return None


def _chapters(doc: NumberedDocument, theme: Theme) -> list[Chapter]:
    chapters = []
    for number, section in enumerate(doc.sections, start=1):
        body = (f'<section epub:type="chapter" id="chapter-{number}">', *_xhtml.node_fragment(section, theme), "</section>")
        chapters.append(Chapter(f"chapter-{number}", f"chapter-{number}.xhtml", section.heading, body, section))
    if doc.doc.official is not None:
        chapters.extend(_official_chapters(doc.doc.official, doc.doc.meta.title))
    return chapters


def _official_chapters(official: Official, title: str) -> list[Chapter]:
    """After the body: the 附件说明, 署名 and 附注, each attachment, then the 版记 (``_official``)."""
    out = []
    closing = _official.closing(official)
    if closing:
        out.append(Chapter("closing", "closing.xhtml", title, ('<section epub:type="conclusion">', *closing, "</section>")))
    for number, (name, blocks) in enumerate(_official.attachment_documents(official), start=1):
        out.append(Chapter(f"attachment-{number}", f"attachment-{number}.xhtml", name, ('<section epub:type="appendix">', *blocks, "</section>")))
    imprint = _official.imprint(official)
    if imprint:
        out.append(Chapter("imprint", "imprint.xhtml", title, ("<section>", *imprint, "</section>")))
    return out


def _signed(chapters: list[Chapter], doc: NumberedDocument, theme: Theme) -> list[Chapter]:
    """The last document ends with 署名 and 成文日期 when the theme moves them to the end (an
    official document signs in its own closing document instead): the last chapter, or the
    title page or lead of a book with no sections."""
    signs = theme.title_block.meta == "signature" and doc.doc.official is None
    lines = _xhtml.signature(doc.doc.meta, theme) if signs else []
    if not (chapters and lines):
        return chapters
    last = chapters[-1]
    # Inside a closing </section>; after the lead when the book is a title page and its lead.
    body = (*last.body[:-1], *lines, last.body[-1]) if last.body[-1] == "</section>" else (*last.body, *lines)
    return [*chapters[:-1], Chapter(last.uid, last.file_name, last.title, body, last.section)]


def _item(chapter: Chapter, lang: str) -> epub.EpubItem:
    # A plain item, not EpubHtml: EpubHtml re-parses the body with an HTML parser and rebuilds the root.
    content = _xhtml.document(chapter.title, lang, chapter.body, stylesheets=[_xhtml.Stylesheet(STYLESHEET)])
    return epub.EpubItem(uid=chapter.uid, file_name=chapter.file_name, media_type="application/xhtml+xml", content=content)


# -- navigation --------------------------------------------------------------


def _toc_entry(item: NumberedNode, file_name: str, theme: Theme) -> Any:
    """A nav/NCX entry: a Link, or (Link, children) when it has children within the reader's TOC depth
    (every level, unless the theme limits it: ``epub.toc_depth``)."""
    href = file_name if item.level == 1 else f"{file_name}#{_xhtml.anchor(item)}"
    link = epub.Link(href, item.heading_with(theme.label_gap(item.level)), f"nav-{_xhtml.anchor(item)}")
    if item.level >= int((theme.epub or {}).get("toc_depth", 4)) or not item.children:
        return link
    return (link, [_toc_entry(child, file_name, theme) for child in item.children])


def _toc(front: Chapter | None, chapters: list[Chapter], theme: Theme) -> list[Any]:
    toc: list[Any] = [epub.Link(front.file_name, front.title, f"nav-{front.uid}")] if front else []
    toc.extend(_toc_entry(chapter.section, chapter.file_name, theme) for chapter in chapters if chapter.section)
    return toc


# -- the package -------------------------------------------------------------


def identifier(doc: NumberedDocument) -> str:
    """A stable ``urn:uuid`` derived from the title and the text, so a re-build keeps the book's identity."""
    digest = hashlib.sha256("\n".join([*doc.labels(), *(para.text for para in doc.doc.paragraphs())]).encode()).hexdigest()
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'briefexport:{doc.doc.meta.title}:{digest}')}"


def _metadata(book: epub.EpubBook, doc: NumberedDocument) -> None:
    from ... import __version__

    meta = doc.doc.meta
    book.set_identifier(identifier(doc))
    book.set_title(meta.title)
    book.set_language(meta.lang)
    if meta.author:
        book.add_author(meta.author)
    if meta.date:
        book.add_metadata("DC", "date", meta.date.isoformat())
    for keyword in meta.keywords:
        book.add_metadata("DC", "subject", keyword)
    if meta.subtitle:
        book.add_metadata("DC", "description", meta.subtitle)
    if meta.source:
        book.add_metadata("DC", "source", meta.source)
    book.set_unique_metadata("OPF", "generator", "", {"name": "generator", "content": f"briefexport {__version__}"})


def _assemble(doc: NumberedDocument, theme: Theme, fonts: tuple[EmbeddedFont, ...]) -> epub.EpubBook:
    lang = doc.doc.meta.lang
    book = epub.EpubBook()
    _metadata(book, doc)
    # The NCX template gains xml:lang: ebooklib's has none and its text is Chinese.
    book.set_template("ncx", epub.NCX_XML.replace(b'version="2005-1"', f'version="2005-1" xml:lang="{_xhtml.attr(lang)}"'.encode()))
    css = _xhtml.stylesheet(theme, faces=[font.face for font in fonts], families={r: f.face.family for f in fonts for r in f.roles})
    if doc.doc.official is not None:
        css += _official.stylesheet(theme)
    style = book.add_item(epub.EpubItem(uid="style", file_name=STYLESHEET, media_type="text/css", content=css.encode()))
    for font in fonts:
        book.add_item(epub.EpubItem(uid=font.uid, file_name=font.face.href, media_type=font.media_type, content=font.data))
    front = _front_matter(doc, theme)
    signed = _signed([*([front] if front else []), *_chapters(doc, theme)], doc, theme)
    front, chapters = (signed[0], signed[1:]) if front else (None, signed)
    documents = [book.add_item(_item(chapter, lang)) for chapter in ([front] if front else []) + chapters]
    nav = epub.EpubNav(title=theme.toc_title(lang))
    nav.add_item(style)
    book.add_item(nav)
    book.add_item(epub.EpubNcx())
    book.toc = _toc(front, chapters, theme)
    # The nav document doubles as the printed table of contents, after the title page, when the theme wants one.
    opening = documents[:1] if front else []
    book.spine = [*opening, *([nav] if theme.toc.enabled else []), *documents[len(opening):]]
    return book


# -- embedded fonts ------------------------------------------------------------

#: How subsets are shipped: TrueType, which every EPUB reader renders (WOFF2 is EPUB 3.2-only and
#: unknown to older e-ink readers); the briefing's two subsets still deflate to about 150 KB.
#: The media type is explicit (ebooklib would guess it from the system's MIME table) and is an
#: EPUB 3.2 core media type, which EPUBCheck 4.2 accepts without a warning.
FONT_FLAVOR, FONT_MEDIA_TYPE, FONT_FORMAT, FONT_SUFFIX = None, "font/ttf", "truetype", ".ttf"


@dataclass(frozen=True, slots=True)
class EmbeddedFont:
    """A font subset to ship in the book, and the roles that use it first."""

    uid: str
    face: _xhtml.FontFace
    media_type: str
    data: bytes
    roles: tuple[str, ...]


def _role_texts(doc: NumberedDocument, theme: Theme) -> dict[str, str]:
    """The text each role sets, so that each subset holds just the characters it draws."""
    meta = doc.doc.meta
    texts = {role: "" for role, _ in _xhtml.ROLE_SELECTORS}
    texts["title"] = meta.title
    texts["subtitle"] = meta.subtitle or ""
    texts["meta"] = theme.meta_line(meta)
    texts["h1"] = theme.toc_title(meta.lang)  # the nav document's heading wears the h1 style
    texts["toc"] = meta.title
    texts["body"] = "".join(para.text for para in doc.doc.lead)
    for item in doc.walk():
        texts["kicker"] += item.node.kicker or ""
        texts[theme.heading_role(item.level)] += item.heading_with(theme.label_gap(item.level))
        texts["body"] += "".join(para.text for para in item.node.body)
        texts["toc"] += item.heading_with(theme.label_gap(item.level)) if item.level <= theme.toc.depth else ""
    if doc.doc.official is not None:
        texts["body"] += _official.texts(doc.doc.official)
    return texts


def embedded_fonts(doc: NumberedDocument, theme: Theme, opts: RenderOptions) -> tuple[EmbeddedFont, ...]:
    """Subsets of the bundled body face (and the heading face when it differs) to just the characters used.

    Only bundled faces are embedded (their licence allows it); a role whose chain starts with the
    family of an embedded face uses it, the reader synthesizing bold where the weights differ.
    """
    texts = _role_texts(doc, theme)
    role_faces = {role: _bundled_face(opts, theme, role) for role in texts}
    faces = list(dict.fromkeys((role_faces["body"], role_faces["h1"])))
    fonts = []
    for number, face in enumerate(faces, start=1):
        roles = tuple(role for role in texts if role_faces[role].family == face.family)
        chars = "".join(sorted(set("".join(texts[role] for role in roles))))
        css = _xhtml.FontFace(f"{face.family} (embedded)", f"fonts/font-{number}{FONT_SUFFIX}", FONT_FORMAT, face.bold)
        data = opts.fonts.subset_bytes(face, chars, flavor=FONT_FLAVOR)
        fonts.append(EmbeddedFont(f"font-{number}", css, FONT_MEDIA_TYPE, data, roles))
        _warn_lacking(doc, face, opts.fonts.missing(chars, (face,)))
    return tuple(fonts)


def _warn_lacking(doc: NumberedDocument, face: Face, lacking: list[str]) -> None:
    """Name the characters the embedded face cannot draw: readers fall back to their own fonts for them."""
    if not lacking:
        return
    shown = ", ".join(f"{ch} (U+{ord(ch):04X})" for ch in lacking[:10]) + (" …" if len(lacking) > 10 else "")
    warn(doc.doc.path, f"the font embedded in the EPUB ({face.family}) has no glyph for {shown}; readers draw them with their own fonts")


def _bundled_face(opts: RenderOptions, theme: Theme, role: str) -> Face:
    """The first bundled face of a role's chain (chains always end with the bundled serif)."""
    style = theme.style(role)
    return next(face for face in opts.fonts.chain(style.fonts, bold=style.bold) if face.bundled)


# -- the archive -------------------------------------------------------------


def _write(book: epub.EpubBook, opts: RenderOptions) -> bytes:
    buffer = io.BytesIO()
    options = {
        "raise_exceptions": True,
        "mtime": _utc(opts.created),
        "epub2_guide": False,
        "epub3_landmark": False,
        "epub3_pages": False,
        "play_order": {"enabled": True, "start_from": 1},
        # ebooklib's archive is only read back by ``repack``, which deflates every entry itself:
        # level 0 stores the entries (in deflate's stored blocks) instead of compressing them twice.
        "compresslevel": 0,
    }
    try:
        # What epub.write_epub does, with the NCX built in linear time (_ncx); with
        # raise_exceptions, a failure to write raises rather than returning False.
        writer = NcxWriter(buffer, book, options)
        writer.process()
        writer.write()
    except (OSError, ValueError) as exc:
        raise RenderError(f"ebooklib could not write the EPUB: {exc}") from exc
    return buffer.getvalue()
