"""Turn a pasted briefing (plain text) into outline YAML for a person to review.

The steps, each in its own place:

1. read the file: UTF-8 (with or without BOM), UTF-16, GB18030; CRLF or LF (here);
2. remove forum anti-copy junk and normalise spacing and punctuation width (:mod:`._junk`);
3. find title, lead, sections (``关键点 …``, ``一、``), items (``一是``, ``重点任务一：``,
   ``第一，``, ``（一）``, ``1.``) and numbering templates (:mod:`._structure`);
4. write readable YAML that :func:`briefexport.loads` accepts (here).

The text itself is never reworded: only junk, whitespace, punctuation width,
the markers that become numbering labels and the punctuation at a cut change.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

from ._bold import embolden
from ._extracted import Extracted
from ._junk import Cleaned, remove_junk, tidy_space, unwrap_lines, widen_punctuation
from ._structure import Entry, Outline, parse_outline
from .._yaml import MAX_BYTES, read_bounded
from ..errors import Coded, OutlineError, SourcePos, coded

__all__ = ["ImportResult", "decode_text", "import_extracted", "import_file", "import_text", "read_source"]

#: Title used when the text has no title line; the review comment points at it.
UNTITLED = "（请填写标题）"


@dataclass(frozen=True, slots=True)
class ImportResult:
    """An imported outline and what the import did."""

    yaml: str
    """The outline as YAML text, ready for ``briefexport check``."""
    summary: str
    """One line for the user: junk removed, structure found."""
    junk_runs: int
    junk_chars: int
    junk: tuple[str, ...] = ()
    """The removed junk runs, in reading order (for review)."""
    sections: int = 0
    items: int = 0
    notes: tuple[Coded, ...] = ()
    """The review notes the outline's header comments say, as codes (English: :func:`note_text`)."""


# -- reading ------------------------------------------------------------------

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


#: Unicode categories a wrong guess of UTF-16 produces: unassigned, private use, surrogates.
_NOT_TEXT = frozenset({"Cn", "Co", "Cs"})


def _plausible(text: str, *, guessed: bool) -> bool:
    """Text rather than bytes decoded by chance: no NUL (binary files have them); a guess must look like text."""
    if "\x00" in text:
        return False
    return not guessed or not any(unicodedata.category(char) in _NOT_TEXT for char in text)


def _bad_byte_message(data: bytes) -> str:
    try:
        data.decode("utf-8")
        return "it holds NUL bytes, so it is not a text file"
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start]
        line = prefix.count(b"\n") + 1
        col = len(prefix) - (prefix.rfind(b"\n") + 1) + 1
        return f"first undecodable byte 0x{data[exc.start]:02x} at line {line}, column {col}"


def decode_text(data: bytes, file: str) -> str:
    """Decode a briefing: a BOM decides; else UTF-16 if it has NUL bytes, else UTF-8, else GB18030."""
    bom = [codec for mark, codec in _BOMS if data.startswith(mark)][:1]
    guesses = ["utf-16-le", "utf-16-be"] if not bom and b"\x00" in data else []
    for codec in bom or [*guesses, "utf-8", "gb18030"]:
        try:
            text = data.decode(codec).lstrip("\ufeff")
        except UnicodeDecodeError:
            continue
        if _plausible(text, guessed=codec in guesses):
            return text
    raise OutlineError(
        SourcePos(file, 1, 1),
        f"cannot read the text as UTF-8, GB18030 or UTF-16 ({_bad_byte_message(data)}); save it as UTF-8 text",
    )


def read_source(path: Path) -> bytes:
    """The bytes of a briefing file, refusing a missing, huge, unreadable or special (device, FIFO) one with a located error."""
    return read_bounded(path, OutlineError, what="briefings (a few pages of text)")


# -- writing YAML -------------------------------------------------------------


def _quoted(text: str) -> str:
    """A double-quoted YAML scalar with Unicode kept as is (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False).replace("\u2028", "\\L").replace("\u2029", "\\P").replace("\x85", "\\N")


def _word(text: str) -> str:
    """A kicker such as 关键点 stays plain when it is only Chinese characters."""
    return text if text and all("\u4e00" <= char <= "\u9fff" for char in text) else _quoted(text)


def _paras(key: str, paras: tuple[str, ...], indent: str, *, as_list: bool = False) -> list[str]:
    if not paras:
        return []
    if len(paras) == 1 and not as_list:
        return [f"{indent}{key}: {_quoted(paras[0])}"]
    return [f"{indent}{key}:", *(f"{indent}  - {_quoted(para)}" for para in paras)]


#: Heading written where the text gave none, so that the outline loads and the gap is easy to find.
MISSING_HEADING = "（请填写小标题）"


def _titled(entry: Entry) -> Entry:
    """Every entry needs a heading: an empty one takes its first paragraph, or a placeholder."""
    if entry.title.strip():
        return entry
    if entry.body and entry.body[0].rstrip("，。：；、,.:;"):
        return replace(entry, title=entry.body[0].rstrip("，。：；、,.:;"), body=entry.body[1:])
    return replace(entry, title=MISSING_HEADING)


def _entry(entry: Entry, indent: str) -> list[str]:
    entry = _titled(entry)
    lines = [f"{indent}- title: {_quoted(entry.title)}"]
    inner = indent + "  "
    if entry.kicker:
        lines.append(f"{inner}kicker: {_word(entry.kicker)}")
    lines += _paras("body", entry.body, inner)
    if entry.items:
        lines.append(f"{inner}numbering: {_quoted(entry.numbering or 'none')}")
        lines.append(f"{inner}items:")
        for item in entry.items:
            lines += _entry(item, inner + "  ")
    return lines


#: The English of each review note (the outline's header comments); the web page says them in Chinese by code.
NOTE_TEXTS = MappingProxyType({
    "imported_from": "Imported by `briefexport import` from {source}: review it before building.",
    "junk_off": "junk removal was off (--keep-junk)",
    "junk_structural": "{parts} hidden or surrounding parts of the page (anti-copy nodes, navigation, forum notes) and "
    "{runs} runs of anti-copy junk in the text were removed",
    "junk_removed": "{runs} runs of anti-copy junk ({chars} characters) were removed",
    "junk_none": "no anti-copy junk was found",
    "sections_kicker": "sections start at the marker word '{kicker}' (kept as each section's kicker)",
    "sections_numbered": "sections are the text's numbered headings",
    "sections_headings": "sections are the short unpunctuated lines that stand above paragraphs",
    "sections_marked": "sections are the headings the file marks as such",
    "sections_none": "no sections were found; all text is in the lead",
    "item_headings": "each item's heading is its first clause or sentence; the rest is its body.",
    "maybe_junk": "Kept, but it may be junk: {quoted} (delete it if it is not part of the briefing)",
    "check_then_build": "Check headings and paragraph breaks, then run: briefexport check FILE",
})


def note_text(note: Coded) -> str:
    """A review note in English, as the outline's header comment says it."""
    return NOTE_TEXTS[note.code].format(**note.as_dict())


def _review(outline: Outline, source: str, cleaned: Cleaned, keep_junk: bool, structural: int = 0) -> tuple[Coded, ...]:
    """What the import found and did, as review notes (in the order the header says them)."""
    if keep_junk:
        junk = coded("junk_off")
    elif structural:
        junk = coded("junk_structural", parts=structural, runs=len(cleaned.removed) - structural)
    elif cleaned.removed:
        junk = coded("junk_removed", runs=len(cleaned.removed), chars=cleaned.removed_chars)
    else:
        junk = coded("junk_none")
    kicker = outline.sections[0].kicker if outline.sections else ""
    found = coded(f"sections_{outline.section_source}", **({"kicker": kicker} if outline.section_source == "kicker" else {}))
    doubts = [coded("maybe_junk", text=text, quoted=_quoted(text)) for text in dict.fromkeys(cleaned.doubtful)]
    return (coded("imported_from", source=source), junk, found, coded("item_headings"), *doubts, coded("check_then_build"))


def _header(notes: tuple[Coded, ...]) -> list[str]:
    imported, junk, found, *rest = notes
    return [
        "# yaml-language-server: $schema=outline.schema.json",
        f"# {note_text(imported)}",
        f"# {note_text(junk)}; {note_text(found)};",
        *(f"# {note_text(note)}" for note in rest),
    ]


def _document_yaml(outline: Outline, title: str, header: list[str]) -> str:
    info = outline.header
    lines = list(header)
    if not info.title:
        lines.append("# The text has no title line: write the title here.")
    lines.append(f"title: {_quoted(title)}")
    if info.subtitle:
        lines.append(f"subtitle: {_quoted(info.subtitle)}")
    if info.author:
        lines.append(f"author: {_quoted(info.author)}")
    if info.date:
        lines.append(f"date: {info.date}")
    lines.append("lang: zh-CN")
    if info.source:
        lines.append(f"source: {_quoted(info.source)}")
    if outline.section_numbering == "none" and outline.sections:
        lines.append("# The text does not number its sections; delete the next line to number them 一、二、三、")
        lines.append("numbering: [none]")
    elif outline.section_numbering and outline.sections:
        lines.append(f"numbering: [{_quoted(outline.section_numbering)}]")
    lines += _paras("lead", outline.lead, "", as_list=True)
    if outline.sections:
        lines.append("sections:")
        for section in outline.sections:
            lines += _entry(section, "  ")
    return "\n".join(lines) + "\n"


# -- the API ------------------------------------------------------------------


def _count_items(entries: tuple[Entry, ...]) -> int:
    return sum(len(entry.items) + _count_items(entry.items) for entry in entries)


def _normalised(text: str, keep_junk: bool) -> tuple[str, Cleaned]:
    text = _drop_noncharacters(text)[0]
    tidy = tidy_space(text.lstrip("\ufeff"))
    cleaned = Cleaned(tidy) if keep_junk else remove_junk(tidy)
    return widen_punctuation(unwrap_lines(tidy_space(cleaned.text))), cleaned


def _source_text(extracted: Extracted) -> str:
    """The text as a person copying it would paste it: the marked title first."""
    paras = list(extracted.paragraphs)
    for marked in (extracted.title, extracted.subtitle):
        if marked and marked in paras:
            paras.remove(marked)
    return "\n".join([extracted.title, *paras] if extracted.title else paras)


def import_extracted(
    extracted: Extracted, *, keep_junk: bool = False, source: str = "pasted text", fallback_title: str = UNTITLED
) -> ImportResult:
    """Import text read from a file, using the headings and bold phrases the file marks."""
    dropped = _drop_noncharacters(_source_text(extracted))[1]
    text, cleaned = _normalised(_source_text(extracted), keep_junk)
    headings = {_normalised(head, keep_junk)[0]: level for head, level in extracted.headings}
    outline = embolden(parse_outline(text, {head: level for head, level in headings.items() if head}), extracted.bold)
    if extracted.subtitle and not outline.header.subtitle:
        outline = replace(outline, header=replace(outline.header, subtitle=_normalised(extracted.subtitle, keep_junk)[0]))
    if not outline.header.title and not outline.lead and not outline.sections:
        raise OutlineError(SourcePos(source, 1, 1), "no text to import (the file is empty or holds only junk)")
    cleaned = Cleaned(cleaned.text, extracted.removed + cleaned.removed, cleaned.doubtful)
    title = outline.header.title or fallback_title
    notes = _review(outline, source, cleaned, keep_junk, len(extracted.removed))
    yaml_text = _document_yaml(outline, title, _header(notes))
    size = len(yaml_text.encode("utf-8"))
    if size > MAX_BYTES:  # check would refuse it: say so now, in terms of the source
        raise OutlineError(
            SourcePos(source, 1, 1),
            f"the outline would be {size / 2**20:.1f} MiB, over the {MAX_BYTES // 2**20} MiB limit of outlines; split the briefing into several files",
        )
    items = _count_items(outline.sections)
    junk = "junk removal off" if keep_junk else f"removed {len(cleaned.removed)} junk runs ({cleaned.removed_chars} characters)"
    if dropped:
        junk += f", {dropped} noncharacters (U+FFFE and the like)"
    summary = f"{source}: {junk}; found {len(outline.sections)} sections and {items} items; review the outline before building"
    return ImportResult(yaml_text, summary, len(cleaned.removed), cleaned.removed_chars, cleaned.removed, len(outline.sections), items,
                        notes)


def import_text(text: str, *, keep_junk: bool = False, source: str = "pasted text", fallback_title: str = UNTITLED) -> ImportResult:
    """Turn a pasted briefing into outline YAML; the result also says what was removed and found."""
    return import_extracted(Extracted((text,)), keep_junk=keep_junk, source=source, fallback_title=fallback_title)


_NONCHARACTERS = re.compile("[\ufdd0-\ufdef\ufffe\uffff\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff"
                            "\U0004fffe\U0004ffff\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff"
                            "\U0008fffe\U0008ffff\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff"
                            "\U000cfffe\U000cffff\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff"
                            "\U0010fffe\U0010ffff\ud800-\udfff]")


def _drop_noncharacters(text: str) -> tuple[str, int]:
    """Text without noncharacters and lone surrogates, which an outline may not hold (``check`` refuses them)."""
    kept, count = _NONCHARACTERS.subn("", text)
    return kept, count


def import_file(path: str | Path, *, keep_junk: bool = False) -> ImportResult:
    """Read a text file (UTF-8, GB18030 or UTF-16; any line ends) and import it."""
    file_path = Path(path)
    text = decode_text(read_source(file_path), str(path))
    return import_text(text, keep_junk=keep_junk, source=str(path), fallback_title=file_path.stem)
