"""The build stage: an outline, formats and a theme in, output files landed all-or-none out.

``api`` is the library's entry (load → number → render for each format); ``_atomic``
writes to temporary names and moves them into place together; ``_parallel`` renders the
PDF in a forked process while the parent writes the other formats.
"""

from __future__ import annotations

from .api import FORMATS, BuiltFile, build, build_options, render

__all__ = ["FORMATS", "BuiltFile", "build", "build_options", "render"]
