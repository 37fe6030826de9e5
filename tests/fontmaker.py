"""Tiny TrueType fonts made with fontTools for tests that need a face of their own."""

from __future__ import annotations

from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

__all__ = ["tiny_font"]


def tiny_font(path: Path, ps_name: str, chars: str = "中文", *, advance: int = 600, family: str | None = None) -> Path:
    """Save a TrueType font covering ``chars`` (one triangle glyph each) at ``path``; return the path."""
    names = [".notdef", "space", *(f"uni{ord(c):04X}" for c in chars)]
    pen = TTGlyphPen(None)
    pen.moveTo((100, 0))
    pen.lineTo((100, 700))
    pen.lineTo((500, 0))
    pen.closePath()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({0x20: "space", **{ord(c): f"uni{ord(c):04X}" for c in chars}})
    builder.setupGlyf({name: pen.glyph() for name in names})
    builder.setupHorizontalMetrics({name: (advance, 100) for name in names})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": family or ps_name, "styleName": "Regular", "psName": ps_name})
    builder.setupOS2(usWeightClass=400)
    builder.setupPost()
    builder.save(path)
    return path
