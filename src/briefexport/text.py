"""Format-free text helpers every reader and writer shares: what counts as Chinese, how dates read."""

from __future__ import annotations

import datetime as dt
import unicodedata

from .model import Meta

__all__ = ["bad_character", "format_date", "is_cjk", "meta_line"]

#: Punctuation that Chinese text sets full-width although Unicode calls it ambiguous.
_CJK_AMBIGUOUS = frozenset("“”‘’…—·")


def is_cjk(char: str) -> bool:
    """True for a character of Chinese text: ideographs, kana, CJK and full-width punctuation, “”‘’…—·."""
    return bool(char) and (char in _CJK_AMBIGUOUS or unicodedata.east_asian_width(char) in ("W", "F"))


def format_date(day: dt.date, lang: str) -> str:
    """A date the way readers of ``lang`` write it: 2024年1月14日 for Chinese and Japanese, else ISO."""
    if lang.split("-")[0].lower() in ("zh", "ja"):
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def meta_line(meta: Meta) -> str:
    """The line under the title: date and author, separated by an ideographic space."""
    parts = [format_date(meta.date, meta.lang) if meta.date else "", meta.author or ""]
    return "\u3000".join(part for part in parts if part)


def bad_character(value: str) -> str | None:
    """Why ``value`` cannot go into a document (a control character, surrogate or noncharacter), or None."""
    for char in value:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            return f"contains a lone surrogate U+{code:04X}; fix the escape sequence"
        if char != "\n" and unicodedata.category(char) == "Cc":
            return f"contains control character U+{code:04X}; delete it"
        if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
            return f"contains U+{code:04X}, which is not a character; fix the escape sequence"
    return None
