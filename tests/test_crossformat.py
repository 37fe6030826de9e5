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


# -- an explicit break in the title (issue #15) ------------------------------------

BROKEN_TITLE = "title: |\n  关于推进数字经济高质量发展\n  和新时代“枫桥经验”创新实践的工作方案\nsections:\n  - title: 第一部分\n    body: 正文。\n"
TITLE_LINES = ("关于推进数字经济高质量发展", "和新时代“枫桥经验”创新实践的工作方案")


@pytest.mark.parametrize("theme", ["handout", "gongwen"])
def test_an_explicit_title_break_prints_in_every_format_and_nowhere_else(tmp_path: Path, theme: str) -> None:
    import re
    import zipfile

    from briefexport import loads, number
    from briefexport.builder.api import render
    from pdfgeometry import pages

    doc = number(loads(BROKEN_TITLE))
    whole = "".join(TITLE_LINES)
    pdf = render(doc, "pdf", tmp_path / "t.pdf", theme=theme)
    first = pages(pdf)[0]
    assert [line.text.replace(" ", "") for line in first.lines[:2]] == list(TITLE_LINES)  # a line each, as written
    docx_xml = zipfile.ZipFile(render(doc, "docx", tmp_path / "t.docx", theme=theme)).read("word/document.xml").decode()
    assert f"<w:t>{TITLE_LINES[0]}</w:t><w:br/><w:t>{TITLE_LINES[1]}</w:t>" in docx_xml
    assert re.search(r"<dc:title>(.*?)</dc:title>", zipfile.ZipFile(tmp_path / "t.docx").read("docProps/core.xml").decode()).group(1) == whole  # type: ignore[union-attr]
    with zipfile.ZipFile(render(doc, "epub", tmp_path / "t.epub", theme=theme)) as epub:
        assert f'<h1 class="title">{TITLE_LINES[0]}<br/>{TITLE_LINES[1]}</h1>' in epub.read("EPUB/title.xhtml").decode()
        assert f"<dc:title>{whole}</dc:title>" in epub.read("EPUB/content.opf").decode()
        assert f"<text>{whole}</text>" in epub.read("EPUB/toc.ncx").decode()


OFFICIAL = "official:\n  organs: 江城市人民政府办公室\n  number: 江政办发〔2024〕3号\n  recipients: 各区人民政府：\n"


def test_the_official_title_keeps_the_explicit_break_in_every_format(tmp_path: Path) -> None:
    """The gongwen title under the red rule breaks where the outline does, not where balancing would."""
    import re
    import zipfile

    from briefexport import loads, number
    from briefexport.builder.api import render
    from pdfgeometry import pages

    doc = number(loads(BROKEN_TITLE + OFFICIAL))
    lines = [line.text.replace(" ", "") for line in pages(render(doc, "pdf", tmp_path / "t.pdf", theme="gongwen"))[0].lines]
    at = lines.index(TITLE_LINES[0])
    assert lines[at + 1] == TITLE_LINES[1], lines
    docx_xml = zipfile.ZipFile(render(doc, "docx", tmp_path / "t.docx", theme="gongwen")).read("word/document.xml").decode()
    assert f"{TITLE_LINES[0]}<w:br/>{TITLE_LINES[1]}</w:p>" in re.sub(r"<(?!w:br/|/w:p>)[^>]*>", "", docx_xml)  # text and breaks only
    with zipfile.ZipFile(render(doc, "epub", tmp_path / "t.epub", theme="gongwen")) as epub:
        assert f'<h1 class="title">{TITLE_LINES[0]}<br/>{TITLE_LINES[1]}</h1>' in epub.read("EPUB/title.xhtml").decode()
