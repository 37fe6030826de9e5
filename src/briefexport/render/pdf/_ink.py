"""Where a glyph's ink lies, read from a registered TrueType face's ``glyf`` table.

The line breaker places a few marks by their ink rather than by their advance: a proportional
quotation mark in its full-width cell, the two halves of —— as one rule, the six dots of ……
evenly spaced. Only those characters are ever looked up, so each glyph is parsed on demand
from the bytes reportlab already holds (no second font parser loads the face).
"""

from __future__ import annotations

import struct
from reportlab.pdfbase import pdfmetrics

from ._cjk_lines import Ink

__all__ = ["InkReader", "line_descent"]

_ON_CURVE, _X_SHORT, _REPEAT, _X_SAME = 0x01, 0x02, 0x08, 0x10


class InkReader:
    """``ink(char, font_name)`` for registered TrueType faces, memoised for one render."""

    __slots__ = ("_memo",)

    def __init__(self) -> None:
        self._memo: dict[tuple[str, str], Ink | None] = {}

    def __call__(self, char: str, font: str) -> Ink | None:
        key = (char, font)
        if key not in self._memo:
            self._memo[key] = _read(char, font)
        return self._memo[key]


def line_descent(font: str) -> float:
    """The face's ``hhea`` descender in em (positive): how far Word and LibreOffice set a line's
    bottom under its baseline (reportlab's own ``descent`` is the OS/2 typographic one)."""
    face = getattr(pdfmetrics.getFont(font), "face", None)
    data = getattr(face, "_ttf_data", None)
    table = getattr(face, "table", {})
    if face is None or not isinstance(data, bytes) or "hhea" not in table:
        return -float(getattr(face, "descent", -200)) / 1000
    (descender,) = struct.unpack_from(">h", data, table["hhea"]["offset"] + 6)
    units: float = face.unitsPerEm
    return -int(descender) / units


def _read(char: str, font: str) -> Ink | None:
    face = getattr(pdfmetrics.getFont(font), "face", None)
    data = getattr(face, "_ttf_data", None)
    if face is None or not isinstance(data, bytes) or "glyf" not in getattr(face, "table", {}):
        return None
    gid = face.charToGlyph.get(ord(char))
    if gid is None or gid + 1 >= len(face.glyphPos):
        return None
    start = face.table["glyf"]["offset"] + face.glyphPos[gid]
    if face.glyphPos[gid + 1] == face.glyphPos[gid]:
        return None  # an empty glyph (a space)
    return _ink(data, start, float(face.unitsPerEm))


def _ink(data: bytes, at: int, units: float) -> Ink:
    contours, x_min, y_min, x_max, y_max = struct.unpack_from(">hhhhh", data, at)
    parts: tuple[tuple[float, float], ...] = ((x_min / units, x_max / units),)
    if contours > 0:
        found = _contour_extents(data, at + 10, contours)
        if found:
            parts = tuple((low / units, high / units) for low, high in found)
    return Ink(parts, y_min / units, y_max / units)


def _contour_extents(data: bytes, at: int, contours: int) -> list[tuple[int, int]]:
    """The x-extent of each group of overlapping contours of a simple glyph, left to right."""
    ends = struct.unpack_from(f">{contours}H", data, at)
    at += 2 * contours
    (skip,) = struct.unpack_from(">H", data, at)
    at += 2 + skip
    count = ends[-1] + 1
    flags: list[int] = []
    while len(flags) < count:
        flag = data[at]
        at += 1
        repeat = 0
        if flag & _REPEAT:
            repeat = data[at]
            at += 1
        flags.extend([flag] * (repeat + 1))
    xs, x = [], 0
    for flag in flags[:count]:
        if flag & _X_SHORT:
            step = data[at]
            at += 1
            x += step if flag & _X_SAME else -step
        elif not flag & _X_SAME:
            (step,) = struct.unpack_from(">h", data, at)
            at += 2
            x += step
        xs.append(x)
    spans: list[tuple[int, int]] = []
    first = 0
    for end in ends:
        points = xs[first : end + 1]
        first = end + 1
        if points:
            spans.append((min(points), max(points)))
    return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(spans):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged

