"""What a reader of a structured file (web page, Word file) hands to the text importer.

Readers of HTML and DOCX turn their input into the same paragraphs a person
would get by copying the text, plus the evidence the file carries beyond that
text: which paragraph is the title, which are headings, which phrases are bold,
and the junk that was removed by structure (hidden nodes, forum chrome).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["Extracted", "fold_width", "join_breaks", "one_line"]


@dataclass(frozen=True, slots=True)
class Extracted:
    """A briefing read from a structured file, before junk removal by text and structure finding."""

    paragraphs: tuple[str, ...]
    """The text, one paragraph (or line break) per entry, in reading order."""
    title: str | None = None
    """The document's own title (``<h1>``, Word's Title style), if it marks one."""
    subtitle: str | None = None
    """The document's own subtitle (Word's Subtitle style), if it marks one."""
    headings: tuple[tuple[str, int], ...] = ()
    """Paragraphs the file marks as headings, with their level (1 = a section, 2 = its items …)."""
    bold: tuple[str, ...] = ()
    """Bold phrases, in reading order."""
    removed: tuple[str, ...] = ()
    """Text removed by structure (hidden anti-copy nodes, forum chrome), for the review note."""


_NARROW = MappingProxyType({ord(wide): narrow for wide, narrow in zip("，：；？！（）　", ",:;?!() ")})


def fold_width(text: str) -> str:
    """Map the full-width marks the importer may produce back to ASCII, one character for one.

    Comparing folded strings finds a phrase of the source in the imported text
    whatever width its punctuation was given; indexes stay valid in both.
    """
    return text.translate(_NARROW)


_BREAK = re.compile(r"[ \t]*\n\s*")
_SEGMENT_BREAK = re.compile(r"(?<=[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f“”])\s*\n\s*(?=[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f“”])")


def join_breaks(text: str) -> str:
    """Line breaks joined as a reader joins them: gone between Chinese characters, else one space.

    What a heading broken by hand (``<br>``, Word's Shift+Enter) reads as: one heading, not its
    first line followed by a paragraph.
    """
    return _BREAK.sub(" ", _SEGMENT_BREAK.sub("", text))


def one_line(text: str) -> str:
    """HTML white space as a browser shows it: line breaks joined (:func:`join_breaks`), runs of spaces one space."""
    return " ".join(_SEGMENT_BREAK.sub("", text).split())
