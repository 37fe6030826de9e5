"""The DOCX page in twips and the GB/T 9704 grid derived from it: plain numbers, no python-docx."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...theme.loader import TextStyle, Theme

__all__ = ["Geometry", "twips"]

TWIPS_PER_MM = 1440 / 25.4


def twips(mm: float) -> int:
    """Millimetres to whole twips (1/1440 inch), the unit WordprocessingML measures pages in."""
    return round(mm * TWIPS_PER_MM)


@dataclass(frozen=True, slots=True)
class Geometry:
    """The page in twips, as written into the section, and the GB/T 9704 grid derived from it."""

    width: int
    height: int
    top: int
    bottom: int
    left: int
    right: int
    line_pitch: int | None = None
    """Grid line pitch in twips (floored, so that every line of the grid fits the type area)."""
    char_pitch: float | None = None
    """Grid character pitch in points (floored to the 1/4096 pt ``w:charSpace`` resolution)."""
    char_grid: bool = True
    """Reach the character pitch with a Word character grid; False: with condensed character spacing."""

    @property
    def type_width(self) -> int:
        return self.width - self.left - self.right

    @classmethod
    def of(cls, theme: Theme) -> Geometry:
        """Round the theme's millimetres to twips once, then derive the grid from those twips."""
        page = theme.page
        width, height = twips(page.width), twips(page.height)
        top, bottom, left, right = (twips(m) for m in (page.margin_top, page.margin_bottom, page.margin_left, page.margin_right))
        if theme.grid is None:
            return cls(width, height, top, bottom, left, right)
        line_pitch = (height - top - bottom) // theme.grid.lines
        exact_pitch = (width - left - right) / 20 / theme.grid.chars
        char_grid = (theme.docx or {}).get("char_grid") is not False
        return cls(width, height, top, bottom, left, right, line_pitch, math.floor(exact_pitch * 4096) / 4096, char_grid)

    def char_space(self, normal_size: float) -> int | None:
        """``w:charSpace``: (character pitch − Normal font size) × 4096 (ECMA-376 §17.6.5); None without a character grid."""
        if self.char_pitch is None or not self.char_grid:
            return None
        return round((self.char_pitch - normal_size) * 4096)

    def condensed(self, normal_size: float) -> int | None:
        """Without a character grid: twentieths of a point to add to each character (floored, so the line still fits)."""
        if self.char_pitch is None or self.char_grid:
            return None
        return math.floor((self.char_pitch - normal_size) * 20)

    def char_width(self, style: TextStyle) -> float:
        """Points per character for indents: the grid's pitch when there is one, else the font size."""
        return self.char_pitch if self.char_pitch is not None else style.size

    def line_twips(self, style: TextStyle, *, on_grid: bool = True) -> int:
        """Exact line pitch: size × line height, or a whole number of grid lines for body-area text on a grid."""
        natural = style.size * style.line_height * 20
        if self.line_pitch is None or not on_grid:
            return round(natural)
        return self.line_pitch * max(1, math.ceil(natural / self.line_pitch - 1e-9))


# -- styles -------------------------------------------------------------------
