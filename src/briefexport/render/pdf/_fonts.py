"""Turn a role's spans into runs of registered reportlab faces, falling back per character.

Each theme role names font families in order of preference. A role's chain is resolved once
per render (``FontSet.chain``, TrueType faces only); every character is drawn by the first face
of the chain that has it, so a character the preferred face lacks comes from the next one
instead of vanishing as an empty box. A character no face has is reported with
``errors.warn`` (fatal under ``--strict``) naming it and the paragraph it occurs in; it is drawn
as the first face's .notdef box under its own code, so that copying the text still gives it back.

When a role's first-choice family is not installed (gongwen asks for 仿宋_GB2312, which offices
have and this machine may not), or is installed with PostScript (CFF) outlines that reportlab
cannot embed (Noto Sans Mono CJK SC as most Linux systems ship it), the substitution is logged
at ``info`` level, not as a warning: it is the theme's documented fallback, not a defect of
the document.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ...errors import FontError, LocatedError, SourcePos, coded, warn
from ...model import Span
from ._cjk_lines import LINE_BREAK, Run, fullwidth_punctuation

if TYPE_CHECKING:
    from .. import WarmMemo
    from ...fonts.fontset import Face, FaceChain, FontSet
    from ...theme.loader import Theme

__all__ = ["Typesetter", "measured_ems"]

_log = logging.getLogger("briefexport")


def _without_invisibles(text: str, shown: set[str]) -> str:
    """``text`` without zero-width spaces, joiners, BOMs and direction marks (format characters):
    they draw nothing, pasted web text is full of them, and fonts map them to an empty box.

    ``shown`` holds characters found to be no format character (a render's few thousand):
    added to here, it spares a text of only those the look at each character.
    """
    if text.isascii() or shown.issuperset(text):
        return text
    kept = "".join(char for char in text if unicodedata.category(char) != "Cf")
    shown.update(kept)
    return kept


class Typesetter:
    """Resolves each role's faces once and converts text to runs for the line breaker."""

    def __init__(self, fonts: FontSet, theme: Theme, *, strict: bool = False, memo: WarmMemo | None = None) -> None:
        self.fonts = fonts
        self.theme = theme
        self.strict = strict
        self.memo = memo
        """A warm process's runs of earlier builds (same theme and font set objects), None elsewhere."""
        self._chains: dict[tuple[str, bool], FaceChain] = {}
        self._names: dict[Face, str] = {}
        self._reported: set[str] = set()
        self._shown: set[str] = set()
        """Characters of the texts set so far that are no format character (:func:`_without_invisibles`)."""
        self.notdef: dict[str, set[int]] = {}
        """Per reportlab font name, the code points no face of the chain has (drawn as .notdef)."""

    def chain(self, role: str, bold: bool) -> FaceChain:
        """The faces of a role (its bold faces for bold spans), first choice first."""
        key = (role, bold)
        if key not in self._chains:
            style = self.theme.style(role)
            chain = self.fonts.chain(style.fonts, bold=bold, truetype_only=True)
            wanted = style.fonts[0] if style.fonts else ""
            if wanted and wanted not in self._reported:
                found = self.fonts.find(wanted, bold=bold)
                if found is None:
                    why, reason = "is not installed", "not_installed"
                elif not self.fonts.is_truetype(found):
                    why, reason = "is installed but has PostScript (CFF) outlines, which reportlab cannot embed", "cff"
                else:
                    why = reason = ""
                if why:
                    self._reported.add(wanted)
                    kind = "bundled" if chain[0].bundled else "installed"
                    said = coded("font_substituted", font=wanted, theme=self.theme.name, role=role, reason=reason,
                                 using=chain[0].family, kind=kind)
                    _log.info("font %s (theme %s, %s) %s; using %s (%s)", wanted, self.theme.name, role, why, chain[0].family, kind,
                              extra={"coded": said})
            self._chains[key] = chain
        return self._chains[key]

    @property
    def logged_nothing(self) -> bool:
        """No face was reported missing and no character uncovered: typesetting again would log nothing."""
        return not self._reported and not self.notdef

    def font_name(self, face: Face) -> str:
        """Register a face with reportlab (only faces the document draws with) and return its name."""
        if face not in self._names:
            self._names[face] = self.fonts.reportlab_name(face)
        return self._names[face]

    def primary(self, role: str) -> str:
        """The reportlab name of the role's first face, which sets its vertical metrics."""
        style = self.theme.style(role)
        return self.font_name(self.chain(role, style.bold)[0])

    def runs(
        self, role: str, spans: Sequence[Span], where: SourcePos | str | None = None, *, label: str | None = None
    ) -> list[Run]:
        """Runs for the line breaker; ASCII punctuation in Chinese context becomes full-width.

        A heading's ``label`` is set first and exactly as numbering.py made it (``1)`` stays
        ``1)``, as in the bookmarks, DOCX and EPUB): only the text after it is converted.
        """
        style = self.theme.style(role)
        key = ("pdf-runs", role, tuple(spans), label)
        found = self.memo.get(key) if self.memo is not None else None
        if isinstance(found, tuple) and found[0] is self.theme and found[1] is self.fonts:
            for span in ([Span(label)] if label else []) + list(spans):
                self._emphasis(role, style.bold, span.bold)  # the faces chosen, and the notes choosing them logs
            return list(found[2])
        visible = [_without_invisibles(span.text, self._shown) for span in spans]
        pairs = list(zip(spans, fullwidth_punctuation(visible)))
        if label:
            pairs.insert(0, (Span(label), label))
        runs: list[Run] = []
        covered = True
        for span, text in pairs:
            chain, fake = self._emphasis(role, style.bold, span.bold)
            for face, part in self.fonts.split_runs(text, chain):
                name = self.font_name(face or chain[0])
                if face is None:
                    covered = False
                    self._missing(part, role, where, name)
                bold = fake if fake is not None else (style.bold or span.bold) and not (face or chain[0]).bold
                if runs and (runs[-1].font, runs[-1].bold) == (name, bold):
                    runs[-1] = Run(runs[-1].text + part, name, style.size, bold)
                else:
                    runs.append(Run(part, name, style.size, bold))
        if self.memo is not None and covered:  # a text with a missing character warns on every build
            self.memo.put(key, (self.theme, self.fonts, tuple(runs)))
        return runs

    def _emphasis(self, role: str, role_bold: bool, span_bold: bool) -> tuple[FaceChain, bool | None]:
        """The faces of a span and whether they are bolded synthetically: everywhere (True),
        nowhere (False), or where the face found for a character is not bold (None).

        Bold text is set in the chain's bold face; where the chain has none, the glyphs are
        bolded synthetically (fill and stroke). A theme's ``pdf.emphasis`` may instead ask for
        ``synthetic`` bold of the role's own face, or a ``face`` of its own
        (``pdf.emphasis_fonts``, e.g. 黑体 in official documents) for ``**bold**`` spans.
        """
        mode = str((self.theme.pdf or {}).get("emphasis", "bold"))
        if span_bold and not role_bold and mode == "face":
            return self._emphasis_chain(), False
        if span_bold and not role_bold and mode == "synthetic":
            return self.chain(role, False), True
        return self.chain(role, role_bold or span_bold), None

    def _emphasis_chain(self) -> FaceChain:
        """The theme's emphasis faces (``pdf.emphasis_fonts``, default 黑体 then the bundled Hei)."""
        key = ("<emphasis>", False)
        if key not in self._chains:
            families = (self.theme.pdf or {}).get("emphasis_fonts") or ("黑体", "SimHei", "Noto Sans CJK SC")
            self._chains[key] = self.fonts.chain(tuple(families), bold=False, truetype_only=True)
        return self._chains[key]

    def text_runs(self, role: str, text: str, where: SourcePos | str | None = None) -> list[Run]:
        """Runs for plain text (labels, metadata, page numbers)."""
        return self.runs(role, [Span(text)], where)

    def lines_runs(self, role: str, lines: Sequence[str], where: SourcePos | str | None = None) -> list[Run]:
        """Runs for text the outline breaks into lines (a title): a :data:`LINE_BREAK` run between them."""
        runs: list[Run] = []
        for line in lines:
            if runs:
                runs.append(replace(runs[-1], text=LINE_BREAK))
            runs.extend(self.text_runs(role, line, where))
        return runs

    def _missing(self, text: str, role: str, where: SourcePos | str | None, font_name: str) -> None:
        faces = ", ".join(face.family for face in self.chain(role, False))
        for ch in dict.fromkeys(text):
            if ch.isspace():
                continue
            message = f"no font has {ch} (U+{ord(ch):04X}) in this {role} text (tried {faces}); it prints as an empty box"
            warn(where or self.theme.name, message, coded("uncovered_char", char=ch, codepoint=f"U+{ord(ch):04X}", role=role, fonts=faces))
            if self.strict:  # located where the outline or theme says where
                raise LocatedError(where, f"{message} (strict)") if where else FontError(f"{message} (strict)")
            # Drawn as the face's .notdef box under a code of its own (see _flow._split), so
            # that it extracts as itself; noted per document, never in reportlab's shared face.
            self.notdef.setdefault(font_name, set()).add(ord(ch))


def measured_ems(fonts: FontSet, theme: Theme, char_width: float, role: str = "body") -> Callable[[str], float]:
    """Width in grid characters (``char_width`` points each) of text in the role's face as Word sets it on the grid.

    Chinese characters and full-width punctuation take one grid cell each; digits and Latin
    letters their own advance, read from the face Word finds: the role's first family when it
    is installed, else the faces the PDF falls back to (仿宋_GB2312 and FandolFang have
    half-width digits, Noto and DejaVu wider ones). A face reportlab cannot read counts them half.
    """
    from reportlab.pdfbase import pdfmetrics  # here: only an official DOCX measures text this way

    style = theme.style(role)
    chain = fonts.chain(style.fonts)
    scale = style.size / char_width
    advances: dict[str, float] = {}

    def advance(face: Face | None, char: str) -> float:
        if char not in advances:
            try:
                name = fonts.reportlab_name(face) if face is not None else None
            except FontError:
                name = None
            advances[char] = pdfmetrics.stringWidth(char, name, 1.0) * scale if name else 0.5
        return advances[char]

    def ems(text: str) -> float:
        return sum(advance(face, char) if char.isascii() else 1.0 for face, run in fonts.split_runs(text, chain) for char in run)
    return ems
