"""briefexport: one structured outline → a Word handout, a PDF with embedded Chinese fonts, an EPUB.

    >>> import briefexport
    >>> doc = briefexport.load("outline.yaml")
    >>> briefexport.render(doc, "pdf", "build/outline.pdf", theme="gongwen")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


#: Where each public name lives. They are imported on first use (PEP 562), so that importing the
#: package, or one of its modules (``briefexport.model``, the command line), costs only what it uses:
#: a build of one format never loads the modules of the others.
_PUBLIC = {
    "FORMATS": "builder.api", "BuiltFile": "builder.api", "build": "builder.api", "render": "builder.api",
    "BriefexportError": "errors", "FontError": "errors", "OutlineError": "errors", "RenderError": "errors",
    "ThemeError": "errors", "Document": "model", "NumberedDocument": "numbering", "number": "numbering",
    "load": "outline.reader", "loads": "outline.reader", "Theme": "theme.loader", "load_theme": "theme.loader",
}


# The function ``render`` shares its name with the subpackage of renderers. Importing a subpackage
# sets the package's attribute of that name, so the subpackage is imported first and its
# attribute removed: the name then finds the function (``__getattr__``), however late either loads.
from . import render as _renderers  # noqa: E402

globals().pop("render")


def __getattr__(name: str) -> object:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'briefexport' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})


def import_text(text: str, *, keep_junk: bool = False) -> str:
    """Turn a pasted briefing into outline YAML for a person to review (see :mod:`briefexport.importer.plain`)."""
    from .importer.plain import import_text as _import_text

    return _import_text(text, keep_junk=keep_junk).yaml
