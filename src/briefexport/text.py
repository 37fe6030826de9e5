"""Format-free text helpers every reader and writer shares: what counts as Chinese, how dates read."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from types import MappingProxyType

from .model import Meta

__all__ = ["DATE", "FULL_WIDTH", "URL", "URL_BREAKS", "bad_character", "format_date", "is_cjk", "meta_line", "toc_title"]

#: Languages whose documents use the Chinese furniture (目录, 2024年1月14日, U+3000 before the author).
_HAN_DATES = ("zh", "ja")
_TOC_TITLES = {"zh": "目录", "ja": "目次", "ko": "목차", "en": "Contents", "fr": "Table des matières", "de": "Inhalt"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def _primary(lang: str) -> str:
    return lang.split("-")[0].lower()


#: A date as official documents print it (2024年1月14日, 2024年1月, 1月14日): one unit, never
#: broken across lines and with no gap between its digits and 年月日, in every format.
DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}年\d{1,2}月|\d{1,2}月\d{1,2}日")

#: A web address in running text: a scheme or www., up to the first space or non-ASCII character
#: (公告：https://example.gov.cn/a_b.htm，或… ends before the ，).
URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[!-~]+")
#: The characters a web address may break after (after its ``/``, ``_``, ``.`` and ``-``).
URL_BREAKS = frozenset("-/_.")

#: ASCII punctuation and the full-width mark Chinese text sets in its place (， ： ； ？ ！ （ ）):
#: the importer writes them into the outline, the PDF typesets them, with the same table.
FULL_WIDTH = MappingProxyType({",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"})

#: Punctuation that Chinese text sets full-width although Unicode calls it ambiguous.
_CJK_AMBIGUOUS = frozenset("“”‘’…—·")


def is_cjk(char: str) -> bool:
    """True for a character of Chinese text: ideographs, kana, CJK and full-width punctuation, “”‘’…—·."""
    return bool(char) and (char in _CJK_AMBIGUOUS or unicodedata.east_asian_width(char) in ("W", "F"))


def format_date(day: dt.date, lang: str, form: str | None = None) -> str:
    """A date the way readers of ``lang`` write it: 2024年1月14日 for Chinese and Japanese, 14 January 2024 in English, else ISO.

    ``form`` (a theme's ``furniture.date_format``) overrides it, with ``{year}``, ``{month}``,
    ``{day}`` and ``{month_name}``.
    """
    if form is None:
        primary = _primary(lang)
        form = "{year}年{month}月{day}日" if primary in _HAN_DATES else "{day} {month_name} {year}" if primary == "en" else None
    if form is None:
        return day.isoformat()
    return form.format(year=day.year, month=day.month, day=day.day, month_name=_MONTHS[day.month - 1])


def toc_title(lang: str) -> str:
    """The table of contents' title in ``lang``: 目录 for Chinese, Contents for English (English for unknown languages)."""
    return _TOC_TITLES.get(_primary(lang), _TOC_TITLES["en"])


def meta_line(meta: Meta, *, date_format: str | None = None, separator: str | None = None) -> str:
    """The line under the title: date and author, by an ideographic space in Chinese and Japanese, else " · ".

    ``date_format`` and ``separator`` are a theme's overrides (None: by ``meta.lang``).
    """
    if separator is None:
        separator = "\u3000" if _primary(meta.lang) in _HAN_DATES else " · "
    parts = [format_date(meta.date, meta.lang, date_format) if meta.date else "", meta.author or ""]
    return separator.join(part for part in parts if part)


def bad_character(value: str) -> str | None:
    """Why ``value`` cannot go into a document (a control character, surrogate or noncharacter), or None.

    Every text of an outline and a theme passes here. Each character refused below is
    unprintable to :meth:`str.isprintable`, which clears almost every text in one C pass (the
    loop alone was half the time of reading an outline).
    """
    if value.isprintable():
        return None
    for char in value:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            return f"contains a lone surrogate U+{code:04X}; fix the escape sequence"
        if char != "\n" and unicodedata.category(char) == "Cc":
            return f"contains control character U+{code:04X}; delete it"
        if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
            return f"contains U+{code:04X}, which is not a character; fix the escape sequence"
    return None
