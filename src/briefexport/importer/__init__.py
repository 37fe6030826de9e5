"""The import stage: a briefing as a person received it in, outline YAML to review out.

``dispatch.import_path`` picks the reader by file type: ``plain`` decodes and imports
pasted text; ``html`` reads saved pages and clipboard HTML; ``docx`` reads Word files
(with their automatic numbering). The last two hand an ``_extracted.Extracted`` (paragraphs,
title, headings, bold phrases) to ``plain``. ``_junk`` removes anti-copy junk and tidies
punctuation without rewording; ``_structure`` finds the title, sections and enumerations;
``_bold`` puts the source's bold phrases back.
"""

from __future__ import annotations

from .dispatch import import_path
from .plain import ImportResult, decode_text, import_file, import_text

__all__ = ["ImportResult", "decode_text", "import_file", "import_html", "import_path", "import_text"]


def import_html(text: str, *, keep_junk: bool = False) -> ImportResult:
    """Import HTML text (a saved page, or the clipboard's ``text/html``); see :mod:`.html`."""
    from .html import import_html as _import_html

    return _import_html(text, keep_junk=keep_junk)
