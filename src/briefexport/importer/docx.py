"""Read a briefing from a Word file (.docx) as the text a person sees in Word.

Paragraphs come in reading order (tables cell by cell); the table of contents,
hidden text (``w:vanish``) and deleted revisions are left out. The labels of
Word's automatic numbering are not in the text: they are computed here from
``numbering.xml`` the way Word counts (per list, restarting lower levels,
``w:startOverride``), in the list's format (``chineseCounting`` 一 二 …,
``decimal``, ``upperRoman`` …) and ``lvlText`` (``%1、``, ``（%2）``, ``%1.%2``), and
put in front of the paragraph as if typed, so the result is what importing the
same text as plain text gives. Heading styles mark headings, Title the title,
bold runs the bold phrases.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from ._extracted import Extracted, join_breaks
from .plain import UNTITLED, ImportResult, import_extracted
from ..errors import OutlineError, SourcePos

__all__ = ["extract_docx", "format_counter", "import_docx"]

_TITLE_STYLES = frozenset(("title", "标题", "subtitle", "副标题"))

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = MappingProxyType({"w": _W})
_HEADING_NAME = re.compile(r"(?i)^(?:heading|标题)\s*([1-9])$")


def _w(name: str) -> str:
    return f"{{{_W}}}{name}"


def _val(element: etree._Element | None, default: str | None = None) -> str | None:
    return default if element is None else element.get(_w("val"), default)


# -- number formats -------------------------------------------------------------

_CN_DIGITS = "〇一二三四五六七八九"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"),
          (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _chinese(value: int) -> str:
    """一 … 十 十一 … 九十九 一百 …, as Word's ``chineseCounting`` writes them."""
    if value < 10:
        return _CN_DIGITS[value]
    if value < 20:
        return "十" + (_CN_DIGITS[value - 10] if value % 10 else "")
    if value < 100:
        return _CN_DIGITS[value // 10] + "十" + (_CN_DIGITS[value % 10] if value % 10 else "")
    hundreds, rest = divmod(value, 100)
    if not rest:
        return _CN_DIGITS[hundreds] + "百"
    return _CN_DIGITS[hundreds] + "百" + ("〇" if rest < 10 else "") + (_chinese(rest) if rest >= 20 or rest < 10 else "一" + _chinese(rest))


def _roman(value: int) -> str:
    out = ""
    for amount, letters in _ROMAN:
        count, value = divmod(value, amount)
        out += letters * count
    return out


def _letters(value: int) -> str:
    # Word repeats the letter: a … z, aa … zz.
    return chr(ord("A") + (value - 1) % 26) * ((value - 1) // 26 + 1)


def format_counter(value: int, fmt: str) -> str:
    """A counter value in one of Word's number formats (``w:numFmt``)."""
    formats: dict[str, Callable[[int], str]] = {
        "decimal": str,
        "decimalZero": lambda v: f"{v:02d}",
        "chineseCounting": _chinese,
        "chineseCountingThousand": _chinese,
        "ideographTraditional": lambda v: "甲乙丙丁戊己庚辛壬癸"[(v - 1) % 10],
        "ideographZodiac": lambda v: "子丑寅卯辰巳午未申酉戌亥"[(v - 1) % 12],
        "ideographDigital": lambda v: "".join(_CN_DIGITS[int(d)] for d in str(v)),
        "decimalFullWidth": lambda v: str(v).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"}),
        "decimalEnclosedCircle": lambda v: chr(0x2460 + v - 1) if 1 <= v <= 20 else str(v),
        "upperRoman": _roman,
        "lowerRoman": lambda v: _roman(v).lower(),
        "upperLetter": _letters,
        "lowerLetter": lambda v: _letters(v).lower(),
        "none": lambda v: "",
    }
    return formats.get(fmt, str)(value)


# -- numbering.xml --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Level:
    start: int
    fmt: str
    text: str
    suffix: str
    legal: bool


@dataclass(frozen=True, slots=True)
class _Numbering:
    """Levels per abstract list, and per list instance its abstract list and start overrides."""

    levels: Mapping[str, Mapping[int, _Level]]
    instances: Mapping[str, tuple[str, Mapping[int, int]]]


def _read_numbering(root: etree._Element | None) -> _Numbering:
    levels: dict[str, dict[int, _Level]] = {}
    instances: dict[str, tuple[str, Mapping[int, int]]] = {}
    if root is None:
        return _Numbering(levels, instances)
    for abstract in root.iterfind("w:abstractNum", _NS):
        found: dict[int, _Level] = {}
        for lvl in abstract.iterfind("w:lvl", _NS):
            found[int(lvl.get(_w("ilvl"), "0"))] = _Level(
                start=int(_val(lvl.find("w:start", _NS), "1") or 1),
                fmt=_val(lvl.find("w:numFmt", _NS), "decimal") or "decimal",
                text=_val(lvl.find("w:lvlText", _NS), "") or "",
                suffix=_val(lvl.find("w:suff", _NS), "tab") or "tab",
                legal=lvl.find("w:isLgl", _NS) is not None,
            )
        levels[abstract.get(_w("abstractNumId"), "")] = found
    for num in root.iterfind("w:num", _NS):
        overrides = {
            int(override.get(_w("ilvl"), "0")): int(_val(override.find("w:startOverride", _NS), "1") or 1)
            for override in num.iterfind("w:lvlOverride", _NS)
            if override.find("w:startOverride", _NS) is not None
        }
        instances[num.get(_w("numId"), "")] = (_val(num.find("w:abstractNumId", _NS), "") or "", overrides)
    return _Numbering(levels, instances)


@dataclass
class _Counters:
    """Word's counters while reading one document, per abstract list (mutable only during one read)."""

    numbering: _Numbering
    values: dict[str, dict[int, int]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)

    def label(self, num_id: str, ilvl: int) -> str:
        abstract, overrides = self.numbering.instances.get(num_id, ("", {}))
        levels = self.numbering.levels.get(abstract, {})
        if ilvl not in levels:
            return ""
        counts = self.values.setdefault(abstract, {})
        if num_id not in self.started:
            # The first paragraph of a list instance applies its start overrides (a list restarts).
            self.started.add(num_id)
            for level, start in overrides.items():
                counts[level] = start - 1
                for deeper in [key for key in counts if key > level]:
                    del counts[deeper]
        counts[ilvl] = counts.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [key for key in counts if key > ilvl]:
            del counts[deeper]
        return self._render(levels, counts, ilvl)

    @staticmethod
    def _render(levels: Mapping[int, _Level], counts: Mapping[int, int], ilvl: int) -> str:
        level = levels[ilvl]
        if level.fmt == "bullet":
            return ""

        def value(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            shown = levels.get(index, level)
            count = counts.get(index, shown.start)
            return format_counter(count, "decimal" if level.legal and index < ilvl else shown.fmt)

        text = re.sub(r"%([1-9])", value, level.text)
        return text + (" " if level.suffix != "nothing" and text and text[-1].isascii() else "")


# -- paragraphs -------------------------------------------------------------------


@dataclass
class _Reader:
    """State of one pass over ``document.xml`` (mutable only during one read)."""

    styles: Mapping[str, etree._Element]
    counters: _Counters
    paras: list[str] = field(default_factory=list)
    headings: list[tuple[str, int]] = field(default_factory=list)
    bold: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    title: str | None = None
    subtitle: str | None = None

    def style_chain(self, style_id: str | None) -> Iterator[etree._Element]:
        seen: set[str] = set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            style = self.styles[style_id]
            yield style
            style_id = _val(style.find("w:basedOn", _NS))

    def numbering_of(self, para: etree._Element, style_id: str | None) -> tuple[str, int] | None:
        sources = [para.find("w:pPr", _NS), *(style.find("w:pPr", _NS) for style in self.style_chain(style_id))]
        num_id, ilvl = None, None
        for ppr in sources:
            num_pr = None if ppr is None else ppr.find("w:numPr", _NS)
            if num_pr is None:
                continue
            num_id = num_id or _val(num_pr.find("w:numId", _NS))
            ilvl = ilvl if ilvl is not None else _val(num_pr.find("w:ilvl", _NS))
        return (num_id, int(ilvl or 0)) if num_id and num_id != "0" else None

    def heading_level(self, para: etree._Element, style_id: str | None) -> int | None:
        for style in self.style_chain(style_id):
            name = _val(style.find("w:name", _NS), "") or ""
            matched = _HEADING_NAME.match(name)
            if matched:
                return int(matched.group(1))
        return None

    def style_name(self, style_id: str | None) -> str:
        style = self.styles.get(style_id or "")
        return (_val(style.find("w:name", _NS), "") or "").lower() if style is not None else ""

    def paragraph(self, para: etree._Element) -> None:
        style_id = _val(para.find("w:pPr/w:pStyle", _NS))
        name = self.style_name(style_id)
        if name.startswith("toc") or name in ("table of contents", "目录"):
            return
        text, bold = self.runs(para)
        numbered = self.numbering_of(para, style_id)
        label = self.counters.label(*numbered) if numbered and text.strip() else ""
        level = self.heading_level(para, style_id)
        if level or name in _TITLE_STYLES:
            # Shift+Enter in a heading only wraps it: the heading stays one paragraph.
            text = join_breaks(text)
        for line in (label + text).split("\n"):
            if line.strip():
                self.paras.append(line)
        self.bold += bold
        whole = (label + text).strip()
        if name in ("title", "标题") and self.title is None and whole:
            self.title = whole
        elif name in ("subtitle", "副标题") and self.subtitle is None and whole:
            self.subtitle = whole
        elif level and whole:
            self.headings.append((whole, level))

    def runs(self, para: etree._Element) -> tuple[str, list[str]]:
        pieces: list[str] = []
        bold: list[str] = []
        joined = False  # Word splits one bold phrase over runs at every edit: join them again
        for run in para.iter(_w("r")):
            # Runs of a text box anchored here (and its fallback copy) are not this paragraph's text.
            if run.xpath("ancestor::w:p[1]", namespaces=dict(_NS)) != [para]:
                continue
            if run.xpath("ancestor::w:del | ancestor::w:moveFrom | ancestor::w:fldSimple[contains(@w:instr, 'TOC')]", namespaces=dict(_NS)):
                continue
            text = _run_text(run)
            rpr = run.find("w:rPr", _NS)
            if _flag(rpr, "vanish") or _flag(rpr, "specVanish"):
                if text.strip():
                    self.removed.append(text.strip())
                continue
            pieces.append(text)
            if not text:
                continue
            if _flag(rpr, "b") and joined:
                bold[-1] += text
            elif _flag(rpr, "b"):
                bold.append(text)
            joined = _flag(rpr, "b")
        return "".join(pieces), [phrase for phrase in bold if phrase.strip()]


def _flag(rpr: etree._Element | None, name: str) -> bool:
    """A toggle property such as ``w:b``: present and not switched off."""
    if rpr is None:
        return False
    element = rpr.find(f"w:{name}", _NS)
    return element is not None and _val(element, "true") not in ("0", "false", "off")


def _run_text(run: etree._Element) -> str:
    out: list[str] = []
    for child in run:
        if child.tag == _w("t"):
            out.append(child.text or "")
        elif child.tag == _w("tab"):
            out.append("\t")
        elif child.tag in (_w("br"), _w("cr")) and child.get(_w("type")) in (None, "textWrapping"):
            out.append("\n")
        elif child.tag == _w("noBreakHyphen"):
            out.append("-")
    return "".join(out)


def _blocks(body: etree._Element) -> Iterator[etree._Element]:
    """Paragraphs in reading order; tables cell by cell; content controls opened, except a table of contents."""
    for child in body:
        if child.tag == _w("p"):
            yield child
        elif child.tag == _w("tbl"):
            for cell in child.iterfind(".//w:tc", _NS):
                yield from _blocks(cell)
        elif child.tag == _w("sdt"):
            gallery = child.find("w:sdtPr/w:docPartObj/w:docPartGallery", _NS)
            if _val(gallery, "") == "Table of Contents":
                continue
            content = child.find("w:sdtContent", _NS)
            if content is not None:
                yield from _blocks(content)


#: Largest XML part unpacked: a long briefing's document.xml is a few megabytes.
MAX_PART = 64 * 2**20


def _part(archive: zipfile.ZipFile, name: str) -> etree._Element | None:
    try:
        if archive.getinfo(name).file_size > MAX_PART:
            raise OSError(f"{name} unpacks to more than {MAX_PART // 2**20} MiB")
        data = archive.read(name)
    except KeyError:
        return None
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))


def extract_docx(data: bytes, file: str = "document.docx") -> Extracted:
    """Paragraphs (with Word's numbering labels), title, headings and bold phrases of a Word file."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            document = _part(archive, "word/document.xml")
            styles = _part(archive, "word/styles.xml")
            numbering = _part(archive, "word/numbering.xml")
    except (zipfile.BadZipFile, etree.XMLSyntaxError, OSError) as exc:
        raise OutlineError(SourcePos(file, 1, 1), f"cannot read the Word file ({exc}); save it again as .docx") from None
    body = None if document is None else document.find("w:body", _NS)
    if body is None:
        raise OutlineError(SourcePos(file, 1, 1), "not a Word document (no word/document.xml); save it as .docx")
    style_map = {} if styles is None else {s.get(_w("styleId"), ""): s for s in styles.iterfind("w:style", _NS)}
    reader = _Reader(style_map, _Counters(_read_numbering(numbering)))
    for para in _blocks(body):
        reader.paragraph(para)
    return Extracted(tuple(reader.paras), reader.title, reader.subtitle, tuple(reader.headings), tuple(reader.bold), tuple(reader.removed))


def import_docx(path: str | Path, data: bytes | None = None, *, keep_junk: bool = False) -> ImportResult:
    """Turn a Word file into outline YAML to review."""
    file_path = Path(path)
    extracted = extract_docx(file_path.read_bytes() if data is None else data, str(path))
    return import_extracted(extracted, keep_junk=keep_junk, source=str(path), fallback_title=file_path.stem or UNTITLED)
