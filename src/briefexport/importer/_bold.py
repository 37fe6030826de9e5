"""Put the source's bold phrases back into the imported text as ``**bold**``.

Structure finding cuts and joins the text, so bold cannot ride along as markup
(a ``**`` before ``一是`` would hide the marker). Instead the bold phrases are
looked up afterwards, in reading order: each is searched for from where the
previous one was found, in one stream of all imported strings. A phrase that
became a heading (headings are bold anyway) or was cut at a marker is consumed
or skipped there and never marks text elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ._extracted import fold_width
from ._structure import Entry, Outline

__all__ = ["embolden"]

#: Shortest phrase looked up: a single bold character would match almost anywhere.
MIN_PHRASE = 2

_Map = Callable[[str, bool], str]


def _map_entry(entry: Entry, fn: _Map) -> Entry:
    title = fn(entry.title, False)
    body = tuple(fn(para, True) for para in entry.body)
    return replace(entry, title=title, body=body, items=tuple(_map_entry(item, fn) for item in entry.items))


def _map_texts(outline: Outline, fn: _Map) -> Outline:
    """Apply ``fn(text, boldable)`` to every string of the outline, in reading order."""
    header = outline.header
    title = fn(header.title, False) if header.title else header.title
    subtitle = fn(header.subtitle, False) if header.subtitle else header.subtitle
    lead = tuple(fn(para, True) for para in outline.lead)
    sections = tuple(_map_entry(section, fn) for section in outline.sections)
    return replace(outline, header=replace(header, title=title, subtitle=subtitle), lead=lead, sections=sections)


def _bold_spans(stream: str, phrases: tuple[str, ...]) -> list[tuple[int, int]]:
    folded = fold_width(stream)
    spans: list[tuple[int, int]] = []
    cursor = 0
    for phrase in phrases:
        wanted = fold_width(" ".join(phrase.split()))
        if len(wanted) < MIN_PHRASE or "*" in wanted:
            continue
        found = folded.find(wanted, cursor)
        if found >= 0 and spans and spans[-1][1] == found:
            spans[-1] = (spans[-1][0], found + len(wanted))  # one bold run split over several tags
        elif found >= 0:
            spans.append((found, found + len(wanted)))
            cursor = found + len(wanted)
    return spans


def _marked(text: str, start: int, spans: list[tuple[int, int]]) -> str:
    """``text`` (which starts at ``start`` in the stream) with the spans inside it wrapped in ``**``."""
    out, cursor = [], 0
    for first, last in spans:
        first, last = max(first - start, 0), min(last - start, len(text))
        if first >= last or first < cursor:
            continue
        piece = text[first:last].strip()
        if not piece:
            continue
        lead = len(text[first:last]) - len(text[first:last].lstrip())
        out += [text[cursor : first + lead], f"**{piece}**"]
        cursor = first + lead + len(piece)
    return "".join(out) + text[cursor:]


def embolden(outline: Outline, phrases: tuple[str, ...]) -> Outline:
    """The outline with each bold phrase of the source marked ``**…**`` where it stayed body text."""
    if not phrases:
        return outline
    segments: list[tuple[str, bool]] = []

    def record(text: str, boldable: bool) -> str:
        segments.append((text, boldable))
        return text

    _map_texts(outline, record)
    stream = "\n".join(text for text, _ in segments)
    spans = _bold_spans(stream, phrases)
    starts = iter(_offsets(segments))

    def mark(text: str, boldable: bool) -> str:
        start = next(starts)
        if not boldable:
            return text
        inside = [(a, b) for a, b in spans if a < start + len(text) and b > start]
        return _marked(text, start, inside)

    return _map_texts(outline, mark)


def _offsets(segments: list[tuple[str, bool]]) -> list[int]:
    offsets, position = [], 0
    for text, _ in segments:
        offsets.append(position)
        position += len(text) + 1
    return offsets
