"""What stands between a label and its title, and the furniture (TOC title, date, date–author separator) by language, in all three formats."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from briefexport import load, loads, number
from briefexport.builder.api import render
from briefexport.errors import ThemeError
from briefexport.theme.loader import load_theme
from conftest import require_tool
from readback import NS, W, docx_headings, docx_paragraphs, epub_blocks, pdf_text



@pytest.fixture(scope="module")
def separated(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("separators")
    doc = number(load(data_dir / "docx" / "separators.yaml"))
    theme = data_dir / "docx" / "separators-theme.yaml"
    return {fmt: render(doc, fmt, folder / f"sep.{fmt}", theme=theme) for fmt in ("docx", "pdf", "epub")}


def test_a_templates_own_trailing_space_is_kept(data_dir: Path) -> None:
    labels = number(load(data_dir / "docx" / "separators.yaml")).labels()
    assert "Step 1: Hire" in labels


def test_docx_separators_are_word_suffixes(separated: dict[str, Path]) -> None:
    # space after the theme's h1 label, nothing after "Step 1: " (its own space) and after 一是, a tab after 1.
    assert docx_headings(separated["docx"]) == [
        ("1. ", "Executive summary"), ("Step 1: ", "Hire"), ("1.\t", "Plan the budget"), ("2. ", "中文部分"), ("一是", "加强领导"),
    ]
    numbering = etree.fromstring(zipfile.ZipFile(separated["docx"]).read("word/numbering.xml"))
    suffixes = {lvl.find("w:lvlText", NS).get(f"{{{W}}}val"): lvl.find("w:suff", NS).get(f"{{{W}}}val")
                for lvl in numbering.xpath("//w:lvl[starts-with(w:pStyle/@w:val, 'Heading')]", namespaces=NS)}
    assert suffixes["%1."] == "space" and suffixes["%3."] == "tab" and suffixes["Step %2: "] == "nothing" and suffixes["%2是"] == "nothing"


def _spaced(text: str) -> str:
    return re.sub(r"[ \u3000]+", " ", text)


def test_pdf_and_epub_print_the_same_separators(separated: dict[str, Path]) -> None:
    require_tool("pdftotext")
    pdf = _spaced(pdf_text(separated["pdf"]))
    epub = _spaced("\n".join(epub_blocks(separated["epub"])))
    for heading in ("1. Executive summary", "Step 1: Hire", "1. Plan the budget", "2. 中文部分", "一是加强领导"):
        assert heading in pdf and heading in epub
    # The tab is one em (U+3000) in PDF and EPUB, which have no tab stops.
    assert "1.\u3000Plan the budget" in "\n".join(epub_blocks(separated["epub"]))
    with zipfile.ZipFile(separated["epub"]) as book:  # the EPUB's own TOC too
        nav = book.read(next(name for name in book.namelist() if name.endswith("nav.xhtml"))).decode()
    assert ">1. Executive summary<" in nav and ">Step 1: Hire<" in nav


def test_a_bad_separator_word_is_refused_by_line(tmp_path: Path) -> None:
    theme = tmp_path / "bad.yaml"
    theme.write_text("extends: handout\nlabel_separator: {h2: dash}\n", encoding="utf-8")
    with pytest.raises(ThemeError, match=r"bad.yaml:2:\d+: .*'h2' must be one of none, space, tab"):
        load_theme(theme)


ENGLISH = "title: Annual plan\nlang: en\ndate: 2024-02-01\nauthor: The Office\nsections:\n  - title: One\n    items:\n      - title: First\n"


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("english")
    doc = number(loads(ENGLISH))
    return {fmt: render(doc, fmt, folder / f"en.{fmt}") for fmt in ("docx", "pdf", "epub")}


def test_english_furniture_in_every_format(english: dict[str, Path]) -> None:
    require_tool("pdftotext")
    docx = docx_paragraphs(english["docx"])
    assert "Contents" in docx and "1 February 2024 · The Office" in docx
    pdf = pdf_text(english["pdf"])
    assert "Contents" in pdf and "1 February 2024 · The Office" in pdf
    epub = epub_blocks(english["epub"])
    assert "1 February 2024 · The Office" in epub
    with zipfile.ZipFile(english["epub"]) as book:
        nav = next(name for name in book.namelist() if name.endswith("nav.xhtml"))
        assert "<h2>Contents</h2>" in book.read(nav).decode() or ">Contents<" in book.read(nav).decode()
    assert not any("目录" in text or "\u3000" in text for text in (*docx, pdf, *epub))


def test_chinese_furniture_is_unchanged(tmp_path: Path) -> None:
    doc = number(loads("title: 标题\ndate: 2024-02-01\nauthor: 某某办公室\nsections:\n  - title: 一\n"))
    paragraphs = docx_paragraphs(render(doc, "docx", tmp_path / "zh.docx"))
    assert "目录" in paragraphs and "2024年2月1日\u3000某某办公室" in paragraphs


def test_a_theme_overrides_the_furniture(tmp_path: Path) -> None:
    theme = tmp_path / "own.yaml"
    theme.write_text('extends: handout\ntoc: {title: Inhalt}\nfurniture: {date_format: "{year}/{month}/{day}", meta_separator: " | "}\n', encoding="utf-8")
    paragraphs = docx_paragraphs(render(number(loads(ENGLISH)), "docx", tmp_path / "own.docx", theme=theme))
    assert "Inhalt" in paragraphs and "2024/2/1 | The Office" in paragraphs
