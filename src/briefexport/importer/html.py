"""Read a briefing from HTML: a page saved from a browser, or the HTML a browser puts on the clipboard.

The parser is lxml's (libxml2's HTML parser, already installed with python-docx):
it takes the tag soup of real pages (unclosed ``<p>``, ``<font>``, GBK forums),
is maintained and fast, and gives a tree to remove junk from *by structure*,
which no text heuristic can match:

- nodes a browser never shows: scripts, styles, ``hidden``, ``display:none``,
  classes a ``<style>`` block hides, Discuz's ``<font class="jammer">``;
- forum chrome: "本帖最后由 … 于 … 编辑", signatures, quote boxes, 发表于 / 楼 markers;
- a news page's navigation, header, footer and side bars: the main content is the
  element whose paragraphs hold the most text.

What remains is walked in reading order: block elements and ``<br>`` end
paragraphs, ``<h1>`` gives the title, ``<h2>``–``<h4>`` the headings, ``<strong>``/``<b>``
the bold phrases; the text importer does the rest (:mod:`.plain`).
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from ._extracted import Extracted, one_line
from .plain import UNTITLED, ImportResult, decode_text, import_extracted
from ..errors import OutlineError, SourcePos

__all__ = ["decode_html", "extract_html", "import_html"]

_BLOCKS = frozenset(
    "address article aside blockquote body dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li "
    "main nav ol p pre section table tbody td th thead tr ul".split()
)
_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5"))
_INVISIBLE_TAGS = ("script", "style", "noscript", "template", "head", "iframe", "object", "svg", "canvas", "select",
                   "button", "input", "textarea", "img", "video", "audio")
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d]*[1-9])|mso-hide\s*:\s*all", re.I
)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.I)
#: Class and id words of page furniture around an article.
_CHROME_WORDS = re.compile(
    r"(?:^|[-_ ])(?:nav|navbar|menu|breadcrumbs?|crumbs?|header|footer|foot|sidebar|side|aside|copyright|share|"
    r"related|recommend|comments?|reply|ads?|banner|toolbar|pager|pagination|login|search|sign|quote|pstatus|"
    r"authi|pob|pct_sign|mbn|tip|attach|rate|modact)(?:$|[-_ \d])",
    re.I,
)
_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "form"})
#: Forum chrome as text: an edit note, a post time, a floor marker.
_CHROME_LINES = (
    re.compile(r"本帖最后由\s*\S.{0,40}?于\s*[\d\-/: ]{8,25}\s*编辑"),
    re.compile(r"^\s*(?:\S{1,20}\s+)?发表于\s*[\d\-/: ]{8,25}(?:\s*\|?\s*只看该作者)?\s*$"),
    re.compile(r"^\s*(?:\d{1,5}\s*(?:楼|#)|沙发|板凳|地板|楼主)\s*$"),
    # A news page's own furniture inside the article: editor's name, print and close buttons.
    re.compile(r"^[（(【\[]?(?:责任编辑|编辑|责编)[：:]\s*\S{1,12}[）)】\]]?$"),
    re.compile(r"^(?:【(?:打印|关闭|收藏|字体|大|中|小|返回顶部)】\s*)+$"),
)
_CLASS_RULE = re.compile(r"((?:\s*[.#][\w-]+\s*,?)+)\{([^}]*)\}")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)


def _mhtml_page(data: bytes) -> tuple[bytes, str | None] | None:
    """The HTML part of a page saved as one file (``.mhtml``, Chrome's "single file"), and its charset."""
    if not re.match(rb"(?:[\w-]+:[^\n]*\r?\n)*MIME-Version:", data[:2048], re.I):
        return None
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload, part.get_content_charset()
    return None


def decode_html(data: bytes, file: str) -> str:
    """Decode a saved page: MHTML's HTML part; a BOM, else the page's ``<meta charset>``, else as a text file."""
    page = _mhtml_page(data)
    if page is not None:
        data, charset = page
        if charset:
            try:
                return data.decode("gb18030" if charset.lower() in ("gb2312", "gbk") else charset)
            except (LookupError, UnicodeDecodeError):
                pass
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            codec = declared.group(1).decode("ascii").lower()
            codec = "gb18030" if codec in ("gb2312", "gbk", "gb18030", "x-gbk") else codec
            try:
                return data.decode(codec)
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong declaration is common; guess as for text
    return decode_text(data, file)


def _hidden_classes(root: HtmlElement) -> tuple[set[str], set[str]]:
    """Class and id names a ``<style>`` block of the page hides (``.jammer{display:none}``)."""
    classes: set[str] = set()
    ids: set[str] = set()
    for style in root.iter("style"):
        for selectors, body in _CLASS_RULE.findall(style.text_content()):
            if _HIDDEN_STYLE.search(body):
                for selector in re.findall(r"([.#])([\w-]+)", selectors):
                    (classes if selector[0] == "." else ids).add(selector[1])
    return classes, ids


def _is_hidden(element: HtmlElement, classes: set[str], ids: set[str]) -> bool:
    names = set((element.get("class") or "").split())
    return (
        element.get("hidden") is not None
        or element.get("aria-hidden") == "true"
        or bool(_HIDDEN_STYLE.search(element.get("style") or ""))
        or "jammer" in names
        or bool(names & classes)
        or element.get("id") in ids
    )


def _drop(element: HtmlElement, removed: list[str]) -> None:
    """Remove an element but keep the text after it (its tail belongs to the parent)."""
    text = " ".join(element.text_content().split()) if isinstance(element.tag, str) else ""
    if text:
        removed.append(text)
    element.drop_tree()


def _remove_invisible(root: HtmlElement, removed: list[str]) -> None:
    classes, ids = _hidden_classes(root)
    for element in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        element.drop_tree()
    for element in list(root.iter(*_INVISIBLE_TAGS)):
        element.drop_tree()  # never shown as text: not counted as junk
    for element in list(root.iter()):
        if isinstance(element.tag, str) and element.getparent() is not None and _is_hidden(element, classes, ids):
            _drop(element, removed)


def _is_chrome(element: HtmlElement) -> bool:
    words = f"{element.get('class') or ''} {element.get('id') or ''} {element.get('role') or ''}"
    return element.tag in _CHROME_TAGS or bool(_CHROME_WORDS.search(words))


def _remove_chrome(root: HtmlElement, removed: list[str]) -> None:
    """Drop page furniture, but never what holds the title or most of the page's text (a ``<div class="side">``
    wrapped round the whole article is a layout choice, not furniture)."""
    total = max(_text_weight(root), 1)
    for element in list(root.iter()):
        if not (isinstance(element.tag, str) and element.getparent() is not None and _is_chrome(element)):
            continue
        if _find(element, "ancestor-or-self::h1 | descendant::h1") or _text_weight(element) > 0.5 * total:
            continue
        _drop(element, removed)


# -- the main content -----------------------------------------------------------

_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff]|[A-Za-z0-9]+")


def _find(element: HtmlElement, path: str) -> list[HtmlElement]:
    """Elements an XPath expression selects (lxml types its result loosely)."""
    found = element.xpath(path)
    return [item for item in found if isinstance(item, HtmlElement)] if isinstance(found, list) else []


def _text_weight(element: HtmlElement) -> int:
    """Characters of running text in an element, not counting link text (menus are all links)."""
    total = len(_CJK_OR_WORD.findall(element.text_content()))
    links = sum(len(_CJK_OR_WORD.findall(link.text_content())) for link in element.iter("a"))
    return total - 2 * links


def _main_content(body: HtmlElement) -> HtmlElement:
    """The first Discuz post, an ``<article>``/``<main>``, or the block whose own paragraphs hold the most text."""
    posts = _find(body, "//*[starts-with(@id, 'postmessage_')] | //*[contains(concat(' ', @class, ' '), ' t_f ')]")
    if posts:
        return posts[0]
    marked = _find(body, "//*[@itemprop='articleBody'] | //article | //main")
    if marked:
        return max(marked, key=_text_weight)
    scores: dict[HtmlElement, int] = {}
    for para in body.iter("p", "br"):
        parent = para.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + max(_text_weight(para), 0) + (1 if parent.text else 0)
    if not scores:
        return body
    best = max(scores, key=lambda element: scores[element])
    # A page of short paragraphs has nothing better than the whole body.
    return best if _text_weight(best) >= 0.3 * max(_text_weight(body), 1) else body


# -- walking the text ---------------------------------------------------------


@dataclass
class _Walk:
    """Paragraphs being collected; mutable only during one walk of one tree."""

    paras: list[str] = field(default_factory=list)
    line: list[str] = field(default_factory=list)
    headings: list[tuple[str, int]] = field(default_factory=list)
    bold: list[str] = field(default_factory=list)
    title: str | None = None

    def text(self, text: str | None) -> None:
        if text:
            self.line.append(text)

    def end_paragraph(self) -> str:
        para = one_line("".join(self.line))
        self.line.clear()
        if para:
            self.paras.append(para)
        return para


def _is_bold(element: HtmlElement) -> bool:
    return element.tag in ("strong", "b") or bool(_BOLD_STYLE.search(element.get("style") or ""))


def _walk(element: HtmlElement, walk: _Walk, *, tail: bool = True, in_heading: bool = False) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "br":
        # A <br> inside a heading only wraps it (a long 标题 broken by hand): still one heading.
        if in_heading:
            walk.text("\n")
        else:
            walk.end_paragraph()
        walk.text(element.tail if tail else None)
        return
    block = tag in _BLOCKS
    if block:
        walk.end_paragraph()
    before = len(walk.paras), len("".join(walk.line))
    walk.text(element.text)
    in_heading = in_heading or tag in _HEADING_TAGS
    for child in element:
        _walk(child, walk, in_heading=in_heading)
    if _is_bold(element) and not block:
        phrase = one_line("".join(walk.line)[before[1]:]) if len(walk.paras) == before[0] else ""
        if phrase:
            walk.bold.append(phrase)
    if block:
        para = walk.end_paragraph()
        _note_heading(tag, para, walk)
    walk.text(element.tail if tail else None)


def _note_heading(tag: str, para: str, walk: _Walk) -> None:
    if not para or tag not in _HEADING_TAGS:
        return
    if tag == "h1" and walk.title is None:
        walk.title = para
    else:
        walk.headings.append((para, int(tag[1])))


def _strip_chrome_lines(paras: list[str], removed: list[str]) -> list[str]:
    kept: list[str] = []
    for para in paras:
        for pattern in _CHROME_LINES:
            found = pattern.search(para)
            if found:
                removed.append(found.group().strip())
                para = (para[: found.start()] + para[found.end() :]).strip()
        if para:
            kept.append(para)
    return kept


def _page_title(root: HtmlElement) -> str | None:
    """The ``<title>`` without the site name after ``_`` ``-`` ``|`` (保存的网页 "标题_新闻_某某网")."""
    found = root.findtext(".//title")
    if not found or not found.strip():
        return None
    return re.split(r"\s*(?:[_|]|\s-\s|—)\s*", found.strip())[0] or None


def _meta_lines(body: HtmlElement, heading: HtmlElement | None, main: HtmlElement) -> list[str]:
    """Short 来源/时间 lines between the page's ``<h1>`` and its main content."""
    if heading is None or heading in main.iter():
        return []
    lines: list[str] = []
    started = False
    for element in body.iter():
        if element is heading:
            started = True
            continue
        if element is main:
            break
        if started and isinstance(element.tag, str) and element.tag in _BLOCKS and not _iter_blocks(element):
            text = one_line(element.text_content())
            if 0 < len(text) <= 80 and re.search(r"来源|作者|发布|时间|日期|\d{4}[-年./]\d{1,2}", text):
                lines.append(text)
    return lines


def _iter_blocks(element: HtmlElement) -> list[HtmlElement]:
    """Block elements inside ``element`` (an innermost block has none)."""
    return [child for child in element.iterdescendants() if isinstance(child.tag, str) and child.tag in _BLOCKS]


def extract_html(text: str) -> Extracted:
    """Paragraphs, title, headings and bold phrases of an HTML page or fragment, junk removed by structure."""
    # lxml refuses text that still declares a byte encoding (XHTML pages start with <?xml … encoding=…?>).
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text.lstrip("\ufeff"))
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return Extracted(())
    removed: list[str] = []
    page_title = _page_title(root)
    _remove_invisible(root, removed)
    body = root.find("body")
    body = root if body is None else body
    headings = _find(body, ".//h1")
    heading = headings[0] if headings else None
    _remove_chrome(body, removed)
    main = _main_content(body)
    walk = _Walk()
    if heading is not None and heading not in main.iter():
        _walk(heading, walk, tail=False)
    meta = _meta_lines(body, heading, main)
    walk.paras += meta
    _walk(main, walk)
    walk.end_paragraph()
    paras = _strip_chrome_lines(walk.paras, removed)
    title = walk.title or (page_title if page_title and page_title not in paras else None)
    return Extracted(tuple(paras), title, None, tuple(walk.headings), tuple(walk.bold), tuple(removed))


def import_html(text: str, *, keep_junk: bool = False, source: str = "pasted HTML", fallback_title: str = UNTITLED) -> ImportResult:
    """Turn HTML (a saved page or the clipboard's ``text/html``) into outline YAML to review."""
    extracted = extract_html(text)
    if not extracted.paragraphs and not extracted.title:
        raise OutlineError(SourcePos(source, 1, 1), "no text to import (the page holds no visible text)")
    return import_extracted(extracted, keep_junk=keep_junk, source=source, fallback_title=fallback_title)
