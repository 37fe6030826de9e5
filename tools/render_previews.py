"""Render the README's preview of each theme preset: one PDF page per preset, as PNG.

Run from the repository root: ``python tools/render_previews.py`` (needs pdftoppm,
from Debian's poppler-utils). Writes docs/preview-<preset>.png.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import briefexport

ROOT = Path(__file__).resolve().parent.parent
#: Which page shows each preset best: the handout's first body page, the others' first page.
PAGES = {"handout": 2, "gongwen": 1, "ebook": 3}


def main() -> int:
    doc = briefexport.number(briefexport.load(ROOT / "outline.yaml"))
    with tempfile.TemporaryDirectory() as scratch:
        for preset, page in PAGES.items():
            pdf = briefexport.render(doc, "pdf", Path(scratch) / f"{preset}.pdf", theme=preset)
            stem = ROOT / "docs" / f"preview-{preset}"
            subprocess.run(
                ["pdftoppm", "-png", "-r", "45", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(stem)],
                check=True,
            )
            print(f"{stem}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
