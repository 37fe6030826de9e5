"""The import stage: a briefing as a person received it in, outline YAML to review out.

``plain`` decodes and imports pasted text; ``_junk`` removes anti-copy junk and tidies
punctuation without rewording; ``_structure`` finds the title, sections and enumerations.
"""

from __future__ import annotations

from .plain import ImportResult, decode_text, import_file, import_text

__all__ = ["ImportResult", "decode_text", "import_file", "import_text"]
