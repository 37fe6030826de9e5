"""briefexport: one structured outline → a Word handout, a PDF with embedded Chinese fonts, an EPUB.

    >>> import briefexport
    >>> doc = briefexport.load("outline.yaml")
    >>> briefexport.render(doc, "pdf", "build/outline.pdf", theme="gongwen")
"""

from __future__ import annotations

from .builder import FORMATS, BuiltFile, build, render
from .errors import BriefexportError, FontError, OutlineError, RenderError, ThemeError
from .model import Document
from .numbering import NumberedDocument, number
from .outline import load, loads
from .theme import Theme, load_theme

__version__ = "0.1.0"

__all__ = [
    "FORMATS",
    "BriefexportError",
    "BuiltFile",
    "Document",
    "FontError",
    "NumberedDocument",
    "OutlineError",
    "RenderError",
    "Theme",
    "ThemeError",
    "__version__",
    "build",
    "import_text",
    "load",
    "load_theme",
    "loads",
    "number",
    "render",
]


def import_text(text: str, *, keep_junk: bool = False) -> str:
    """Turn a pasted briefing into outline YAML for a person to review (see :mod:`briefexport.importer.plain`)."""
    from .importer.plain import import_text as _import_text

    return _import_text(text, keep_junk=keep_junk).yaml
