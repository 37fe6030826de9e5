"""DOCX writer: a numbered document and a theme in, a Word file out (entry point :func:`render`).

``writer`` assembles the document; ``_layout`` maps the theme to page geometry and styles;
``_numbering`` plans Word's multilevel lists from the labels' templates; ``_oxml`` is the
only module that writes raw WordprocessingML (numbering, East-Asian fonts, fields);
``_prepared`` keeps a theme's styled template on disk for the next process.
"""

from __future__ import annotations

from .writer import render

__all__ = ["render"]
