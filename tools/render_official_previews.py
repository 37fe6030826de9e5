"""Render the README's pages of the example official document (examples/notice.yaml, gongwen).

Run from the repository root: ``python tools/render_official_previews.py`` (needs pdftoppm from
poppler-utils and soffice from libreoffice-writer). Writes docs/official-pdf-<page>.png from the
PDF and docs/official-docx-<page>.png from LibreOffice's PDF of the DOCX (blank pages kept).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import briefexport

ROOT = Path(__file__).resolve().parent.parent
EXPORT = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'


def main() -> int:
    doc = briefexport.number(briefexport.load(ROOT / "examples" / "notice.yaml"))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        pdf = briefexport.render(doc, "pdf", folder / "notice.pdf", theme="gongwen")
        docx = briefexport.render(doc, "docx", folder / "notice.docx", theme="gongwen")
        lo = folder / "lo"
        subprocess.run(["soffice", f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                        "--convert-to", EXPORT, "--outdir", str(lo), str(docx)], check=True, capture_output=True)
        for kind, source in (("pdf", pdf), ("docx", lo / "notice.pdf")):
            for old in (ROOT / "docs").glob(f"official-{kind}-*.png"):
                old.unlink()
            subprocess.run(["pdftoppm", "-png", "-r", "40", str(source), str(ROOT / "docs" / f"official-{kind}")], check=True)
    for png in sorted((ROOT / "docs").glob("official-*.png")):
        print(png.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
