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

from ..text import FULL_WIDTH

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


@dataclass(frozen=True, slots=True)
class Cleaned:
    """Text with junk removed, and the junk runs that were removed (in reading order)."""

    text: str
    removed: tuple[str, ...] = ()
    doubtful: tuple[str, ...] = ()
    """Text that looks a little like junk but was kept; the review note names it."""

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


def _char_class(char: str) -> str:
    return "u" if char.isupper() else "l" if char.islower() else "d" if char.isdigit() else "s"


#: One- and two-letter English words and abbreviations that real text strings together (``I am OK``).
_SHORT_WORDS = frozenset(
    "a i o an am as at be by do go he hi if in is it me my no of oh ok on or so to up us we ye "
    "ai id it tv pc un eu us uk hk ad bc pm am vs ip ui".split()
)


def _plausible_token(token: str) -> bool | None:
    """True for a token real text has (a number, a short word in one case), None for a lone operator."""
    if len(token) == 1 and not token.isalnum():
        return None if token in "+-*/=<>" else False
    if token.isdigit():
        return True
    one_case = token.islower() or token.isupper() or (token[0].isupper() and token[1:].islower())
    return token.isalpha() and one_case and token.lower() in _SHORT_WORDS


def _random_tokens(tokens: list[str]) -> bool | None:
    """Junk of other generators: short random tokens (``o l/ 9S S. Aa W_ bp O``, ``R0 K E 6 6 FQ i} Xp r2``).

    True for junk, None for a stretch that only looks a little like it (kept, and named in the
    review note), False otherwise. Real text in such stretches is numbers, short words and
    operators (``It is a go``, ``x = 1 + 2``, ``1 2 3 4 5``), one kind of letter (``A B C D``) or
    counts in steps (``Q1 Q2 Q3``); random tokens are mostly none of these.
    """
    if len(tokens) < MIN_TOKENS:
        return False
    kinds = {_char_class(char) for token in tokens for char in token}
    odd = sum(_plausible_token(token) is False for token in tokens)
    pairs = [token for token in tokens if len(token) == 2]
    if len(pairs) >= 3 and _patterned(tokens):
        return False
    if len(kinds) >= 2 and odd >= max(3, (len(tokens) + 1) // 2):
        return True
    return None if odd >= 2 and len(kinds) >= 2 else False


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


def _at_edge(run: re.Match[str], stretch: list[tuple[int, int]]) -> bool:
    """The stretch is glued to the start or the end of its line, or to Chinese text, with nothing ASCII between."""
    before, after = run.group()[: stretch[0][0]], run.group()[stretch[-1][1] :]
    return not before.strip() or not after.strip()


def find_junk(text: str, doubtful: list[str] | None = None) -> list[tuple[int, int]]:
    """Character spans of junk runs in ``text`` (ASCII runs only; CJK text is never junk).

    Stretches that only look a little like junk are kept and, if ``doubtful`` is given, added to it.
    """
    spans: list[tuple[int, int]] = []
    for run in _ASCII_RUN.finditer(text):
        for stretch in _short_token_stretches(run.group()):
            tokens = [run.group()[start:end] for start, end in stretch]
            verdict = _random_tokens(tokens) if _at_edge(run, stretch) else False
            # Discuz's grammar knows exactly where its junk ends (…P2 _ before （三）) when it explains the
            # whole stretch; random tokens that merely contain a grammatical stretch go as a whole.
            found = _junk_window(tokens)
            if verdict and (found is None or found[:2] != (0, len(tokens))):
                found = (0, len(tokens), False)
            if found is None and verdict is None and doubtful is not None:
                doubtful.append(run.group()[stretch[0][0] : stretch[-1][1]])
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
    """Remove junk runs, site watermarks and copy notices, and lines of nothing but ASCII symbols (a stray ``|``)."""
    removed: list[str] = []
    doubtful: list[str] = []
    lines: list[str] = []
    text = _remove_watermarks(text, removed, doubtful)
    for line in text.split("\n"):
        pieces: list[str] = []
        cursor = 0
        for start, end in find_junk(line, doubtful):
            pieces.append(line[cursor:start])
            removed.append(line[start:end])
            cursor = end
        kept = "".join(pieces) + line[cursor:]
        if _SYMBOL_LINE.fullmatch(kept):
            removed.append(kept.strip())
            kept = ""
        lines.append(kept)
    return Cleaned("\n".join(lines), tuple(removed), tuple(doubtful))


#: What sites append to copied text: Zhihu's and CSDN's notices, a rule line above them.
_COPY_NOTICE = re.compile(
    r"^(?:著作权归作者所有。.*|商业转载请联系作者获得授权.*|版权声明：本文为.{0,60}原创文章.*|"
    r"(?:原文)?链接[：:] ?https?://\S+|来源[：:] ?(?:知乎|CSDN|简书|百度知道)(?: ?https?://\S+)?|[—─_\-=]{6,})$",
    re.M,
)
#: A site's address, as watermarks repeat it through a page (某某网 www.example.com.cn).
_SITE = re.compile(
    r"(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org)(?:\.cn)?(?:/[!-~]*)?", re.I
)
#: Times a site mark must repeat to be a watermark; a real address is given once or twice.
WATERMARK_REPEATS = 3


def _remove_watermarks(text: str, removed: list[str], doubtful: list[str]) -> str:
    """Remove copy notices, and site marks repeated through the text; name a mark seen twice."""
    for notice in _COPY_NOTICE.finditer(text):
        removed.append(notice.group())
    text = _COPY_NOTICE.sub("", text)
    counts = Counter(match.group() for match in _SITE.finditer(text))
    for site, count in counts.items():
        mark, name = _with_site_name(text, site)
        if count >= WATERMARK_REPEATS and mark == site and name:
            doubtful.append(name)  # the address goes; the words before it may be the site's name
        if count >= WATERMARK_REPEATS:
            removed += [mark] * text.count(mark)
            # A watermark in brackets (【某某网 www…】) takes its brackets with it.
            text = re.sub(rf"【{re.escape(mark)}】|\[{re.escape(mark)}\]|（{re.escape(mark)}）|\({re.escape(mark)}\)", "", text)
            text = text.replace(mark, "")
        elif count == 2:
            doubtful.append(mark)
    return text


#: What may stand before a watermark's site name: the start of a line, punctuation, a bracket, a space.
_MARK_BOUNDARY = "\n 。，；：！？、”’）】]）>【[（(“‘《"


def _with_site_name(text: str, site: str) -> tuple[str, str]:
    """The address with the site name every copy of it shares in front (``【某某网 ``), as one mark.

    The shared words count only when they hold no punctuation and at least two copies stand after a
    boundary (``。某某网 www…``), which shows the words begin there; otherwise they may be the text's
    own words and only the address goes.
    Returns the mark and the shared words.
    """
    starts = _find_all(text, site)
    befores = [text[max(0, found - 12) : found] for found in starts]
    shared = ""
    while len(shared) < min(map(len, befores)) and len({before[len(before) - len(shared) - 1] for before in befores}) == 1:
        char = befores[0][len(befores[0]) - len(shared) - 1]
        if char in _MARK_BOUNDARY.replace(" ", ""):
            break
        shared = char + shared
    bounded = sum(found - len(shared) == 0 or text[found - len(shared) - 1] in _MARK_BOUNDARY for found in starts) >= 2
    return (shared + site if shared and bounded else site), shared.strip()


def _find_all(text: str, part: str) -> list[int]:
    found, start = [], text.find(part)
    while start >= 0:
        found.append(start)
        start = text.find(part, start + len(part))
    return found


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
            chars[index] = FULL_WIDTH[char]
    return "".join(chars)


def _next_to_cjk(line: str, index: int) -> bool:
    return is_cjk_context(line[index - 1 : index]) or is_cjk_context(line[index + 1 : index + 2])


def _widen_punctuation(line: str) -> str:
    chars = list(line)
    for index, char in enumerate(line):
        if char in ",:;?!" and _next_to_cjk(line, index):
            chars[index] = FULL_WIDTH[char]
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
