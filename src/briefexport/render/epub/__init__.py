"""EPUB writer: a numbered document and a theme in, an EPUB 3 that passes EPUBCheck out (:func:`render`).

``writer`` assembles the package with ebooklib (chapters from ``render/_xhtml``, CSS from
the theme, an optional font subset) and repacks it byte-identically with ``render/_zip``.
"""

from __future__ import annotations

from .writer import render

__all__ = ["render"]
