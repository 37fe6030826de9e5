"""The font stage: family names from a theme in, faces that cover a document's characters out.

``fontset`` finds faces (the bundled files first, then the system's), checks coverage, falls
back per character and registers faces with reportlab; ``_sfnt`` reads the font tables it
needs without fontTools, ``_subset`` subsets with fontTools, ``_tounicode`` corrects
reportlab's ToUnicode maps, ``_metrics_cache`` keeps reportlab's parsed metrics per user.
The font files themselves live in the repository's top-level ``fonts/`` folder and are
installed as ``briefexport/fonts/files``.
"""

from __future__ import annotations

from .fontset import (
    FANGSONG_FAMILY,
    KAI_FAMILY,
    RARE_FAMILY,
    SANS_FAMILY,
    SERIF_FAMILY,
    Face,
    FaceChain,
    FontSet,
    bundled_dir,
    system_dirs,
)

__all__ = ["FANGSONG_FAMILY", "KAI_FAMILY", "RARE_FAMILY", "SANS_FAMILY", "SERIF_FAMILY", "Face", "FaceChain", "FontSet",
           "bundled_dir", "system_dirs"]
