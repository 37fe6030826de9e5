"""PDF writer: a numbered document and a theme in, a PDF with embedded subset fonts out (:func:`render`).

``writer`` lays out pages with reportlab platypus; ``_fonts`` picks a face per character
and measures text; ``_cjk_lines`` breaks lines by the Chinese rules; ``_flow`` holds the
flowables that draw the broken lines, the TOC and page furniture. :func:`heading_pages`
gives the DOCX writer its headings' pages for the pre-filled TOC, :func:`imprint_layout` the
page an official document's 版记 takes and its lines, :func:`page_number_drop` the depth of its footer's page
number below the dash, :func:`title_lines` the lines an official title breaks into, :func:`measured_ems` the grid width of a 署名 or date.
"""

from __future__ import annotations

from ._fonts import measured_ems
from .writer import ImprintLayout, heading_pages, imprint_layout, page_number_drop, render, title_lines

__all__ = ["ImprintLayout", "heading_pages", "imprint_layout", "measured_ems", "page_number_drop", "render", "title_lines"]
