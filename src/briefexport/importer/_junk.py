"""Clean pasted text: remove forum anti-copy junk, then normalise spacing and punctuation width.

Forums (Discuz and its kin) hide a "jammer" in every post: a run of random ASCII
that the page hides with CSS but a copy-paste keeps. Discuz builds it as
``c1 ␠ c2`` pairs, with ``c1`` from ``!``–``;`` (punctuation and digits) and
``c2`` from ``?``–``~`` (letters and brackets); once the browser collapses the
spaces it reads ``! y1 { b% b4 U: e5 n3 L``: one lone ``c1``, then tokens of one
``c2`` and one ``c1``, ending in a lone ``c2``. That grammar, plus the plain
observation that junk is many 1–2 character tokens full of punctuation, tells it
apart from the ASCII that belongs to the text (``110``, ``5G``, ``Tim Cook``,
``COVID-19``, ``https://…``), which is either longer or not in such a run.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["Cleaned", "find_junk", "is_cjk_context", "remove_junk", "tidy_space", "unwrap_lines", "widen_punctuation"]

#: Fewest tokens a junk run has: Discuz writes 5–15 pairs, i.e. 5–16 tokens.
MIN_TOKENS = 5

_ASCII_RUN = re.compile(r"[ -~]+")
_TOKEN = re.compile(r"\S+")
_SYMBOL_LINE = re.compile(r"[ \t]*[!-/:-@\[-`{-~][ !-/:-@\[-`{-~]*")
_LINE_BREAKS = "\f\v\x1c\x1d\x1e\x85\u2028\u2029"
_CONTROLS = (chr(code) for code in [*range(0x20), *range(0x7F, 0xA0)] if chr(code) not in "\t\n\r" + _LINE_BREAKS)
#: Zero-width characters, soft hyphens and stray control codes go; page and paragraph separators become line ends.
_INVISIBLE = MappingProxyType(
    {
        **dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad"), None),
        **dict.fromkeys(map(ord, _CONTROLS), None),
        **dict.fromkeys(map(ord, _LINE_BREAKS), "\n"),
    }
)
_SPACES = re.compile(r"[ \t\u00a0\u2002-\u200a\u202f\u205f\u3000]+")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u201c\u201d\u2018\u2019\u2014\u2026\U00020000-\U0003ffff]")
_FULL_WIDTH = MappingProxyType({",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"})


@dataclass(frozen=True, slots=True)
class Cleaned:
    """Text with junk removed, and the junk runs that were removed (in reading order)."""

    text: str
    removed: tuple[str, ...] = ()

    @property
    def removed_chars(self) -> int:
        """How many characters of junk were removed."""
        return sum(len(run) for run in self.removed)


def is_cjk_context(char: str) -> bool:
    """True for a character of Chinese text: ideographs, CJK and full-width punctuation, “”‘’—…."""
    return bool(char) and _CJK.match(char) is not None


def _fits_lead(token: str) -> bool:
    return len(token) == 1 and "!" <= token <= ";"


def _fits_pair(token: str) -> bool:
    if len(token) == 1:
        return "?" <= token <= "~"
    return len(token) == 2 and "?" <= token[0] <= "~" and "!" <= token[1] <= ";"


def _has_symbol(token: str) -> bool:
    return any(not char.isalnum() for char in token)


def _is_odd(token: str) -> bool:
    """Junk-like: carries punctuation, or mixes letters with digits (``y1``, ``b%``)."""
    return _has_symbol(token) or (any(c.isalpha() for c in token) and any(c.isdigit() for c in token))


def _patterned(tokens: list[str]) -> bool:
    """Real sequences that fit the grammar count in steps: Q1 Q2 Q3, A1 B2 C3, P2 P4 P6."""
    pairs = [token for token in tokens if len(token) == 2]
    return any(len(set(_steps(values))) <= 1 for values in ([ord(t[0]) for t in pairs], [ord(t[1]) for t in pairs]))


def _steps(values: list[int]) -> list[int]:
    return [later - earlier for earlier, later in zip(values, values[1:])]


def _grammar_window(tokens: list[str]) -> tuple[int, int] | None:
    """The longest stretch of tokens that follows the Discuz jammer grammar."""
    best: tuple[int, int] | None = None
    start = 0
    while start < len(tokens):
        if not (_fits_lead(tokens[start]) or _fits_pair(tokens[start])):
            start += 1
            continue
        end = start + 1
        while end < len(tokens) and _fits_pair(tokens[end]):
            end += 1
        if best is None or end - start > best[1] - best[0]:
            best = (start, end)
        start = end
    return best


def _junk_window(tokens: list[str]) -> tuple[int, int, bool] | None:
    """The token range that is junk within one stretch of short tokens, and whether it is Discuz's."""
    if len(tokens) < MIN_TOKENS:
        return None
    window = _grammar_window(tokens)
    if window and window[1] - window[0] >= MIN_TOKENS:
        inside = tokens[window[0] : window[1]]
        if sum(map(_has_symbol, inside)) >= 2 or (len(inside) >= 6 and not _patterned(inside)):
            return window[0], window[1], True
    # Junk from other generators: no grammar, but mostly punctuation-laden tokens.
    odd = sum(_is_odd(token) for token in tokens)
    symbols = sum(_has_symbol(token) for token in tokens)
    if odd >= 0.75 * len(tokens) and symbols >= 3:
        return 0, len(tokens), False
    return None


def _short_token_stretches(run: str) -> list[list[tuple[int, int]]]:
    """Maximal stretches of consecutive tokens of at most two characters, as (start, end) spans."""
    stretches: list[list[tuple[int, int]]] = [[]]
    for match in _TOKEN.finditer(run):
        token = match.group()
        if len(token) <= 2:
            stretches[-1].append(match.span())
            continue
        if "?" <= token[0] <= "~" and (not token[0].isalnum() or token[1].isdigit()):
            # A jammer's last letter glued to a number (``…z6 Q2024年``): offer the letter alone.
            stretches[-1].append((match.start(), match.start() + 1))
        if stretches[-1]:
            stretches.append([])
    return [stretch for stretch in stretches if stretch]


def find_junk(text: str) -> list[tuple[int, int]]:
    """Character spans of junk runs in ``text`` (ASCII runs only; CJK text is never junk)."""
    spans: list[tuple[int, int]] = []
    for run in _ASCII_RUN.finditer(text):
        for stretch in _short_token_stretches(run.group()):
            found = _junk_window([run.group()[start:end] for start, end in stretch])
            if found is None:
                continue
            first, last, discuz = found
            end = stretch[last - 1][1]
            # Discuz junk ends in a lone letter: in "…z6 Q3月" the 3 belongs to the date.
            if discuz and end - stretch[last - 1][0] == 2:
                end -= 1
            spans.append((run.start() + stretch[first][0], run.start() + end))
    return spans


def remove_junk(text: str) -> Cleaned:
    """Remove junk runs and lines of nothing but ASCII symbols (a stray ``|``)."""
    removed: list[str] = []
    lines: list[str] = []
    for line in text.split("\n"):
        pieces: list[str] = []
        cursor = 0
        for start, end in find_junk(line):
            pieces.append(line[cursor:start])
            removed.append(line[start:end])
            cursor = end
        kept = "".join(pieces) + line[cursor:]
        if _SYMBOL_LINE.fullmatch(kept):
            removed.append(kept.strip())
            kept = ""
        lines.append(kept)
    return Cleaned("\n".join(lines), tuple(removed))


def _widen_paren_pairs(line: str) -> str:
    """Make an ASCII ``(…)`` pair full-width when it sits in Chinese text, both halves alike."""
    chars = list(line)
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for index, char in enumerate(chars):
        if char == "(":
            stack.append(index)
        elif char == ")" and stack:
            pairs.append((stack.pop(), index))
    paired = {index for pair in pairs for index in pair}
    for open_, close in pairs:
        outside = line[open_ - 1 : open_] + line[close + 1 : close + 2]
        if any(map(is_cjk_context, outside + line[open_ + 1 : close])):
            chars[open_], chars[close] = "（", "）"
    for index, char in enumerate(line):
        if char in "()" and index not in paired and _next_to_cjk(line, index):
            chars[index] = _FULL_WIDTH[char]
    return "".join(chars)


def _next_to_cjk(line: str, index: int) -> bool:
    return is_cjk_context(line[index - 1 : index]) or is_cjk_context(line[index + 1 : index + 2])


def _widen_punctuation(line: str) -> str:
    chars = list(line)
    for index, char in enumerate(line):
        if char in ",:;?!" and _next_to_cjk(line, index):
            chars[index] = _FULL_WIDTH[char]
    return _widen_paren_pairs("".join(chars))


def tidy_space(text: str) -> str:
    """Unify line ends, drop zero-width characters, collapse spaces, trim every line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def widen_punctuation(text: str) -> str:
    """Make ASCII ``, : ; ? ! ( )`` next to Chinese characters full-width; Latin and digit context stays.

    Words are never changed, only the width of these marks.
    """
    return "\n".join(_widen_punctuation(line) for line in text.split("\n"))


#: Characters after which a line may really end: sentence ends and colons, or a quote closed after one.
_LINE_ENDS = re.compile(r"(?:[。！？；：…!?;:]|[。！？…!?][”’」』])$")
_LABEL_START = re.compile(r"[一二三四五六七八九十]{1,3}[、是要]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.．、](?!\d)|第[一二三四五六七八九十]{1,3}[，,、：:部章节条]|【")


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


def _wrap_width(lines: list[str]) -> int | None:
    """The width a PDF or e-mail wrapped the text at, if many lines share it."""
    widths = Counter(width for width in map(_width, lines) if width >= 30)
    if not widths:
        return None
    width = widths.most_common(1)[0][0]
    near = sum(count for other, count in widths.items() if abs(other - width) <= 2)
    return width if near >= max(3, 0.3 * sum(widths.values())) else None


def unwrap_lines(text: str) -> str:
    """Rejoin lines that were hard-wrapped at a fixed width: a full line that ends mid-sentence continues."""
    lines = text.split("\n")
    width = _wrap_width(lines)
    if width is None:
        return text
    out: list[str] = []
    continues = False
    for line in lines:
        if continues and line and not _LABEL_START.match(line):
            glue = "" if is_cjk_context(out[-1][-1:]) or is_cjk_context(line[:1]) else " "
            out[-1] += glue + line
        else:
            out.append(line)
        # The title line is never continued: it ends without punctuation by nature.
        continues = len(out) > 1 and _width(line) >= width - 2 and not _LINE_ENDS.search(line)
    return "\n".join(out)
