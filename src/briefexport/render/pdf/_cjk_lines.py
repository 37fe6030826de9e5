"""Break a paragraph of Chinese (and mixed Latin) text into justified lines, by the clreq rules.

reportlab's ``wordWrap='CJK'`` follows Japanese kinsoku lists and cannot justify CJK lines,
so this module does the line breaking itself (W3C "Requirements for Chinese Text Layout",
GB/T 15834 punctuation):

* no line starts with closing punctuation (，。、；：？！）》」』’”〉】…— and ASCII ,.;:?!)]})
  and none ends with opening punctuation (（《「『‘“〈【 and ASCII ([{);
* an ellipsis …… or a dash —— is one unbreakable unit;
* Latin words and numbers are never split, except after a hyphen or slash inside them
  (``state-of-|the-|art``, ``and/|or``; never before one) and a token wider than the measure;
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

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ...text import is_cjk

__all__ = ["CLOSING", "OPENING", "LayoutCache", "Line", "Measure", "Piece", "Run", "break_lines", "fullwidth_punctuation"]

#: Characters that must not start a line.
CLOSING = frozenset("，。、；：？！）》」』’”〉】〕］｝〗〙…—·％‰℃°" ",.;:?!)]}%")
#: Characters that must not end a line.
OPENING = frozenset("（《「『‘“〈【〔［｛〖〘" "([{")
#: Full-width marks whose glyph fills one half of the em: the other half may be compressed.
_SQUEEZE_CLOSE = frozenset("，。、；：）》」』’”〉】〕］｝〗〙")
_SQUEEZE_OPEN = frozenset("（《「『‘“〈【〔［｛〖〘")
#: Marks that come in pairs and are set as one unit (…… and ——).
_PAIRED = frozenset("…—")
_FULLWIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
#: Inside a Latin word a line may end after these (never before them).
_WORD_BREAK_AFTER = frozenset("-/")
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
class Run:
    """A stretch of text set in one face and size."""

    text: str
    font: str
    size: float


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


@dataclass(frozen=True, slots=True)
class Piece:
    """Characters drawn in one text-show operation: origin x on the line, PDF character spacing."""

    text: str
    font: str
    size: float
    x: float
    char_space: float = 0.0


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
    out = list(joined)

    def han_near(i: int) -> bool:
        return (i > 0 and _is_han(joined[i - 1])) or (i + 1 < len(joined) and _is_han(joined[i + 1]))

    opened: list[int] = []
    pairs: list[tuple[int, ...]] = []
    for i, ch in enumerate(joined):
        if ch in ",:;?!" and i > 0 and (_is_han(joined[i - 1]) or joined[i - 1] in _SQUEEZE_CLOSE):
            out[i] = _FULLWIDTH[ch]
        elif ch == "(":
            opened.append(i)
        elif ch == ")":
            pairs.append((opened.pop(), i) if opened else (i,))
    pairs.extend((i,) for i in opened)
    for group in pairs:  # a pair of parentheses is converted together, or not at all
        if any(han_near(i) for i in group):
            for i in group:
                out[i] = _FULLWIDTH[joined[i]]
    pieces, start = [], 0
    for text in texts:
        pieces.append("".join(out[start : start + len(text)]))
        start += len(text)
    return pieces


@dataclass(frozen=True, slots=True)
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

    @property
    def first(self) -> str:
        return self.text[0]

    @property
    def last(self) -> str:
        return self.text[-1]


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

    __slots__ = ("atoms", "classes", "width", "widths")

    def __init__(self, width: Metrics) -> None:
        self.width = width
        self.widths = _Widths(width)
        self.classes: dict[str, str] = {}
        self.atoms: dict[tuple[str, str, float, str, bool, bool, float | None, bool], _Atom] = {}


def _atom(
    text: str, font: str, size: float, kind: str, glued: bool, measure: Measure, widths: _Widths, joined: bool = False
) -> _Atom:
    natural = tuple(widths(ch, font, size) for ch in text)
    width = sum(natural)
    if kind == "cjk" and measure.char_pitch is not None:
        width = measure.char_pitch * len(text)
    right = left = 0.0
    if measure.squeeze and kind == "cjk" and len(text) == 1:
        compressible = max(0.0, width - 0.5 * size)  # never into the glyph's own half
        right = compressible if text in _SQUEEZE_CLOSE else 0.0
        left = compressible if text in _SQUEEZE_OPEN else 0.0
    return _Atom(text, font, size, natural, width, kind, glued, joined, right, left, (_edge(text[0]), _edge(text[-1])))


def _edge(ch: str) -> str:
    return "han" if _is_han(ch) else "alnum" if _is_alnum(ch) else ""


def _char_class(ch: str) -> str:
    """``space`` (a break opportunity that vanishes), ``cjk`` (set on the em grid) or ``latin``."""
    if ch.isspace() and not is_cjk(ch):
        return "space"
    return "cjk" if is_cjk(ch) else "latin"


def _split_run(text: str, classes: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """Cut a run into (kind, text) chunks: spaces, CJK characters (…… and —— kept whole), Latin
    words, a word cut after each hyphen or slash inside it (``state-``, ``of-``, ``art``).

    ``classes`` memoises each character's class across calls.
    """
    memo: dict[str, str] = {} if classes is None else classes
    kinds = [memo.get(ch) or memo.setdefault(ch, _char_class(ch)) for ch in text]
    chunks: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        ch, kind, j = text[i], kinds[i], i + 1
        if kind == "space":
            chunks.append(("space", " "))
        elif kind == "cjk":
            while ch in _PAIRED and j < len(text) and text[j] == ch:
                j += 1
            chunks.append(("cjk", text[i:j]))
        else:
            while j < len(text) and kinds[j] == "latin":
                j += 1
            chunks.extend(("latin", part) for part in _word_parts(text[i:j]))
        i = j
    return chunks


def _word_parts(word: str) -> list[str]:
    """A Latin word cut after each hyphen or slash that follows a letter or digit of it and
    precedes one (``well-known`` → ``well-``, ``known``; ``-5``, ``a--`` and ``//`` stay whole)."""
    parts: list[str] = []
    start = 0
    for k in range(1, len(word)):
        if word[k - 1] in _WORD_BREAK_AFTER and word[k] not in _WORD_BREAK_AFTER:
            head = word[start:k]
            if head.strip("".join(_WORD_BREAK_AFTER)):  # not at the word's start
                parts.append(head)
                start = k
    parts.append(word[start:])
    return parts


def _atoms(runs: Sequence[Run], measure: Measure, cache: LayoutCache) -> list[_Atom]:
    atoms: list[_Atom] = []
    made = cache.atoms  # atoms are immutable: share repeats
    # An atom depends on the measure only through the grid pitch and squeezing.
    pitch, squeeze = measure.char_pitch, measure.squeeze
    for run in runs:
        for index, (kind, text) in enumerate(_split_run(run.text, cache.classes)):
            # A Latin chunk after a Latin atom continues its word: cut after a hyphen or slash
            # (always so inside a run), else glued to it (the face changed inside the word).
            follows_word = kind == "latin" and bool(atoms) and atoms[-1].kind == "latin"
            joined = follows_word and (index > 0 or _breaks_after(atoms[-1].text, text))
            glued = follows_word and not joined
            key = (text, run.font, run.size, kind, glued, joined, pitch, squeeze)
            atom = made.get(key)
            if atom is None:
                atom = made[key] = _atom(text, run.font, run.size, kind, glued, measure, cache.widths, joined)
            atoms.append(atom)
    return atoms


def _breaks_after(before: str, after: str) -> bool:
    """May a line end between two parts of a Latin word (after its hyphen or slash)?"""
    breakers = "".join(_WORD_BREAK_AFTER)
    return before[-1] in _WORD_BREAK_AFTER and after[0] not in _WORD_BREAK_AFTER and bool(before.strip(breakers))


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
    widths = cache.widths
    atoms = _atoms(runs, measure, cache)
    lines: list[Line] = []
    start = 0
    while True:
        while start < len(atoms) and atoms[start].kind == "space":
            start += 1
        if start >= len(atoms):
            return lines
        indent = measure.indent if not lines else 0.0
        avail = measure.width - indent
        stop, atoms = _fit(atoms, start, avail, measure, widths)
        layout = _Layout(atoms[start:stop], measure, avail)
        lines.append(layout.line(indent, last=stop >= len(atoms), widths=widths))
        start = stop


def _pair_squeeze(a: _Atom, b: _Atom) -> tuple[float, float]:
    """Two marks in a row (。” ，“ ）、 《“) take less than two ems (clreq): (a's right, b's left)."""
    if a.squeeze_right and (b.squeeze_right or b.squeeze_left or (b.kind == "cjk" and b.first in CLOSING)):
        return a.squeeze_right, 0.0
    if a.kind == "cjk" and a.last in OPENING and b.squeeze_left:
        return 0.0, b.squeeze_left
    return 0.0, 0.0


def _fit(atoms: list[_Atom], start: int, avail: float, measure: Measure, widths: _Widths) -> tuple[int, list[_Atom]]:
    """Where the line beginning at ``start`` ends (exclusive); may cut an over-long token in two."""
    x, i = 0.0, start
    while i < len(atoms):
        atom = atoms[i]
        end = x + atom.width
        if i > start:
            end += _gap(atoms[i - 1], atom, measure) - (sum(_pair_squeeze(atoms[i - 1], atom)) if measure.squeeze else 0.0)
        # A trailing space or a closing mark's blank half may overhang the measure.
        if atom.kind != "space" and end - atom.squeeze_right > avail + _EPS:
            break
        x, i = end, i + 1
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
    head = _atom(atom.text[:cut], atom.font, atom.size, atom.kind, atom.glued, measure, widths, atom.joined)
    tail = _atom(atom.text[cut:], atom.font, atom.size, atom.kind, False, measure, widths)
    return i + 1, [*atoms[:i], head, tail, *atoms[i + 1 :]]


class _Layout:
    """Horizontal positions of one line's atoms: compression, gaps, then alignment."""

    def __init__(self, atoms: Sequence[_Atom], measure: Measure, avail: float) -> None:
        while atoms and atoms[-1].kind == "space":
            atoms = atoms[:-1]
        self.atoms, self.measure, self.avail = atoms, measure, avail
        n = len(atoms)
        self.left, self.right = [0.0] * n, [0.0] * n
        if measure.squeeze and n:
            for k in range(n - 1):
                right, left = _pair_squeeze(atoms[k], atoms[k + 1])
                self.right[k] = max(self.right[k], right)
                self.left[k + 1] = max(self.left[k + 1], left)
            self.right[-1] = atoms[-1].squeeze_right  # a line-end mark's blank half overhangs
        self.starts, self.end = self._place()
        if measure.squeeze and n and self.end - avail > _EPS:  # else there is nothing more to compress
            self._compress_more(self.end - avail)
            self.starts, self.end = self._place()
        self.fits = self.end <= avail + _EPS

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
        starts, x = [], 0.0
        for k, atom in enumerate(self.atoms):
            if k:
                x += _gap(self.atoms[k - 1], atom, self.measure)
            starts.append(x - self.left[k])
            x += atom.width - self.left[k] - self.right[k]
        return starts, x

    def line(self, indent: float, *, last: bool, widths: _Widths) -> Line:
        """Align the atoms and group their characters into pieces of equal character spacing."""
        starts = self.starts
        slack = self.avail - self.end
        align = self.measure.align
        shifts = [0.0] * len(starts)
        if align == "justify" and not last and slack > 0:
            breaks = [k for k in range(1, len(self.atoms)) if not (self.atoms[k].glued or self.atoms[k].joined)]
            if breaks and self._justifiable(breaks, slack):
                extra = slack / len(breaks)
                for step, k in enumerate(breaks, start=1):
                    stop = breaks[step] if step < len(breaks) else len(starts)
                    for m in range(k, stop):
                        shifts[m] = extra * step
        offset = indent + {"center": slack / 2, "right": slack}.get(align, 0.0)
        chars = self._chars([offset + s + d for s, d in zip(starts, shifts)])
        end = offset + self.end + (shifts[-1] if shifts else 0.0)
        return Line(_pieces(chars), end, max((a.size for a in self.atoms), default=0.0))

    def _justifiable(self, breaks: list[int], slack: float) -> bool:
        """Would spreading ``slack`` over ``breaks`` still read as a justified line, not as holes?

        A space between Latin words gets the extra twice (before and after the space atom).
        """
        em = max(atom.size for atom in self.atoms)
        extra = slack / len(breaks)
        atoms = self.atoms
        if any(atom.kind == "space" for atom in atoms) and 2 * extra > _MAX_WORD_SPACE * em + _EPS:
            return False
        letters = any(atoms[k - 1].kind != "space" and atoms[k].kind != "space" for k in breaks)
        return not letters or extra <= _MAX_LETTER_SPACE * em + _EPS or slack <= _ALWAYS_JUSTIFY * em + _EPS

    def _chars(self, origins: list[float]) -> list[tuple[str, str, float, float, float]]:
        """(char, font, size, x, natural width) for every character drawn."""
        out = []
        for atom, x in zip(self.atoms, origins):
            step = (atom.width - sum(atom.widths)) / len(atom.text)  # grid: pitch minus natural width
            for ch, natural in zip(atom.text, atom.widths):
                out.append((ch, atom.font, atom.size, x, natural))
                x += natural + step
        return out


def _pieces(chars: list[tuple[str, str, float, float, float]]) -> tuple[Piece, ...]:
    """Group characters into text-show pieces: same face and size, each where the spacing puts it."""
    pieces: list[Piece] = []
    text: list[str] = []
    head: tuple[str, float, float, float] | None = None  # font, size, x, spacing of the open piece
    next_x = 0.0
    for k, (ch, font, size, x, natural) in enumerate(chars):
        if head is not None and head[:2] == (font, size) and abs(next_x - x) < 1e-4:
            text.append(ch)
            next_x = x + natural + head[3]
            continue
        if head is not None:
            pieces.append(Piece("".join(text), head[0], head[1], head[2], head[3]))
        spacing = chars[k + 1][3] - x - natural if k + 1 < len(chars) else 0.0
        head, text, next_x = (font, size, x, spacing), [ch], x + natural + spacing
    if head is not None:
        pieces.append(Piece("".join(text), head[0], head[1], head[2], head[3]))
    return tuple(pieces)
