"""The model, numbering and themes know nothing about output formats."""

from __future__ import annotations

import subprocess
import sys


def test_core_modules_import_no_format_library() -> None:
    code = (
        "import sys, briefexport.model, briefexport.numbering, briefexport.theme, briefexport.outline, briefexport.importer;"
        "print(sorted({'docx', 'reportlab', 'ebooklib'} & sys.modules.keys()))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
