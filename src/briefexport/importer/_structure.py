"""Find a briefing's structure in clean text: title, lead, sections with kickers, enumerated items.

The text is never rewritten: structure is found by cutting it at markers
(``关键点 ``, ``一是``, ``重点任务一：``, ``第一，``, ``一、``, ``（一）``, ``1.``) and
splitting each item's heading from its body at the end of its first clause or
sentence. Only the cut punctuation (the ``，`` or ``。`` after a heading, a title's
``：``) and the markers themselves, which come back as numbering labels, leave
the text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from ._junk import is_cjk_context
from ..model import MAX_LEVEL

__all__ = ["Entry", "HeaderInfo", "Outline", "parse_outline", "read_header", "split_heading"]

#: Longest heading taken as a whole line or sentence; longer ones are cut at the first clause.
MAX_HEADING = 40
#: Words commonly used as a section marker, preferred on a tie; any repeated short word is found.
KNOWN_KICKERS = ("关键点", "要点", "重点", "划重点", "关键词", "看点", "亮点", "焦点", "提示")

_CN = "[一二三四五六七八九十]{1,3}"
_HAN = "\u4e00-\u9fff"


@dataclass(frozen=True, slots=True)
class Entry:
    """A section or item: heading, optional kicker, body paragraphs, and numbered children."""

    title: str
    kicker: str | None = None
    body: tuple[str, ...] = ()
    numbering: str | None = None
    """Template labelling the items (``{cn}是``), or None when there are none."""
    items: tuple[Entry, ...] = ()


@dataclass(frozen=True, slots=True)
class Outline:
    """What the importer found: metadata, lead paragraphs and sections."""

    header: HeaderInfo
    lead: tuple[str, ...]
    sections: tuple[Entry, ...]
    section_numbering: str | None
    """Template of the top level, ``none`` for unnumbered sections, None for the default ``{cn}、``."""
    section_source: str
    """How sections were found: ``kicker``, ``numbered``, ``headings`` or ``none``."""


@dataclass(frozen=True, slots=True)
class _Style:
    """One family of enumeration markers and how an item's heading ends after it."""

    pattern: re.Pattern[str]
    mode: str
    """``clause`` (heading ends at the first ，。；：) or ``sentence`` (at the first 。！？：)."""
    rank: int
    """How far out this family usually sits: 0 = 第一部分 … 5 = （1）."""


def _style(mode: str, rank: int, boundary: str, body: str) -> _Style:
    # A marker starts the text, a line, or follows one of the boundary characters.
    return _Style(re.compile(rf"(?<![^{boundary}]){body}"), mode, rank)


_STYLES = (
    _style("sentence", 0, "\n", rf"(?P<pre>第)(?P<num>{_CN})(?P<suf>部分|章|节)"),
    _style("sentence", 1, "。；！？\n ", rf"(?P<num>{_CN})(?P<suf>、)"),
    _style("sentence", 2, "。；：！？\n ", rf"(?P<pre>[（(])(?P<num>{_CN})(?P<suf>[）)])"),
    _style("clause", 3, "。；：，！？\n ", rf"(?P<num>{_CN})(?P<suf>是|要)"),
    _style("clause", 3, "。；：！？\n ", rf"(?P<pre>第|其)(?P<num>{_CN})(?P<suf>[，、：.．])"),
    _style("sentence", 3, "。；！？\n ", rf"(?P<pre>[{_HAN}]{{2,6}}?)(?P<num>{_CN})(?P<suf>[：、])"),
    _style("sentence", 4, "。；：！？\n ", r"(?P<num>\d{1,2})(?P<suf>[.．、])(?!\d)"),
    _style("sentence", 5, "。；：！？\n ", r"(?P<pre>[（(])(?P<num>\d{1,2})(?P<suf>[）)])"),
)


@dataclass(frozen=True, slots=True)
class _Marker:
    start: int
    end: int
    ordinal: int
    template: str
    style: _Style
    line_start: bool


def cn_value(numeral: str) -> int:
    """The value of a Chinese numeral from 一 to 九十九; 0 when it is not one (十十, 一二)."""
    digits = "一二三四五六七八九"
    tens, ten, ones = numeral.partition("十")
    if not ten:
        return digits.index(numeral) + 1 if len(numeral) == 1 else 0
    if len(tens) > 1 or len(ones) > 1 or tens == "十" or ones == "十":
        return 0
    return (digits.index(tens) + 1 if tens else 1) * 10 + (digits.index(ones) + 1 if ones else 0)


def _markers(text: str) -> list[_Marker]:
    found: list[_Marker] = []
    for style in _STYLES:
        for match in style.pattern.finditer(text):
            num = match.group("num")
            ordinal = int(num) if num.isdigit() else cn_value(num)
            if ordinal <= 0:
                continue
            counter = "{n}" if num.isdigit() else "{cn}"
            template = f"{match.groupdict().get('pre') or ''}{counter}{match.group('suf')}"
            line_start = match.start() == 0 or text[match.start() - 1] == "\n"
            found.append(_Marker(match.start(), match.end(), ordinal, template, style, line_start))
    return found


def _runs(markers: list[_Marker]) -> list[list[_Marker]]:
    """Per template, the markers numbered 1, 2, 3 … in order, if the count never restarts."""
    by_template: dict[str, list[_Marker]] = {}
    for marker in sorted(markers, key=lambda m: m.start):
        by_template.setdefault(marker.template, []).append(marker)
    runs: list[list[_Marker]] = []
    for group in by_template.values():
        run: list[_Marker] = []
        for marker in group:
            if marker.ordinal == len(run) + 1:
                run.append(marker)
            elif marker.ordinal == 1:
                run = []  # counting restarts: an inner list, repeated under each outer item
                break
        if len(run) >= 2:
            runs.append(run)
    return runs


def _outer_run(text: str) -> list[_Marker] | None:
    """The enumeration that organises ``text`` at this level, or None."""
    runs = _runs(_markers(text))

    def in_intro_of_outer(run: list[_Marker]) -> bool:
        # An inline list wholly before a list of line headings of an outer rank is part of its intro.
        return any(
            other[0].start > run[-1].start and all(m.line_start for m in other) and other[0].style.rank < run[0].style.rank
            for other in runs
        )

    kept = [run for run in runs if not in_intro_of_outer(run)] or runs
    return min(kept, key=lambda run: (run[0].start, -len(run))) if kept else None


def _first_of(text: str, enders: str) -> int | None:
    """Index of the first ender outside quotes and brackets; a space between Chinese characters counts."""
    depth = 0
    for index, char in enumerate(text):
        if char in "“《（(「『【":
            depth += 1
        elif char in "”》）)」』】":
            depth = max(0, depth - 1)
        elif depth == 0 and char in enders:
            return index
        elif depth == 0 and char == " " and is_cjk_context(text[index - 1 : index]) and is_cjk_context(text[index + 1 : index + 2]):
            return index
    return None


_QUOTED_TERM = re.compile(r"[一二三四五六七八九十两几多]{1,3}(?:个|项|大|种|条|点|句|组|方面)?“[^“”]{1,20}”")


def split_heading(text: str, mode: str) -> tuple[str, str]:
    """Split an item's text into its heading and the rest, at the end of the first clause or sentence."""
    text = text.lstrip(" ")
    term = _QUOTED_TERM.match(text)
    if term:
        return term.group(), text[term.end() :].lstrip(" ，：；。、")
    line, newline, more = text.partition("\n")
    end = _first_of(line, "，。；：！？" if mode == "clause" else "。！？：；")
    if mode != "clause" and end is None and len(line) > MAX_HEADING:
        end = _first_of(line, "，。；：！？")
    elif mode != "clause" and end is not None and end > MAX_HEADING:
        end = _first_of(line, "，。；：！？")
    if end is None:
        return line, more.lstrip(" ") if newline else ""
    title = line[: end + 1] if line[end] in "！？" else line[:end]
    rest = line[end + 1 :].lstrip(" ") + newline + more
    if not title.strip():
        return split_heading(rest, mode) if rest.strip() else (line, "")
    return title.rstrip(" "), rest.strip("\n ")


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.split("\n") if line.strip())


def _parse_block(paras: tuple[str, ...], level: int) -> tuple[tuple[str, ...], str | None, tuple[Entry, ...]]:
    """Split paragraphs at the outer enumeration: (body before it, its template, its items)."""
    if level > MAX_LEVEL or not paras:
        return paras, None, ()
    text = "\n".join(paras)
    run = _outer_run(text)
    if run is None:
        return paras, None, ()
    items: list[Entry] = []
    for index, marker in enumerate(run):
        stop = run[index + 1].start if index + 1 < len(run) else len(text)
        title, rest = split_heading(text[marker.end : stop], marker.style.mode)
        body, numbering, children = _parse_block(_paragraphs(rest), level + 1)
        items.append(Entry(title=title, body=body, numbering=numbering, items=children))
    return _paragraphs(text[: run[0].start]), run[0].template, tuple(items)


# -- the header: title, subtitle, source, author, date -------------------------


@dataclass(frozen=True, slots=True)
class HeaderInfo:
    """Metadata read from the first lines."""

    title: str | None = None
    subtitle: str | None = None
    author: str | None = None
    source: str | None = None
    date: str | None = None
    """ISO date (YYYY-MM-DD)."""


_TITLE_SPLIT = re.compile(r"[？！?!]|[：:]|——|—|--")
_DATE = re.compile(r"(?P<y>(?:19|20)\d\d) ?[-年./] ?(?P<m>\d{1,2}) ?[-月./] ?(?P<d>\d{1,2})")
_META_FIELD = re.compile(r"(?P<key>来源|作者|发布时间|发布日期|日期|时间)[：:]\s*")
_META_PART = r"(?:(?:来源|作者)[：:] ?[^ ]+|(?:(?:发布时间|发布日期|日期|时间)[：:] ?)?(?:19|20)\d\d ?[-年./] ?\d{1,2} ?[-月./] ?\d{1,2}日?(?: \d{1,2}:\d\d(?::\d\d)?)?)"
_META_LINE = re.compile(rf"{_META_PART}(?: {_META_PART})*")
_LABEL_START = re.compile(rf"(?:{_CN}[、是]|[（(](?:{_CN}|\d{{1,2}})[）)]|\d{{1,2}}[.．、](?!\d)|第{_CN}[，、：部章节])")


def _split_title(line: str) -> tuple[str, str | None]:
    """Title and subtitle from one line, split at the first ？ ！ ： or dash that has text after it."""
    mark = _TITLE_SPLIT.search(line)
    if not mark or not line[mark.end() :].strip("—-：: "):
        return line, None
    kept = mark.group() if mark.group() in "？！?!" else ""
    return line[: mark.start()] + kept, line[mark.end() :].strip("—-：: ")


def _meta(line: str, found: dict[str, str]) -> bool:
    """Read a line such as ``来源：公安部网站 2024-01-15``; False if it is not such a line."""
    if not _META_LINE.fullmatch(line):
        return False
    date = _DATE.search(line)
    if date:
        found["date"] = f"{int(date['y']):04d}-{int(date['m']):02d}-{int(date['d']):02d}"
    for field in _META_FIELD.finditer(line):
        value = line[field.end() :].split(" ")[0]
        if field["key"] in ("来源", "作者") and value:
            found["source" if field["key"] == "来源" else "author"] = value
    return True


def read_header(lines: list[str]) -> tuple[HeaderInfo, list[str]]:
    """Take the title line, a ——subtitle line and 来源/作者/date lines off the top; return the rest."""
    rest = list(lines)
    while rest and not rest[0].strip():
        rest.pop(0)
    if not rest:
        return HeaderInfo(), []
    first = rest.pop(0)
    if len(first) > 60 or "。" in first:
        # A whole page pasted as one line: the title is what comes before the first space.
        head, space, tail = first.partition(" ")
        if not space or len(head) > 60 or "。" in head:
            return HeaderInfo(), [first, *rest]
        first = head
        rest.insert(0, tail)
    if _LABEL_START.match(first):
        return HeaderInfo(), [first, *rest]  # the text starts with its first numbered heading
    title, subtitle = _split_title(first)
    found: dict[str, str] = {}
    while rest:
        if subtitle is None and rest[0].startswith(("—", "--")):
            subtitle = rest[0].strip("—- ")
        elif rest[0].strip() and not _meta(rest[0], found):
            break
        rest.pop(0)
    return HeaderInfo(title, subtitle or None, found.get("author"), found.get("source"), found.get("date")), rest


# -- the top level ------------------------------------------------------------

_PARA_BREAK = re.compile(r"([。！？…][”’」』]?) +(?=\S)")


def _split_paragraphs(lines: list[str]) -> list[str]:
    """Lines, further split where a pasted page joined paragraphs with a space after a sentence."""
    paras: list[str] = []
    for line in lines:
        paras.extend(part for part in _PARA_BREAK.sub("\\1\n", line).split("\n") if part.strip())
    return paras


_KICKER_START = re.compile(rf"【(?P<bracket>[{_HAN}]{{1,6}})】 ?|(?P<word>[{_HAN}]{{1,5}})(?: +(?=\S)|$)")
_KICKER_INLINE = re.compile(rf"(?<=[。！？])(?P<word>[{_HAN}]{{1,5}}) +(?=\S)")


def _find_kicker(paras: list[str]) -> str | None:
    """A short word repeated in front of headings (关键点, 要点 …), or None."""
    counts: Counter[str] = Counter()
    for para in paras:
        match = _KICKER_START.match(para)
        if match:
            counts[match.group("bracket") or match.group("word")] += 1
        counts.update(m.group("word") for m in _KICKER_INLINE.finditer(para))
    repeated = [word for word, count in counts.items() if count >= 2]
    # The most frequent wins; on a tie a familiar marker word, then the first seen.
    return max(repeated, key=lambda word: (counts[word], word in KNOWN_KICKERS), default=None)


def _kicker_sections(paras: list[str], kicker: str) -> tuple[tuple[str, ...], tuple[Entry, ...]]:
    escaped = re.escape(kicker)
    starts = re.compile(rf"^(?:【{escaped}】 ?|{escaped}(?: +|$))")
    inline = re.compile(rf"(?<=[。！？])(?={escaped} +\S)")
    pieces = [part for para in paras for part in inline.sub("\n", para).split("\n")]
    lead: list[str] = []
    chunks: list[list[str]] = []
    for piece in pieces:
        match = starts.match(piece)
        if match:
            chunks.append([piece[match.end() :]])
        elif chunks:
            chunks[-1].append(piece)
        else:
            lead.append(piece)
    sections: list[Entry] = []
    for chunk in chunks:
        # "关键点 六个“必须坚持”" or the marker alone on its line, the heading on the next.
        title, rest = split_heading("\n".join(chunk).lstrip("\n"), "sentence")
        body, numbering, items = _parse_block(_paragraphs(rest), 2)
        sections.append(Entry(title=title or kicker, kicker=kicker, body=body, numbering=numbering, items=items))
    return tuple(lead), tuple(sections)


_SECTION_LABEL = re.compile(rf"(?P<num>{_CN})、 ?")


def _labelled_titles(sections: tuple[Entry, ...]) -> tuple[Entry, ...] | None:
    """Sections whose titles carry 一、 二、 三、 in order (``关键点`` / ``一、六个…``): the labels come off."""
    labels = [_SECTION_LABEL.match(section.title) for section in sections]
    if not labels or not all(labels) or [cn_value(m.group("num")) for m in labels if m] != list(range(1, len(labels) + 1)):
        return None
    return tuple(replace(section, title=section.title[m.end() :]) for section, m in zip(sections, labels) if m)


def _looks_like_heading(para: str) -> bool:
    return (
        len(para) <= 30
        and "。" not in para
        and para[-1] not in "；，、：;,:…"
        and any("\u4e00" <= char <= "\u9fff" for char in para)
    )


def _heading_sections(paras: list[str]) -> tuple[tuple[str, ...], tuple[Entry, ...]] | None:
    """Sections under unnumbered heading lines: short lines without end punctuation, each followed by text."""
    heads = [i for i in range(len(paras) - 1) if _looks_like_heading(paras[i]) and not _looks_like_heading(paras[i + 1])]
    if len(heads) < 2:
        return None
    sections: list[Entry] = []
    for index, head in enumerate(heads):
        stop = heads[index + 1] if index + 1 < len(heads) else len(paras)
        body, numbering, items = _parse_block(tuple(paras[head + 1 : stop]), 2)
        sections.append(Entry(title=paras[head], body=body, numbering=numbering, items=items))
    return tuple(paras[: heads[0]]), tuple(sections)


def _marked_headings(
    paras: tuple[str, ...], headings: Mapping[str, int], level: int
) -> tuple[tuple[str, ...], str, tuple[Entry, ...]] | None:
    """Entries under the paragraphs the file itself marks as headings (``<h2>``, Word's Heading 2).

    Headings that carry their own label (``一、总体要求``) are left to the enumeration finder,
    so that a Word file gives what its text pasted as plain text gives.
    """
    marked = [i for i, para in enumerate(paras) if para in headings and not _LABEL_START.match(para)]
    if not marked or level > MAX_LEVEL:
        return None
    top = min(headings[paras[i]] for i in marked)
    heads = [i for i in marked if headings[paras[i]] == top]
    entries: list[Entry] = []
    for index, head in enumerate(heads):
        inner = paras[head + 1 : heads[index + 1] if index + 1 < len(heads) else len(paras)]
        body, numbering, items = _marked_headings(inner, headings, level + 1) or _parse_block(inner, level + 1)
        entries.append(Entry(title=paras[head], body=body, numbering=numbering, items=items))
    return paras[: heads[0]], "none", tuple(entries)


def parse_outline(text: str, headings: Mapping[str, int] = MappingProxyType({})) -> Outline:
    """Find title, metadata, lead and sections in clean, normalised text.

    ``headings`` maps paragraphs the source file marks as headings to their level.
    """
    header, rest = read_header([line for line in text.split("\n")])
    paras = _split_paragraphs(rest)
    kicker = _find_kicker(paras)
    if kicker:
        lead, sections = _kicker_sections(paras, kicker)
        numbered = _labelled_titles(sections)
        return Outline(header, lead, numbered or sections, None if numbered else "none", "kicker")
    marked = _marked_headings(tuple(paras), headings, 1)
    if marked:
        return Outline(header, marked[0], marked[2], "none", "marked")
    body, numbering, items = _parse_block(tuple(paras), 1)
    found = _heading_sections(paras)
    # Unnumbered heading lines above the first numbered marker are the outer level.
    if found and (not items or len(found[0]) < len(body)):
        return Outline(header, found[0], found[1], "none", "headings")
    if items:
        return Outline(header, body, items, None if numbering == "{cn}、" else numbering, "numbered")
    return Outline(header, tuple(paras), (), None, "none")
