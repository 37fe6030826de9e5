"""Read text back out of the files a user gets, independently of the renderers' code."""

from __future__ import annotations

import re
import subprocess
import zipfile
from collections import defaultdict
from pathlib import Path

from lxml import etree

from briefexport.numbering import NumberedDocument
from briefexport.theme.loader import Theme, load_theme

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
XHTML = "http://www.w3.org/1999/xhtml"

_CN_DIGITS = "零一二三四五六七八九"


def _word_chinese_counting(n: int) -> str:
    """Word's chineseCounting / chineseCountingThousand for 1–9999, written out independently of numbering.py.

    十 … 十九 without a leading 一; a zero inside the number reads 零 once (一千零一, 一千零一十, 一百零一).
    """
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            out += ("零" if zero else "") + ("" if (digit == 1 and unit == "十" and not out) else _CN_DIGITS[digit]) + unit
            zero = False
        elif out:
            zero = True
    return out


def _word_roman(n: int) -> str:
    table = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
             (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in table:
        while n >= value:
            out, n = out + letters, n - value
    return out


_FORMATTERS = {"decimal": str, "chineseCounting": _word_chinese_counting, "chineseCountingThousand": _word_chinese_counting, "upperRoman": _word_roman}
_SUFFIXES = {"nothing": "", "space": " ", "tab": "\t"}


def _attr(element: etree._Element | None, name: str = "val") -> str | None:
    return None if element is None else element.get(f"{{{W}}}{name}")


class _WordNumbering:
    """Just enough of Word's list numbering to print the labels Word would show.

    Counters belong to the abstract list, shared by every ``w:num`` of it without a
    ``w:startOverride`` (ECMA-376 §17.9.27); a ``w:num`` with one counts on its own. A level
    restarts when a higher level of the same counter is used.
    """

    def __init__(self, docx: zipfile.ZipFile) -> None:
        names = docx.namelist()
        root = etree.fromstring(docx.read("word/numbering.xml")) if "word/numbering.xml" in names else None
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.suffixes: dict[tuple[str, int], str] = {}
        self.num_to_abstract: dict[str, str] = {}
        self.start_overrides: dict[tuple[str, int], int] = {}
        self.counters: dict[str, dict[int, int]] = defaultdict(dict)
        self.style_numpr: dict[str, tuple[str, int]] = {}
        if root is None:
            return
        for abstract in root.findall("w:abstractNum", NS):
            levels = {}
            for lvl in abstract.findall("w:lvl", NS):
                start = int(_attr(lvl.find("w:start", NS)) or 1)
                levels[int(_attr(lvl, "ilvl") or 0)] = (_attr(lvl.find("w:numFmt", NS)) or "decimal", _attr(lvl.find("w:lvlText", NS)) or "", start)
                self.suffixes[(_attr(abstract, "abstractNumId") or "", int(_attr(lvl, "ilvl") or 0))] = _SUFFIXES[_attr(lvl.find("w:suff", NS)) or "tab"]
            self.levels[_attr(abstract, "abstractNumId") or ""] = levels
        for num in root.findall("w:num", NS):
            num_id = _attr(num, "numId") or ""
            self.num_to_abstract[num_id] = _attr(num.find("w:abstractNumId", NS)) or ""
            for override in num.findall("w:lvlOverride", NS):
                start = override.find("w:startOverride", NS)
                if start is not None:
                    self.start_overrides[(num_id, int(_attr(override, "ilvl") or 0))] = int(_attr(start) or 1)
        styles = etree.fromstring(docx.read("word/styles.xml"))
        for style in styles.findall("w:style", NS):
            numpr = style.find("w:pPr/w:numPr", NS)
            if numpr is not None:
                num_id = _attr(numpr.find("w:numId", NS)) or "0"
                self.style_numpr[_attr(style, "styleId") or ""] = (num_id, int(_attr(numpr.find("w:ilvl", NS)) or 0))

    def label(self, paragraph: etree._Element) -> str:
        numpr = paragraph.find("w:pPr/w:numPr", NS)
        style_id = _attr(paragraph.find("w:pPr/w:pStyle", NS)) or ""
        num_id, ilvl = self.style_numpr.get(style_id, ("0", 0))
        if numpr is not None:
            num_id = _attr(numpr.find("w:numId", NS)) or num_id
            ilvl_el = numpr.find("w:ilvl", NS)
            ilvl = int(_attr(ilvl_el) or 0) if ilvl_el is not None else ilvl
        if num_id == "0" or num_id not in self.num_to_abstract:
            return ""
        levels = self.levels[self.num_to_abstract[num_id]]
        own = any(key[0] == num_id for key in self.start_overrides)
        counters = self.counters[num_id if own else "abstract " + self.num_to_abstract[num_id]]
        start = self.start_overrides.get((num_id, ilvl), levels[ilvl][2])
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [level for level in counters if level > ilvl]:
            del counters[deeper]
        fmt, text, _ = levels[ilvl]
        if fmt not in _FORMATTERS:
            return text
        label = re.sub(r"%(\d)", lambda m: _FORMATTERS[levels[int(m.group(1)) - 1][0]](counters.get(int(m.group(1)) - 1, 1)), text)
        return label + self.suffixes[(self.num_to_abstract[num_id], ilvl)]


def docx_paragraphs(path: Path) -> list[str]:
    """Body paragraphs of a DOCX in order, each with the number label Word would show."""
    with zipfile.ZipFile(path) as docx:
        numbering = _WordNumbering(docx)
        body = etree.fromstring(docx.read("word/document.xml")).find("w:body", NS)
    assert body is not None
    out = []
    for paragraph in body.iter(f"{{{W}}}p"):
        text = "".join(node.text or "" for node in paragraph.iter(f"{{{W}}}t", f"{{{W}}}tab"))
        out.append(numbering.label(paragraph) + text)
    return out


def docx_headings(path: Path) -> list[tuple[str, str]]:
    """(label Word shows with its separator, text) of every paragraph with an outline level, in order."""
    with zipfile.ZipFile(path) as docx:
        numbering = _WordNumbering(docx)
        styles = etree.fromstring(docx.read("word/styles.xml"))
        body = etree.fromstring(docx.read("word/document.xml")).find("w:body", NS)
    assert body is not None
    outline = outline_styles(styles)
    out = []
    for paragraph in body.findall("w:p", NS):
        if (_attr(paragraph.find("w:pPr/w:pStyle", NS)) or "") in outline:
            text = "".join(node.text or "" for node in paragraph.iter(f"{{{W}}}t"))
            out.append((numbering.label(paragraph), text))
    return out


def outline_styles(styles: etree._Element) -> dict[str, int]:
    """Paragraph style id → outline level (0 = level 1) for every style the TOC and navigation pane list."""
    found = {_attr(s, "styleId") or "": _outline_level(styles, s) for s in styles.findall("w:style", NS)}
    return {style_id: level for style_id, level in found.items() if level is not None and level < 9}


def _outline_level(styles: etree._Element, style: etree._Element) -> int | None:
    """A style's outline level, inherited through w:basedOn."""
    for _ in range(10):
        found = style.find("w:pPr/w:outlineLvl", NS)
        if found is not None:
            return int(_attr(found) or 9)
        based = _attr(style.find("w:basedOn", NS))
        parent = styles.find(f"w:style[@w:styleId='{based}']", NS) if based else None
        if parent is None:
            return None
        style = parent
    return None


def epub_blocks(path: Path) -> list[str]:
    """Text of each block element (h1–h6, p, li) of an EPUB's spine documents, in reading order."""
    with zipfile.ZipFile(path) as epub:
        container = etree.fromstring(epub.read("META-INF/container.xml"))
        opf_path = container.find(".//{*}rootfile").get("full-path")  # type: ignore[union-attr]
        opf = etree.fromstring(epub.read(opf_path))
        base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
        manifest = {item.get("id"): item.get("href") for item in opf.iter("{*}item")}
        blocks: list[str] = []
        for ref in opf.iter("{*}itemref"):
            doc = etree.fromstring(epub.read(base + manifest[ref.get("idref")]))
            for element in doc.iter(*(f"{{{XHTML}}}{tag}" for tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p"))):
                blocks.append("".join(element.itertext()))
    return blocks


PAGE_NUMBER_LINE = re.compile(r"^\s*—\s*\d+\s*—\s*$", re.MULTILINE)  # the presets' "— {page} —"


def pdf_text(path: Path) -> str:
    """The PDF's text in drawing order, as pdftotext gives it, page-number lines dropped.

    ``-raw`` because pdftotext's layout mode joins a line ending in "-" with the next and drops the hyphen.
    """
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return PAGE_NUMBER_LINE.sub("", text)


_FULL_WIDTH = str.maketrans({",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"})


_CJK = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef“”‘’…—·\U00020000-\U0003ffff"
# Layout may add whitespace next to Chinese (line breaks, the Chinese–Latin gap) and after a
# hyphen or slash (a line may break there); elsewhere a run of whitespace stands for one space.
_LAYOUT_SPACE = re.compile(rf" (?=[{_CJK}])|(?<=[{_CJK}]) |(?<=[-/]) ")


def squash(text: str) -> str:
    """Text compared across formats: whitespace that layout may add removed, word spaces kept as one."""
    collapsed = re.sub(r"\s+", " ", text.translate(_FULL_WIDTH))
    return _LAYOUT_SPACE.sub("", collapsed).strip()


def in_order(needles: list[str], haystack: str) -> list[str]:
    """The needles that are missing from haystack when looked for one after another (empty = all found)."""
    missing, cursor = [], 0
    for needle in needles:
        found = haystack.find(needle, cursor)
        if found < 0:
            missing.append(needle)
        else:
            cursor = found + len(needle)
    return missing


def expected_blocks(doc: NumberedDocument, theme: Theme | None = None) -> list[str]:
    """Lead, then each heading as label + the theme's separator + title followed by its paragraphs, squashed, in reading order."""
    theme = theme or load_theme("handout")
    items = [p.text for p in doc.doc.lead]
    for item in doc.walk():
        items.append(item.heading_with(theme.label_gap(item.level)))
        items.extend(p.text for p in item.node.body)
    return [squash(entry) for entry in items]
