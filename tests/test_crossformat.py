"""The contract: every format carries the same numbered headings and every paragraph, in order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from briefexport.numbering import NumberedDocument
from conftest import require_tool
from readback import docx_paragraphs, epub_blocks, expected_blocks, in_order, pdf_text, squash


def _extract(fmt: str, path: Path) -> str:
    if fmt == "docx":
        return squash("\n".join(docx_paragraphs(path)))
    if fmt == "epub":
        return squash("\n".join(epub_blocks(path)))
    require_tool("pdftotext")
    return squash(pdf_text(path))


@pytest.mark.parametrize("theme", ["handout", "gongwen"])
@pytest.mark.parametrize("fmt", ["docx", "pdf", "epub"])
def test_every_heading_and_paragraph_in_every_format(
    render_seed: Callable[..., Path], seed_doc: NumberedDocument, fmt: str, theme: str
) -> None:
    text = _extract(fmt, render_seed(fmt, theme))
    assert in_order(expected_blocks(seed_doc), text) == []


@pytest.mark.parametrize("fmt", ["docx", "epub"])
def test_structured_headings_agree_with_numbering(render_seed: Callable[..., Path], seed_doc: NumberedDocument, fmt: str) -> None:
    blocks = docx_paragraphs(render_seed(fmt)) if fmt == "docx" else epub_blocks(render_seed(fmt))
    squashed = [squash(block) for block in blocks]
    for heading in seed_doc.labels():
        assert squash(heading) in squashed, f"{fmt}: no paragraph reads exactly {heading!r}"
