"""Break a paragraph of Chinese (and mixed Latin) text into justified lines, by the clreq rules.

reportlab's ``wordWrap='CJK'`` follows Japanese kinsoku lists and cannot justify CJK lines,
so this module does the line breaking itself (W3C "Requirements for Chinese Text Layout",
GB/T 15834 punctuation):

* no line starts with closing punctuation (，。、；：？！）》」』’”〉】…— and ASCII ,.;:?!)]})
  and none ends with opening punctuation (（《「『‘“〈【 and ASCII ([{);
* an ellipsis …… or a dash —— is one unbreakable unit;
* Latin words and numbers are never split, except after a hyphen or slash inside them
  (``state-of-|the-|art``, ``and/|or``; never before one, nor after a hyphen before a digit:
  ``COVID-19``), a URL after each ``/ _ . -`` of it, and a token wider than the measure;
* a date (``2024年1月14日``, ``1月14日``) is never broken and takes no Han–Latin gap inside;
* a paragraph's last line never holds a single character alone: the previous line gives it company;
* a quotation mark narrower than the em (a proportional Kai face) takes a full cell, its ink
  placed as a Chinese mark's (an opening mark against what follows, a closing one against what
  precedes); —— is one continuous rule and …… six dots 1/3 em apart, exactly two cells wide;
* when a closing mark would start a line it is squeezed onto the line (its blank half and
  other marks' blank halves are compressed) if that suffices, else the previous
  character is pulled down to the new line;
* a line's slack is spread over its characters (PDF character spacing), the last line
  of a paragraph is not justified, nor a line whose justification would open gaps of more
  than 1 em between Latin words or space CJK characters by more than a quarter em (it is
  set ragged instead; a line shortened by up to 1 em, a pulled-down character, is justified);
* Han characters and Latin letters/digits are separated by ``latin_gap`` em;
* under a grid (GB/T 9704) every CJK character advances by exactly ``char_pitch``.

:func:`break_lines` is pure: runs (text already assigned to faces) + measure + a width
function in, positioned pieces out. The reportlab flowable lives in ``_flow.py``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate, repeat
from typing import Any

from ...text import DATE, FULL_WIDTH, URL_BREAKS, is_cjk

__all__ = [
    "CLOSING", "LINE_BREAK", "OPENING", "Ink", "InkOf", "LayoutCache", "Line", "Measure", "Piece", "Run", "break_lines", "fullwidth_punctuation",
]

#: Characters that must not start a line.
CLOSING = frozenset("，。、；：？！）》」』’”〉】〕］｝〗〙…—·％‰℃°" ",.;:?!)]}%")
#: Characters that must not end a line.
OPENING = frozenset("（《「『‘“〈【〔［｛〖〘" "([{")
#: Full-width marks whose glyph fills one half of the em: the other half may be compressed.
_SQUEEZE_CLOSE = frozenset("，。、；：）》」』’”〉】〕］｝〗〙")
_SQUEEZE_OPEN = frozenset("（《「『‘“〈【〔［｛〖〘")
#: Marks that come in pairs and are set as one unit (…… and ——).
_PAIRED = frozenset("…—")
#: Inside a Latin word a line may end after these (never before them).
_WORD_BREAK_AFTER = frozenset("-/")
#: Inside a URL a line may end after these.
_URL_BREAK_AFTER = URL_BREAKS
#: Quotation marks set full-width in Chinese text, whatever the face's advance.
_QUOTES_OPEN, _QUOTES_CLOSE = frozenset("“‘"), frozenset("”’")
#: Signs that belong to the number before them: the Han–Latin gap goes after them, not between.
_NUMBER_SIGNS = frozenset("%‰℃°")
#: How far the two halves of —— overlap (em), so that no seam shows between them.
_RULE_OVERLAP = 0.02
#: The most justification may widen a space between Latin words, in em; beyond it the line is ragged.
_MAX_WORD_SPACE = 1.0
#: The most character spacing justification may add between CJK characters (or a CJK character
#: and a Latin word), in em, unless the line's whole slack is at most ``_ALWAYS_JUSTIFY``.
_MAX_LETTER_SPACE = 0.25
#: A line this much short (em) is always justified: a character pulled down to keep a closing mark company.
_ALWAYS_JUSTIFY = 1.0
_EPS = 1e-6

Metrics = Callable[[str, str, float], float]
"""``width(text, font_name, size) -> points``, e.g. ``pdfmetrics.stringWidth``."""


@dataclass(frozen=True, slots=True)
class Ink:
    """Where a glyph's ink lies, in em from its origin."""

    parts: tuple[tuple[float, float], ...]
    """The x-extent of each separate piece of ink (the three dots of …), left to right."""
    bottom: float
    top: float


#: A run of just this is an explicit line break (the outline's own break in a title).
LINE_BREAK = "\n"

InkOf = Callable[[str, str], "Ink | None"]
"""``ink(char, font_name) -> Ink``, or None where the face cannot tell."""


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of text set in one face and size."""

    text: str
    font: str
    size: float
    bold: bool = False
    """Synthetic bold: drawn with fill and stroke (the face has no bold of its own)."""


@dataclass(frozen=True, slots=True)
class Measure:
    """How a paragraph is set: its width and the rules that vary by role and theme."""

    width: float
    indent: float = 0.0
    """First-line indent in points."""
    align: str = "justify"
    """``justify`` (last line left), ``left``, ``center`` or ``right``."""
    latin_gap: float = 0.0
    """Space between Han characters and Latin letters or digits, in em."""
    char_pitch: float | None = None
    """Grid advance of every CJK character (GB/T 9704), or None for natural widths."""
    squeeze: bool = True
    """Compress punctuation (line-end blank halves, adjacent marks); off for a strict grid."""
    grid_squeeze: bool = False
    """On a grid: compress consecutive marks (”、“) and give the space back to the line's other
    characters (clreq), so that the line still ends flush and holds what the grid gives it."""
    hang: float = 0.0
    """Indent of every line after the first, in points (a TOC entry's text hangs under itself)."""
    balance: bool = False
    """Titles and headings: lines of even length, broken at phrase boundaries where there are any
    (a justified heading's balanced lines are set ragged: stretched to the measure, they would not be even)."""


@dataclass(frozen=True, slots=True)
class Piece:
    """Characters drawn in one text-show operation: origin x on the line, PDF character spacing."""

    text: str
    font: str
    size: float
    x: float
    char_space: float = 0.0
    scale: float = 100.0
    """Horizontal scaling in percent (PDF ``Tz``): the halves of —— stretched to one rule."""
    bold: bool = False
    """Synthetic bold (fill and stroke)."""


@dataclass(frozen=True, slots=True)
class Line:
    """One laid-out line."""

    pieces: tuple[Piece, ...]
    end: float
    """Where the line's last advance ends, in points from the measure's left edge."""
    size: float
    """The largest font size on the line."""

    @property
    def text(self) -> str:
        """The characters of the line as drawn."""
        return "".join(piece.text for piece in self.pieces)


# -- characters and atoms ----------------------------------------------------


def _is_han(ch: str) -> bool:
    return is_cjk(ch) and unicodedata.category(ch) == "Lo"


def _is_alnum(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN" and not is_cjk(ch)


def fullwidth_punctuation(texts: Sequence[str]) -> list[str]:
    """Typeset ASCII , : ; ? ! ( ) in Chinese context as full-width marks, keeping span lengths."""
    joined = "".join(texts)
    marks = list(_ASCII_MARKS.finditer(joined))
    if not marks:
        return list(texts)  # most texts: nothing to convert
    out = list(joined)

    def han_near(i: int) -> bool:
        return (i > 0 and _is_han(joined[i - 1])) or (i + 1 < len(joined) and _is_han(joined[i + 1]))

    opened: list[int] = []
    pairs: list[tuple[int, ...]] = []
    for found in marks:  # the marks in order, as a scan of every character meets them
        i, ch = found.start(), found.group()
        if ch in ",:;?!" and i > 0 and (_is_han(joined[i - 1]) or joined[i - 1] in _SQUEEZE_CLOSE):
            out[i] = FULL_WIDTH[ch]
        elif ch == "(":
            opened.append(i)
        elif ch == ")":
            pairs.append((opened.pop(), i) if opened else (i,))
    pairs.extend((i,) for i in opened)
    for group in pairs:  # a pair of parentheses is converted together, or not at all
        if any(han_near(i) for i in group):
            for i in group:
                out[i] = FULL_WIDTH[joined[i]]
    pieces, start = [], 0
    for text in texts:
        pieces.append("".join(out[start : start + len(text)]))
        start += len(text)
    return pieces


#: The ASCII marks :func:`fullwidth_punctuation` may convert.
_ASCII_MARKS = re.compile(r"[,:;?!()]")


@dataclass(frozen=True, slots=True, eq=False)  # compared by identity: lookups find shared atoms in lists
class _Atom:
    """An unbreakable unit: one CJK character, a ……/—— pair, a Latin word (part) or a space."""

    text: str
    font: str
    size: float
    widths: tuple[float, ...]
    """Natural advance of each character."""
    width: float
    """Advance of the whole atom (the grid pitch times its length, under a grid)."""
    kind: str
    """``cjk``, ``latin`` or ``space``."""
    glued: bool = False
    """A Latin atom continuing the previous atom's word (the face changed inside the word)."""
    joined: bool = False
    """A Latin atom continuing a word after its hyphen or slash: a line may end before it, but
    justification adds no space there."""
    squeeze_right: float = 0.0
    """How much a closing mark's blank right half may be compressed."""
    squeeze_left: float = 0.0
    """How much an opening mark's blank left half may be compressed."""
    edges: tuple[str, str] = ("", "")
    """Class of the first and last character for the Han–Latin gap: ``han``, ``alnum`` or ``""``."""
    url: bool = False
    """A part of a URL after its first: justification may space the URL there, as between characters."""
    bold: bool = False
    placed: tuple[tuple[float, float], ...] = ()
    """Per character, when the ink places it: (shift from its cell's start in points, horizontal scale %)."""
    lead: float = 0.0
    """Space before the first glyph of a Latin word snapped to whole grid cells (its glyphs keep their advances)."""
    # Derived once per atom (atoms are shared by every line and paragraph that sets them), for
    # the loop that groups a line's characters into pieces.
    simple: bool = field(init=False, repr=False, compare=False)
    """One glyph drawn at the atom's origin, unscaled (most CJK characters and spaces)."""
    advances: tuple[float, ...] = field(init=False, repr=False, compare=False)
    """What each character's glyph advances as drawn: its natural width, scaled where ``placed`` says."""
    step: float = field(init=False, repr=False, compare=False)
    """The space between the atom's characters beyond their natural widths (a grid's pitch less them)."""
    first: str = field(init=False, repr=False, compare=False)
    last: str = field(init=False, repr=False, compare=False)
    pinched: bool = field(init=False, repr=False, compare=False)
    """A closing mark before it may give up its blank half (:func:`_pair_squeeze`): a mark of either kind, or a closing one."""
    opens: bool = field(init=False, repr=False, compare=False)
    """A CJK atom ending in an opening mark (the mark after it may give up its blank left half)."""
    flat: tuple[str, float, bool] | None = field(init=False, repr=False, compare=False)
    """Face, size and look of a one-glyph CJK character or space that advances by its glyph's width
    and takes justification before it (most characters); None for other atoms."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "first", self.text[0])
        object.__setattr__(self, "last", self.text[-1])
        cjk = self.kind == "cjk"
        object.__setattr__(self, "pinched", bool(self.squeeze_right or self.squeeze_left or (cjk and self.first in CLOSING)))
        object.__setattr__(self, "opens", cjk and self.last in OPENING)
        scales = [scale for _, scale in self.placed] if self.placed else [100.0] * len(self.text)
        object.__setattr__(self, "simple", len(self.text) == 1 and not self.placed and not self.lead)
        object.__setattr__(self, "advances", tuple(natural * scale / 100 for natural, scale in zip(self.widths, scales)))
        object.__setattr__(self, "step", (self.width - sum(self.widths)) / len(self.text))
        flat = self.simple and self.kind != "latin" and not (self.glued or self.joined) and self.width == self.widths[0]
        object.__setattr__(self, "flat", (self.font, self.size, self.bold) if flat else None)


class _Widths:
    """Per-character widths, memoised (for one paragraph, or a whole document in a LayoutCache)."""

    def __init__(self, width: Metrics) -> None:
        self.width = width
        self.cache: dict[tuple[str, str, float], float] = {}

    def __call__(self, ch: str, font: str, size: float) -> float:
        key = (ch, font, size)
        if key not in self.cache:
            self.cache[key] = self.width(ch, font, size)
        return self.cache[key]


class LayoutCache:
    """Character widths and atoms shared by the paragraphs of one document.

    A long document repeats the same few thousand characters: measuring and classifying each
    one once per document instead of once per paragraph keeps layout time linear in the text.
    Atoms are immutable, so sharing them cannot change a result. Make one per render, with the
    width function every ``break_lines`` call of that render is given.
    """

    __slots__ = ("alone", "atoms", "classes", "ink", "width", "widths")

    def __init__(self, width: Metrics, ink: InkOf | None = None) -> None:
        self.width = width
        self.ink = ink
        self.widths = _Widths(width)
        self.classes: dict[str, str] = {}
        self.atoms: dict[tuple[Any, ...], dict[tuple[Any, ...], _Atom]] = {}
        """Per face and measure (font, size, bold, pitch, squeezing), the atoms made per chunk."""
        self.alone: dict[tuple[Any, ...], dict[str, _Atom]] = {}
        """The same per character that is an atom whatever surrounds it (a CJK character, a space)."""


def _atom(
    text: str, font: str, size: float, kind: str, glued: bool, measure: Measure, widths: _Widths, joined: bool = False
) -> _Atom:
    natural = tuple(widths(ch, font, size) for ch in text)
    width = sum(natural)
    if kind == "cjk" and measure.char_pitch is not None:
        width = measure.char_pitch * len(text)
    elif kind == "cjk" and (text[0] in _PAIRED or (len(text) == 1 and text in _QUOTES_OPEN | _QUOTES_CLOSE)):
        width = max(width, size * len(text))  # a full cell each, whatever the face's advance
    right = left = 0.0
    if (measure.squeeze or measure.grid_squeeze) and kind == "cjk" and len(text) == 1:
        compressible = max(0.0, width - 0.5 * size)  # never into the glyph's own half
        right = compressible if text in _SQUEEZE_CLOSE else 0.0
        left = compressible if text in _SQUEEZE_OPEN else 0.0
    return _Atom(text, font, size, natural, width, kind, glued, joined, right, left, (_edge(text[0]), _edge(text[-1])))


def _edge(ch: str) -> str:
    return "han" if _is_han(ch) else "alnum" if _is_alnum(ch) or ch in _NUMBER_SIGNS else ""


def _placed(atom: _Atom, ink: InkOf | None) -> _Atom:
    """The atom with its marks placed by their ink in their cells (quotes, —— and ……), when the face tells."""
    if ink is None or atom.kind != "cjk" or not (atom.first in _PAIRED or atom.text in _QUOTES_OPEN | _QUOTES_CLOSE):
        return atom
    found = ink(atom.first, atom.font)
    if found is None or not found.parts:
        return atom
    cell, size = atom.width / len(atom.text), atom.size
    low, high = found.parts[0][0] * size, found.parts[-1][1] * size
    if atom.first == "—" and high > low:
        scale = (cell * (1 + _RULE_OVERLAP)) / (high - low)
        place = (-low * scale - cell * _RULE_OVERLAP / 2, 100.0 * scale)
        return replace(atom, placed=(place,) * len(atom.text))
    if atom.first == "…" and len(found.parts) >= 2:
        first, last = [(a + b) / 2 * size for a, b in (found.parts[0], found.parts[-1])]
        # The dots evenly across the cells, 1/3 em apart (…… is six dots in two cells): the glyph
        # is widened from the face's own pitch (FandolFang's 0.28 em) and its first dot set 1/6 em
        # in, centred, which may put its origin left of its cell (see _Layout._pieces for when not).
        pitch = cell / len(found.parts)
        scale = pitch * (len(found.parts) - 1) / (last - first)
        return replace(atom, placed=((pitch / 2 - first * scale, 100.0 * scale),) * len(atom.text))
    if len(atom.text) != 1:
        return atom
    middle = (low + high) / 2
    opening = atom.text in _QUOTES_OPEN
    if (opening and middle < cell / 2) or (not opening and middle > cell / 2):
        return replace(atom, placed=((cell - high - low, 100.0),))  # mirror the ink within the cell
    return atom


def _char_class(ch: str) -> str:
    """``space`` (a break opportunity that vanishes), ``cjk`` (set on the em grid) or ``latin``."""
    if ch.isspace() and not is_cjk(ch):
        return "space"
    return "cjk" if is_cjk(ch) else "latin"


def _chunks_at(text: str, i: int, classes: dict[str, str], tied: frozenset[int]) -> tuple[list[tuple[str, str, bool]], int]:
    """The (kind, text, tied) chunks of a run starting at ``text[i]``, and where they end: a space,
    a CJK character (…… and —— kept whole), or a Latin word, cut after each hyphen or slash inside
    it (``state-``, ``of-``, ``art``), a URL after each ``/ _ . -``. ``tied`` marks a chunk no line
    may start with (inside a date: ``tied`` holds those indices).

    ``classes`` memoises each character's class across calls.
    """
    ch, j = text[i], i + 1
    kind = classes.get(ch) or classes.setdefault(ch, _char_class(ch))
    if kind == "space":
        return [("space", " ", False)], j
    if kind == "cjk":
        while ch in _PAIRED and j < len(text) and text[j] == ch:
            j += 1
        return [("cjk", text[i:j], i in tied)], j
    while j < len(text) and (classes.get(text[j]) or classes.setdefault(text[j], _char_class(text[j]))) == "latin":
        j += 1
    return [("latin", part, i in tied and n == 0) for n, part in enumerate(_word_parts(text[i:j]))], j


def _date_ties(text: str) -> frozenset[int]:
    """Indices inside a date (not its first character) at which a chunk starts: no break before them."""
    if "月" not in text and "年" not in text:
        return frozenset()
    return frozenset(k for found in DATE.finditer(text) for k in range(found.start() + 1, found.end()))


def is_url(word: str) -> bool:
    """Whether a Latin word is a web address (its parts may break after ``/ _ . -``)."""
    return "://" in word or word.lower().startswith("www.")


def _word_parts(word: str) -> list[str]:
    """A Latin word cut after each hyphen or slash that follows a letter or digit of it and
    precedes one (``well-known`` → ``well-``, ``known``; ``-5``, ``a--``, ``//`` and ``COVID-19``
    stay whole); a URL also after ``_`` and ``.``."""
    breakers = _URL_BREAK_AFTER if is_url(word) else _WORD_BREAK_AFTER
    parts: list[str] = []
    start = 0
    for k in range(1, len(word)):
        if _breaks_between(word[start:k], word[k], breakers):
            parts.append(word[start:k])
            start = k
    parts.append(word[start:])
    return parts


def _breaks_between(before: str, after: str, breakers: frozenset[str]) -> bool:
    """May a Latin word break between ``before`` (its part so far) and the character ``after``?"""
    if before[-1] not in breakers or after in breakers:
        return False
    if before[-1] == "-" and after.isdigit():
        return False  # COVID-19, 2024-01: the number belongs to what precedes it
    return bool(before.strip("".join(breakers)))  # not at the word's start


def _atoms(runs: Sequence[Run], measure: Measure, cache: LayoutCache) -> list[_Atom]:
    atoms: list[_Atom] = []
    # An atom depends on the measure only through the grid pitch and squeezing.
    pitch, squeeze = measure.char_pitch, (measure.squeeze, measure.grid_squeeze)
    url = False
    for run in runs:
        # Atoms are immutable: repeats are shared, looked up per run's face and measure, then per chunk.
        look = (run.font, run.size, run.bold, pitch, squeeze)
        made = cache.atoms.get(look)
        if made is None:
            made = cache.atoms[look] = {}
        alone = cache.alone.get(look)
        if alone is None:
            alone = cache.alone[look] = {}
        text = run.text
        # Most characters are an atom of their own whatever surrounds them (a CJK character, a
        # space): all of those the document has set before are found in one step; the loop below
        # makes the others' chunks (Latin words, …… and ——, what a date ties, first occurrences).
        found: list[_Atom | None] = list(map(alone.get, text))
        tied = _date_ties(text)
        for k in tied:
            found[k] = None
        at = 0
        while at < len(text):
            try:
                i = found.index(None, at)
            except ValueError:
                i = len(text)
            if i > at:
                atoms.extend(found[at:i])  # type: ignore[arg-type]  # no None before i
                url = False
            if i == len(text):
                break
            chunks, at = _chunks_at(text, i, cache.classes, tied)
            for n, (kind, chunk, tie) in enumerate(chunks):
                if kind != "latin":  # what the Latin rules below give a Han character or a space
                    key: tuple[Any, ...] = (chunk, kind, tie)
                    atom = made.get(key)
                    if atom is None:
                        atom = _atom(chunk, run.font, run.size, kind, tie, measure, cache.widths, False)
                        atom = made[key] = _placed(replace(atom, bold=run.bold, url=False), cache.ink)
                    if kind == "space" or not (tie or text[i] in _PAIRED):
                        alone[text[i]] = atom
                    atoms.append(atom)
                    url = False
                    continue
                # A Latin chunk after a Latin atom continues its word: cut after a hyphen or slash
                # (always so inside a run), else glued to it (the face changed inside the word).
                follows_word = bool(atoms) and atoms[-1].kind == "latin"
                joined = follows_word and (i > 0 or n > 0 or _breaks_after(atoms[-1].text, chunk)) and not tie
                glued = (follows_word and not joined) or tie
                url = (follows_word and url) or is_url(chunk)
                key = (chunk, kind, glued, joined, url and joined)
                atom = made.get(key)
                if atom is None:
                    atom = _atom(chunk, run.font, run.size, kind, glued, measure, cache.widths, joined)
                    atom = made[key] = _placed(replace(atom, bold=run.bold, url=url and joined), cache.ink)
                atoms.append(atom)
    return _snapped(atoms, pitch) if pitch is not None else atoms


def _snapped(atoms: list[_Atom], pitch: float) -> list[_Atom]:
    """On a grid, a Latin word of one atom between Han characters (110, 12345, GDP) takes whole
    cells, centred in them, as Word's snap to grid sets it: the characters after it
    stay on the grid, and the line has no fraction of a cell left to spread as letter spacing."""
    out = list(atoms)
    for k, atom in enumerate(atoms):
        continued = k + 1 < len(atoms) and (atoms[k + 1].glued or atoms[k + 1].joined)
        if atom.kind != "latin" or atom.glued or atom.joined or continued:
            continue
        # The spare space goes beside Han characters only, half on each side: next to a mark or
        # bracket (4.9%，, （COVID-19）) it would read as a hole, so such a word keeps its width.
        before = k > 0 and atoms[k - 1].edges[1] == "han"
        after = k + 1 < len(atoms) and atoms[k + 1].edges[0] == "han"
        # A word a hair wider than whole cells (2024 in FangSong on a pitch just under the em) keeps
        # its width: a third cell would show as a gap.
        cells = math.ceil(atom.width / pitch - 0.1)
        pad = cells * pitch - atom.width
        if pad > _EPS and before and after:
            out[k] = replace(atom, width=cells * pitch, lead=pad / 2)
    return out


def _breaks_after(before: str, after: str) -> bool:
    """May a line end between two parts of a Latin word (after its hyphen or slash)?"""
    return _breaks_between(before, after[0], _WORD_BREAK_AFTER)


def _may_break(atoms: Sequence[_Atom], j: int) -> bool:
    """May a line end before ``atoms[j]``? Spaces vanish at a break, so look past them."""
    before, after = j - 1, j
    while before >= 0 and atoms[before].kind == "space":
        before -= 1
    while after < len(atoms) and atoms[after].kind == "space":
        after += 1
    if before < 0 or after >= len(atoms):
        return True
    if atoms[after].first in CLOSING or atoms[before].last in OPENING:
        return False
    return not atoms[j].glued


def _gap(before: _Atom, after: _Atom, measure: Measure) -> float:
    """Extra space between a Han character and an adjacent Latin letter or digit."""
    pair = (before.edges[1], after.edges[0])
    if after.glued:  # inside a date or a word
        return 0.0
    if measure.latin_gap and (pair == ("han", "alnum") or pair == ("alnum", "han")):
        return measure.latin_gap * max(before.size, after.size)
    return 0.0


# -- breaking ----------------------------------------------------------------


def break_lines(runs: Sequence[Run], measure: Measure, width: Metrics, *, cache: LayoutCache | None = None) -> list[Line]:
    """Lay out a paragraph's runs in lines of ``measure.width`` points (greedy, first fit).

    ``cache``, made with the same ``width``, shares measurements between the paragraphs of a document.
    """
    if cache is None or cache.width is not width:
        cache = LayoutCache(width)
    if any(run.text == LINE_BREAK for run in runs):
        return _broken_at_breaks(runs, measure, width, cache)
    widths = cache.widths
    spans, atoms = _greedy(_atoms(runs, measure, cache), measure, widths)
    if measure.balance and len(spans) > 1:
        spans, atoms = _balanced(atoms, spans, measure, widths)
    company = _keep_company(atoms, spans, measure)
    # On a grid, the line that gave a character away keeps its characters on the grid, ragged.
    ragged = len(spans) - 2 if company != spans and measure.char_pitch is not None else -1
    lines = []
    for number, (start, stop) in enumerate(company):
        layout = _Layout(atoms[start:stop], measure, _avail(measure, number))
        last = stop >= len(atoms) or number == ragged or (measure.balance and measure.align == "justify")
        lines.append(layout.line(measure.indent if not number else measure.hang, last=last, widths=widths))
    return lines


def _broken_at_breaks(runs: Sequence[Run], measure: Measure, width: Metrics, cache: LayoutCache) -> list[Line]:
    """A paragraph with explicit breaks (runs of just :data:`LINE_BREAK`: a title's lines from the
    outline): each part broken and balanced on its own, the parts after the first as continuation lines."""
    lines: list[Line] = []
    part: list[Run] = []
    for run in [*runs, None]:
        if run is not None and run.text != LINE_BREAK:
            part.append(run)
        elif part:
            lines.extend(break_lines(part, measure if not lines else replace(measure, indent=measure.hang), width, cache=cache))
            part = []
    return lines


def _greedy(
    atoms: list[_Atom], measure: Measure, widths: _Widths, *, phrases: bool = False
) -> tuple[list[tuple[int, int]], list[_Atom]]:
    """Each line as (start, stop) into the atoms, filled first fit (``phrases``: ended at a phrase
    boundary up to three atoms earlier, where there is one); the atoms, an over-long token cut."""
    spans: list[tuple[int, int]] = []
    start = 0
    while True:
        while start < len(atoms) and atoms[start].kind == "space":
            start += 1
        if start >= len(atoms):
            return spans, atoms
        avail = _avail(measure, len(spans))
        if atoms[start].kind == "latin" and atoms[start].width > avail + _EPS:
            # A word wider than the line: all of its full lines cut at once (what a forced cut per
            # line gives), in time linear in its length, with one splice of the atom list per word.
            # On a grid too: the cuts measure natural advances, as _cut does, snapped or not.
            heads, rest = _split_long(atoms[start], avail, _avail(measure, 1), measure, widths)
            if heads:
                atoms = [*atoms[:start], *heads, rest, *atoms[start + 1 :]]  # a new list, as _cut gives: callers keep theirs
                spans.extend((start + k, start + k + 1) for k in range(len(heads)))
                start += len(heads)
                avail = _avail(measure, len(spans))
        stop, atoms = _fit(atoms, start, avail, measure, widths)
        if phrases and stop < len(atoms):
            stop = next((j for j in range(stop, max(start, stop - 4), -1) if _phrase_break(atoms, j)), stop)
        spans.append((start, stop))
        start = stop


#: A title may break after these (a phrase ends) or before the opening marks.
_PHRASE_END = frozenset("的和与及、，：；。！？”》）")
_PHRASE_START = frozenset("“《（")


#: The kinds of official document (GB/T 9704 and common practice) a title ends with: ``…的通知``.
_DOCUMENT_KINDS = ("通知", "通报", "意见", "报告", "请示", "决定", "决议", "批复", "函", "纪要", "命令", "公告", "通告", "公报", "议案", "方案", "办法", "规定")
_KIND_LAST = frozenset(kind[-1] for kind in _DOCUMENT_KINDS)
#: The most characters between a title's last 的 and its end for them to be its kind (``的情况报告``).
_KIND_PHRASE = 6
#: Words after which a title's phrase ends: an organ's name (its subject may start on a new line),
#: ``机关`` and ``年度`` (``2024年度 / 机关安全生产…``), common in titles with no punctuation.
_WORD_ENDS = ("人民政府", "办公室", "办公厅", "委员会", "机关", "年度")


def _phrase_break(atoms: Sequence[_Atom], j: int, *, words: bool = True) -> bool:
    """Does a phrase end before ``atoms[j]``, and may the line end there?

    Punctuation, 的, 和 and spaces end a phrase; so does the 的 before a title's closing kind of
    document (``…工作 / 的通知``: the kind keeps its 的, never ``…工作的 / 通知``). With ``words``,
    also an official title's parts (〔organ〕关于〔subject〕的〔kind〕): before and after 关于
    (``organ关于 / subject`` is as common) and after the words of :data:`_WORD_ENDS`. Those are
    for first fit's look-back only: as the even search's cuts they would win over balance
    (``江城市人民政府办公室关于 / 进一步加强…工作的通知``, the second line half as long again).
    """
    before, after = atoms[j - 1], atoms[j]
    kind_at = _kind_phrase(atoms)
    if kind_at is not None and j == kind_at + 1:
        return False
    boundary = before.last in _PHRASE_END or after.first in _PHRASE_START or before.kind == "space" or j == kind_at
    if words and not boundary:
        boundary = "关于" in (_text(atoms, j, j + 2), _text(atoms, max(0, j - 2), j)) or _text(atoms, max(0, j - 4), j).endswith(_WORD_ENDS)
    return boundary and _may_break(atoms, j)


def _text(atoms: Sequence[_Atom], start: int, stop: int) -> str:
    return "".join(atom.text for atom in atoms[start:stop])


def _kind_phrase(atoms: Sequence[_Atom]) -> int | None:
    """Where the 的 before a title's closing kind of document is (``…的通知``), if the text ends so."""
    if not atoms or atoms[-1].last not in _KIND_LAST:
        return None  # most headings: asked at every possible break, answered at once
    tail = _text(atoms, max(0, len(atoms) - _KIND_PHRASE - 1), len(atoms))
    at = tail.rfind("的")
    if at < 0 or not tail.endswith(_DOCUMENT_KINDS) or not all(_is_han(ch) for ch in tail[at:]):
        return None
    return len(atoms) - (len(tail) - at)


def _balanced(
    atoms: list[_Atom], spans: list[tuple[int, int]], measure: Measure, widths: _Widths
) -> tuple[list[tuple[int, int]], list[_Atom]]:
    """As many lines as first fit gives, of even length: broken at phrase boundaries only, when
    that gives lines even enough (:func:`_even_phrase_lines`); else the narrowest measure that
    still gives that many (found by halving), broken at phrase boundaries when that keeps the count."""
    count = len(spans)
    even = _even_phrase_lines(atoms, measure, count)
    if even is not None:
        return even, atoms
    low, high = measure.width / (count + 1), measure.width
    for _ in range(12):
        middle = (low + high) / 2
        tried, _cut_atoms = _greedy(atoms, replace(measure, width=middle), widths)
        if len(tried) <= count and all(len(a.text) == len(b.text) for a, b in zip(_cut_atoms, atoms)) and len(_cut_atoms) == len(atoms):
            high = middle
        else:
            low = middle
    # Phrase breaks move words down: let the lines grow (up to the measure) to keep the count.
    tries = [(True, high + (measure.width - high) * step / 8) for step in range(9)] + [(False, high)]
    valid = []
    for rank, (phrases, width) in enumerate(tries):
        found, same = _greedy(atoms, replace(measure, width=width), widths, phrases=phrases)
        if len(found) == count and len(same) == len(atoms) and all(
            _Layout(same[a:b], measure, _avail(measure, k)).fits for k, (a, b) in enumerate(found)
        ):
            score = _mid_phrase_ends(same, found, measure)
            if score == (0, True):
                return found, same  # none better: the tries go from the narrowest measure up
            valid.append((score, width, rank, found, same))
    # The fewest lines ending inside a phrase, of those still even; then the narrowest. (Taking the
    # first that kept the count took a wider measure for nothing: a look-back to 关于 left the next
    # line too long, ``…进一步加 / 强…``.)
    even_ones = [one for one in valid if one[0][1]]
    if not valid:
        return spans, atoms
    _, _, _, found, same = min(even_ones or valid, key=lambda one: (one[0][0], one[1], one[2]))
    return found, same


def _mid_phrase_ends(atoms: list[_Atom], spans: list[tuple[int, int]], measure: Measure) -> tuple[int, bool]:
    """How many lines end inside a phrase, and are the lines even (their ends within a third of the measure)?"""
    ends = [_Layout(atoms[a:b], measure, _avail(measure, k)).end for k, (a, b) in enumerate(spans)]
    return sum(not _phrase_break(atoms, b) for _, b in spans[:-1]), max(ends) - min(ends) <= measure.width / 3


#: At most this many ways to cut a heading into lines are tried (a heading has few phrases).
_MAX_CUTS_TRIED = 5000


def _even_phrase_lines(atoms: list[_Atom], measure: Measure, count: int) -> list[tuple[int, int]] | None:
    """A title or heading in ``count`` lines, broken only at phrase boundaries: the ones that make
    the lines most even (where the longest and the shortest end), each fitting, when those differ
    by at most a third of the measure; else None (also when there are too many ways to try).

    (A balanced measure then first fit finds a boundary only a few characters from the even
    break: a heading's phrases are longer, ``数字政府建设和 / “互联网+政务服务”``; and in three
    lines it cut a quoted term, ``新时代“枫桥经 / 验”``.)"""
    cuts = [j for j in range(1, len(atoms)) if atoms[j].kind != "space" and _phrase_break(atoms, j, words=False)]
    if len(cuts) < count - 1 or math.comb(len(cuts), count - 1) > _MAX_CUTS_TRIED:
        return None
    ends: dict[tuple[int, int, int], float | None] = {}

    def end(a: int, b: int, number: int) -> float | None:
        """Where line ``number`` of atoms ``a:b`` ends, if it fits."""
        key = (a, b, number)
        if key not in ends:
            layout = _Layout(atoms[a:b], measure, _avail(measure, number))
            ends[key] = layout.end + (measure.indent if not number else measure.hang) if layout.fits else None
        return ends[key]

    best: list[tuple[float, tuple[int, ...]]] = []

    def extend(bounds: tuple[int, ...], low: float, high: float) -> None:
        """Try every way on from ``bounds`` (the lines so far end between ``low`` and ``high``), in
        the order of ``itertools.combinations``, keeping the first split of the least spread."""
        number, start = len(bounds) - 1, bounds[-1]
        later = [c for c in cuts if c > start]
        rest = [len(atoms)] if number == count - 1 else later[: len(later) - (count - 2 - number)]
        for stop in rest:
            at = end(start, stop, number)
            if at is None:
                break  # a longer line, holding this one, does not fit either
            if best and max(high, at) - min(low, at) >= best[0][0]:
                # No split from here is strictly more even than the best one found; nor from a
                # later cut once this line ends right of all the others (a longer line ends further).
                if at >= high:
                    break
                continue
            if stop == len(atoms):
                best[:] = [(max(high, at) - min(low, at), (*bounds, stop))]
            else:
                extend((*bounds, stop), min(low, at), max(high, at))

    extend((0,), math.inf, -math.inf)
    if not best or best[0][0] > measure.width / 3:
        return None
    return list(zip(best[0][1], best[0][1][1:]))


def _avail(measure: Measure, number: int) -> float:
    """The width line ``number`` (0 first) may fill: the measure, less the first line's indent."""
    return measure.width - (measure.indent if not number else measure.hang)


def _keep_company(atoms: list[_Atom], spans: list[tuple[int, int]], measure: Measure) -> list[tuple[int, int]]:
    """No single character (nor a URL's short tail) alone on the last line: end the line before
    one unit earlier (when the shorter line still justifies, and what moves down fits)."""
    if len(spans) < 2 or measure.align != "justify":
        return spans
    (start, stop), (last, end) = spans[-2], spans[-1]
    alone = [atom for atom in atoms[last:end] if atom.kind != "space" and atom.first not in CLOSING]
    # One character, or the short tail of a URL (``htm。``).
    if len(alone) != 1 or not (len(alone[0].text) == 1 or (alone[0].url and len(alone[0].text) <= 4)):
        return spans
    for j in range(stop - 1, start + 1, -1):
        if atoms[j].kind != "space" and _may_break(atoms, j):
            moved = _Layout(atoms[j:end], measure, _avail(measure, len(spans) - 1))
            kept = _Layout(atoms[start:j], measure, _avail(measure, len(spans) - 2))
            if moved.fits and any(kept._stretch_points(kept.avail - kept.end)):
                return [*spans[:-2], (start, j), (j, end)]
            break
    return spans


def _pair_squeeze(a: _Atom, b: _Atom) -> tuple[float, float]:
    """Two marks in a row (。” ，“ ）、 《“) take less than two ems (clreq): (a's right, b's left).

    (0, 0) unless ``a.squeeze_right and b.pinched`` or ``a.opens and b.squeeze_left``: the test
    its callers make first.
    """
    if a.squeeze_right and (b.squeeze_right or b.squeeze_left or (b.kind == "cjk" and b.first in CLOSING)):
        return a.squeeze_right, 0.0
    if a.kind == "cjk" and a.last in OPENING and b.squeeze_left:
        return 0.0, b.squeeze_left
    return 0.0, 0.0


def _fit(atoms: list[_Atom], start: int, avail: float, measure: Measure, widths: _Widths) -> tuple[int, list[_Atom]]:
    """Where the line beginning at ``start`` ends (exclusive); may cut an over-long token in two."""
    count = len(atoms)
    squeeze, latin_gap, limit = measure.squeeze, measure.latin_gap, avail + _EPS
    # The loop every line's characters go through: _gap and _pair_squeeze inlined where they give
    # nothing (most pairs), with the same arithmetic as theirs where they do. A trailing space or
    # a closing mark's blank half may overhang the measure.
    i = start  # (the only caller gives start < len(atoms))
    previous = atoms[start]
    x = 0.0 + previous.width  # nothing before the line's first atom
    if previous.kind == "space" or x - (previous.squeeze_right if squeeze else 0.0) <= limit:
        for i in range(start + 1, count):
            atom = atoms[i]
            end = x + atom.width
            gap = pinch = 0.0
            if latin_gap and not atom.glued:
                last, first = previous.edges[1], atom.edges[0]
                if last != first and last and first:  # a Han–Latin pair: else _gap gives 0 (most pairs)
                    gap = _gap(previous, atom, measure)
            if squeeze and ((previous.squeeze_right and atom.pinched) or (previous.opens and atom.squeeze_left)):  # else (0, 0)
                pinch = sum(_pair_squeeze(previous, atom))
            if gap or pinch:  # (else adding their difference, 0.0, changes nothing)
                end += gap - pinch
            if atom.kind != "space" and end - (atom.squeeze_right if squeeze else 0.0) > limit:
                break
            x, previous = end, atom
        else:
            return len(atoms), atoms
    atom = atoms[i]
    if i == start:
        return _cut(atoms, i, avail, measure, widths, force=True)
    if atom.kind == "latin" and atom.width > measure.width:  # can fit on no line: fill this one
        room = avail - x - _gap(atoms[i - 1], atom, measure)
        return _cut(atoms, i, room, measure, widths, force=not _may_break(atoms, i))
    if _may_break(atoms, i):
        return i, atoms
    if measure.squeeze and atom.first in CLOSING:
        stop = i + 1
        while stop < len(atoms) and not _may_break(atoms, stop):
            stop += 1
        if _Layout(atoms[start:stop], measure, avail).fits:
            return stop, atoms
    for j in range(i - 1, start, -1):  # push out: pull the previous character(s) down
        if _may_break(atoms, j):
            return j, atoms
    # One unbreakable cluster wider than the line (a word as wide as the measure, then a mark):
    # the word gives its last letter to the next line rather than a mark starting it.
    previous = atoms[i - 1]
    if previous.kind == "latin" and len(previous.text) > 1:
        return _cut(atoms, i - 1, previous.width - previous.widths[-1], measure, widths, force=True)
    return i, atoms


def _cut(
    atoms: list[_Atom], i: int, room: float, measure: Measure, widths: _Widths, *, force: bool
) -> tuple[int, list[_Atom]]:
    """Cut ``atoms[i]`` after the last character that fits in ``room`` (after one at least, if forced)."""
    atom = atoms[i]
    if len(atom.text) == 1:
        return (i + 1, atoms) if force else (i, atoms)
    per_char = atom.width / len(atom.text) if atom.kind == "cjk" else None
    cut, used = 0, 0.0
    for k, natural in enumerate(atom.widths[:-1], start=1):
        used += per_char if per_char is not None else natural
        if used > room + _EPS:
            break
        cut = k
    cut = max(cut, 1) if force else cut
    if cut == 0:
        return i, atoms
    head = _part(atom, 0, cut, atom.glued, atom.joined, measure, widths)
    tail = _part(atom, cut, len(atom.text), False, False, measure, widths)
    return i + 1, [*atoms[:i], head, tail, *atoms[i + 1 :]]


def _part(atom: _Atom, begin: int, end: int, glued: bool, joined: bool, measure: Measure, widths: _Widths) -> _Atom:
    """Characters ``begin:end`` of a cut atom as an atom of their own, in the atom's look: synthetic
    bold, part of a URL, marks placed by their ink (a cut must not drop them from one line's part)."""
    made = _atom(atom.text[begin:end], atom.font, atom.size, atom.kind, glued, measure, widths, joined)
    if not (atom.bold or atom.url or atom.placed):
        return made
    return replace(made, bold=atom.bold, url=atom.url, placed=atom.placed[begin:end])


def _split_long(atom: _Atom, room: float, next_room: float, measure: Measure, widths: _Widths) -> tuple[list[_Atom], _Atom]:
    """A Latin atom wider than ``room`` as the heads that fill whole lines (the first ``room``
    wide, the others ``next_room``) and the rest that fits on a line, as forced cuts give them.

    Each line's cut is found by one scan from where the last ended, so the work is linear in the
    word's length (cutting one line at a time rebuilt the remaining word for every line).
    """
    heads: list[_Atom] = []
    text, natural, begin = atom.text, atom.widths, 0
    while begin < len(text) - 1:  # a last letter alone is left to the usual forced cut
        used, k = 0.0, begin
        while k < len(text):
            used += natural[k]
            if used > room + _EPS:
                break
            k += 1
        else:
            break  # the rest fits on one line
        cut = min(max(k, begin + 1), len(text) - 1)  # one letter at least, and one left for the rest
        first = not heads
        heads.append(_part(atom, begin, cut, atom.glued and first, atom.joined and first, measure, widths))
        begin, room = cut, next_room
    return heads, _part(atom, begin, len(text), False, False, measure, widths)


class _Layout:
    """Horizontal positions of one line's atoms: compression, gaps, then alignment."""

    def __init__(self, atoms: Sequence[_Atom], measure: Measure, avail: float) -> None:
        while atoms and atoms[-1].kind == "space":
            atoms = atoms[:-1]
        self.atoms, self.measure, self.avail = atoms, measure, avail
        self.em: float | None = None  # the largest font size, once asked
        n = len(atoms)
        self.left, self.right = [0.0] * n, [0.0] * n
        if measure.squeeze and n:
            self._pinch_pairs()
            self.right[-1] = atoms[-1].squeeze_right  # a line-end mark's blank half overhangs
        elif measure.grid_squeeze and n:
            self._pinch_pairs()  # only marks in a row: the grid's line-end mark keeps its cell
        # What the grid's compression saves is lent back to the line whatever the spacing limits.
        self.lent = sum(self.left) + sum(self.right) if measure.grid_squeeze else 0.0
        self.starts, self.end = self._place()
        if measure.squeeze and n and self.end - avail > _EPS:  # else there is nothing more to compress
            self._compress_more(self.end - avail)
            self.starts, self.end = self._place()
        self.fits = self.end <= avail + _EPS

    def _pinch_pairs(self) -> None:
        """Compress each pair of marks in a row (:func:`_pair_squeeze`)."""
        atoms, right, left = self.atoms, self.right, self.left
        for k in range(len(atoms) - 1):
            a, b = atoms[k], atoms[k + 1]
            if (a.squeeze_right and b.pinched) or (a.opens and b.squeeze_left):  # else _pair_squeeze gives (0, 0): most pairs
                pinch_right, pinch_left = _pair_squeeze(a, b)
                right[k] = max(right[k], pinch_right)
                left[k + 1] = max(left[k + 1], pinch_left)

    def _compress_more(self, overflow: float) -> None:
        """Compress further marks, last first, until the line fits (when it can)."""
        for k in range(len(self.atoms) - 1, -1, -1):
            if overflow <= _EPS:
                return
            # An opening mark keeps its left half at the line start or after a space, so that no
            # glyph starts left of the margin or of the character before it.
            left = self.atoms[k].squeeze_left if k and self.atoms[k - 1].kind != "space" else 0.0
            for side, limit in ((self.right, self.atoms[k].squeeze_right), (self.left, left)):
                take = min(limit - side[k], overflow)
                if take > 0:
                    side[k] += take
                    overflow -= take

    def _place(self) -> tuple[list[float], float]:
        """Each atom's origin before alignment (its glyphs are drawn from there), and the line's end."""
        starts: list[float] = []
        x = 0.0
        atoms, left, right, measure = self.atoms, self.left, self.right, self.measure
        latin_gap = measure.latin_gap
        # Most lines compress nothing, or only their last mark's blank half: up to it, nothing to take off.
        plain = len(atoms) - 1 if atoms and not any(left) and not any(right[:-1]) else 0
        self.even = plain == len(atoms) - 1 or len(atoms) < 2
        """Each atom starts where the one before ends (gaps aside): nothing compressed between them."""
        for k in range(plain):
            atom = atoms[k]
            if k and latin_gap and not atom.glued:
                last, first = atoms[k - 1].edges[1], atom.edges[0]
                if last != first and last and first:  # a Han–Latin pair: else _gap gives 0 (most pairs)
                    x += _gap(atoms[k - 1], atom, measure)
            starts.append(x)
            x += atom.width
        for k in range(plain, len(atoms)):
            atom = atoms[k]
            if k and latin_gap and not atom.glued:
                last, first = atoms[k - 1].edges[1], atom.edges[0]
                if last != first and last and first:
                    x += _gap(atoms[k - 1], atom, measure)
            starts.append(x - left[k])
            x += atom.width - left[k] - right[k]
        return starts, x

    def line(self, indent: float, *, last: bool, widths: _Widths) -> Line:
        """Align the atoms and group their characters into pieces of equal character spacing."""
        starts, atoms = self.starts, self.atoms
        slack = self.avail - self.end
        align = self.measure.align
        offset = indent + {"center": slack / 2, "right": slack}.get(align, 0.0)
        spaced: list[float] | None = None  # extra space between an atom's letters: none unless justified
        total = 0.0  # the justification added before the last atom
        breaks: list[int] = []
        inner: frozenset[int] = frozenset()
        if align == "justify" and not last and slack > 0:
            breaks, inner = self._stretch_points(slack)
        if breaks and not inner:  # spaced between atoms only: a running sum of the extra before each
            extra = slack / len(breaks)
            added = [0.0] * len(atoms)
            for k in breaks:
                added[k] = extra
            shifts = list(accumulate(added))
            origins, total = [offset + start + shift for start, shift in zip(starts, shifts)], shifts[-1]
        elif inner:  # and between the letters of URLs
            count = len(breaks) + sum(len(atoms[k].text) - 1 for k in inner)
            extra, before, spaced, spread = slack / count, frozenset(breaks), [0.0] * len(starts), 0.0
            origins = []
            for k, atom in enumerate(atoms):
                spread += extra if k in before else 0.0
                origins.append(offset + starts[k] + spread)
                total = spread
                if k in inner:
                    spaced[k] = extra
                    spread += extra * (len(atom.text) - 1)
        else:  # (offset is never -0.0: adding no shift to it changes nothing)
            origins = [offset + start for start in starts]
        face = atoms[0].flat if atoms else None
        if face is not None and spaced is None and self.even and [atom.flat for atom in atoms].count(face) == len(atoms):
            pieces: tuple[Piece, ...] = (self._flat_piece(origins, face),)
        else:
            pieces = self._pieces(origins, spaced)
        end = offset + self.end + total
        # Every atom's characters are in a piece of its size: the pieces (a few) have the atoms' sizes.
        return Line(pieces, end, self.em if self.em is not None else max([piece.size for piece in pieces], default=0.0))

    def _flat_piece(self, origins: list[float], face: tuple[str, float, bool]) -> Piece:
        """The one piece :meth:`_pieces` makes of a line of flat atoms (:attr:`_Atom.flat`) of one
        face, none compressed (:attr:`even`), justified, if at all, before each: what lies between
        two characters is the same throughout, so that each one is where the piece's spacing puts
        it, within rounding (far less than the 1e-4 pt :meth:`_pieces` allows)."""
        atoms = self.atoms
        font, size, bold = face
        spacing = origins[1] - origins[0] - atoms[0].advances[0] if len(atoms) > 1 else 0.0
        return Piece("".join([atom.text for atom in atoms]), font, size, origins[0], spacing, 100.0, bold)

    def _em(self) -> float:
        """The largest font size on the line (0 for none)."""
        if self.em is None:
            self.em = max([atom.size for atom in self.atoms], default=0.0)
        return self.em

    def _stretch_points(self, slack: float) -> tuple[list[int], frozenset[int]]:
        """Where justification spreads the slack: before these atoms (between words and characters)
        and, only when the line would otherwise be set ragged, evenly between the letters of the
        URLs on it (the second set: a gap after a URL's ``/`` would read as a space). Empty: ragged."""
        atoms = self.atoms
        # One pass: the points between atoms, whether two of those join non-spaces, the URLs' atoms.
        plain: list[int] = []
        letters, found, space_before = False, [], True
        for k, atom in enumerate(atoms):
            space = atom.kind == "space"
            if k and not (atom.glued or atom.joined):
                plain.append(k)
                letters = letters or not (space or space_before)
            if atom.kind == "latin" and (atom.url or is_url(atom.text)):
                found.append(k)
            space_before = space
        urls = frozenset(found)
        # A short line is always justified; with a URL on it, the URL's letters share the slack
        # rather than the few characters around it (详　见https://…).
        loose = bool(urls) and letters and bool(plain) and slack / len(plain) > _MAX_LETTER_SPACE * self._em()
        if plain and not loose and self._justifiable(len(plain), slack, letters):
            return plain, frozenset()
        joins = [k for k in urls if k and atoms[k].url]
        count = len(plain) + len(joins) + sum(len(atoms[k].text) - 1 for k in urls)
        if urls and count and self._justifiable(count, slack, True):
            return sorted(plain + joins), urls
        return [], frozenset()

    def _justifiable(self, breaks: int, slack: float, letters: bool) -> bool:
        """Would spreading ``slack`` over ``breaks`` still read as a justified line, not as holes?

        A space between Latin words gets the extra twice (before and after the space atom).
        """
        em = self._em()
        extra = slack / breaks
        if 2 * extra > _MAX_WORD_SPACE * em + _EPS and any(atom.kind == "space" for atom in self.atoms):
            return False
        return not letters or extra <= _MAX_LETTER_SPACE * em + _EPS or slack - self.lent <= _ALWAYS_JUSTIFY * em + _EPS

    def _pieces(self, origins: list[float], spaced: list[float] | None) -> tuple[Piece, ...]:
        """Every character drawn, where its glyph goes (``spaced``: extra space between an atom's
        letters, None for none), grouped into text-show pieces: same face, size and look, each where
        the spacing puts it.

        One pass, with no record per character: a piece's spacing is what lies between its first
        two characters, so it is settled when the second arrives (``pending`` until then).
        """
        pieces: list[Piece] = []
        text: list[str] = []  # the open piece's characters
        font, size, x0, scale, bold = "", 0.0, 0.0, 100.0, False  # the open piece's first character
        advance0 = 0.0
        spacing = next_x = 0.0  # the open piece's character spacing, and where its next character would go
        opened = pending = False
        reach = 0.0  # where the last glyph drawn ends
        for atom, x, letter in zip(self.atoms, origins, spaced if spaced is not None else repeat(0.0)):
            char_size, char_font, char_bold = atom.size, atom.font, atom.bold
            if atom.simple:
                # One unscaled glyph at the atom's origin (most characters): the steps below for it alone.
                advance = atom.advances[0]
                reach = x + advance
                if pending:
                    spacing = x - x0 - advance0 if scale == 100.0 else 0.0
                    next_x, pending = x0 + advance0 + spacing, False
                if (opened and scale == 100.0 and font == char_font and size == char_size and bold == char_bold
                        and abs(next_x - x) < 1e-4):
                    text.append(atom.text)
                    next_x = x + advance + spacing
                    continue
                if opened:
                    pieces.append(Piece("".join(text), font, size, x0, spacing, scale, bold))
                font, size, x0, scale, bold, advance0 = char_font, char_size, x, 100.0, char_bold, advance
                text, opened, pending = [atom.text], True, True
                continue
            chars = atom.text
            step = atom.step + letter  # grid: pitch minus natural width
            if atom.lead or atom.kind == "latin":  # a snapped word: its glyphs at their own advances
                x, step = x + atom.lead, letter
            placed = atom.placed or ((0.0, 100.0),) * len(chars)
            if opened and reach - x > char_size / 4:
                # The glyph before reaches well into this cell (a mark compressed to half a cell, not
                # a grid's slight squeeze): a glyph starting left of its cell there makes pdftotext
                # start a new line (线” / ……).
                placed = tuple((max(0.0, shift), stretch) for shift, stretch in placed)
            for ch, natural, advance, (shift, char_scale) in zip(chars, atom.widths, atom.advances, placed):
                start = x + shift
                x += natural + step
                reach = start + advance
                if pending:  # the open piece's second character sets its spacing
                    spacing = start - x0 - advance0 if scale == 100.0 else 0.0
                    next_x, pending = x0 + advance0 + spacing, False
                if (opened and char_scale == 100.0 and scale == 100.0 and font == char_font and size == char_size
                        and bold == char_bold and abs(next_x - start) < 1e-4):
                    text.append(ch)
                    next_x = start + advance + spacing
                    continue
                if opened:
                    pieces.append(Piece("".join(text), font, size, x0, spacing, scale, bold))
                font, size, x0, scale, bold, advance0 = char_font, char_size, start, char_scale, char_bold, advance
                text, opened, pending = [ch], True, True
        if opened:
            pieces.append(Piece("".join(text), font, size, x0, 0.0 if pending else spacing, scale, bold))
        return tuple(pieces)
