"""What the DOCX takes from the PDF layout, kept on disk: the same file from a hit, a fresh layout when anything changed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from briefexport.fonts._metrics_cache import MetricsCache
from briefexport.fonts.fontset import FontSet
from briefexport.model import Span
from briefexport.numbering import NumberedDocument, number
from briefexport.render import HeadingPages, RenderOptions, _pdf_facts
from briefexport.render import pdf as pdf_renderer
from briefexport.render._pdf_facts import LayoutCache
from briefexport.theme.loader import Theme, load_theme
from fontmaker import tiny_font

#: Runs the command line in a fresh interpreter, then says which format libraries it used: imported
#: modules of (the cache key reads reportlab's version from its package, which imports nothing).
_CLI = (
    "import json, sys\n"
    "from briefexport.cli import main\n"
    "status = main(sys.argv[1:])\n"
    "used = {name.split('.')[0] for name in sys.modules if '.' in name}\n"
    "libraries = sorted(used & {'reportlab', 'docx', 'ebooklib', 'fontTools'})\n"
    "print(json.dumps([status, libraries]))\n"
)


def _build(outline: Path, out: Path, cache_home: Path, *args: str) -> tuple[list[str], str]:
    """``briefexport build`` in a fresh interpreter: the libraries it imported and what it said on stderr."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "SOURCE_DATE_EPOCH": "1700000000"}
    done = subprocess.run([sys.executable, "-c", _CLI, "build", str(outline), "-o", str(out), *args], env=env, capture_output=True,
                          text=True, check=True)
    status, libraries = json.loads(done.stdout.splitlines()[-1])
    assert status == 0, done.stderr
    return libraries, done.stderr


@pytest.mark.parametrize("preset", ["handout", "gongwen"])
def test_a_cached_docx_is_the_laid_out_one_and_needs_no_reportlab(tmp_path: Path, seed_outline_path: Path, preset: str) -> None:
    # handout: the TOC's page numbers; gongwen: the footer's drop below the page number's ink, and its font note.
    cache = tmp_path / "xdg"
    miss, miss_said = _build(seed_outline_path, tmp_path / "miss", cache, "-f", "docx", "-t", preset)
    hit, hit_said = _build(seed_outline_path, tmp_path / "hit", cache, "-f", "docx", "-t", preset)
    _build(seed_outline_path, tmp_path / "with-pdf", tmp_path / "other-xdg", "-f", "docx,pdf", "-t", preset)
    assert "reportlab" in miss and "reportlab" not in hit and "docx" in hit
    assert hit_said == miss_said  # the layout's notes are said again
    if preset == "gongwen":
        assert "宋体" in hit_said
    assert (tmp_path / "hit" / "outline.docx").read_bytes() == (tmp_path / "miss" / "outline.docx").read_bytes()
    assert (tmp_path / "hit" / "outline.docx").read_bytes() == (tmp_path / "with-pdf" / "outline.docx").read_bytes()


@pytest.mark.parametrize("preset", ["handout", "gongwen"])
def test_a_cached_official_docx_is_the_laid_out_one_and_needs_no_reportlab(tmp_path: Path, root: Path, preset: str) -> None:
    # An official document: the 版记's page and lists' lines (imprint_layout) and the 署名's widths (text_ems).
    notice = root / "examples" / "notice.yaml"
    cache = tmp_path / "xdg"
    miss, miss_said = _build(notice, tmp_path / "miss", cache, "-f", "docx", "-t", preset)
    hit, hit_said = _build(notice, tmp_path / "hit", cache, "-f", "docx", "-t", preset)
    _build(notice, tmp_path / "with-pdf", tmp_path / "other-xdg", "-f", "docx,pdf", "-t", preset)
    assert "reportlab" in miss and "reportlab" not in hit
    assert hit_said == miss_said
    assert (tmp_path / "hit" / "notice.docx").read_bytes() == (tmp_path / "miss" / "notice.docx").read_bytes()
    assert (tmp_path / "hit" / "notice.docx").read_bytes() == (tmp_path / "with-pdf" / "notice.docx").read_bytes()


def test_a_docx_after_a_full_build_takes_the_pdfs_pages(tmp_path: Path, seed_outline_path: Path) -> None:
    # The full build's PDF laid the pages out and logged nothing: it keeps them for a later -f docx.
    cache = tmp_path / "xdg"
    _build(seed_outline_path, tmp_path / "full", cache)
    after, after_said = _build(seed_outline_path, tmp_path / "after", cache, "-f", "docx")
    alone, alone_said = _build(seed_outline_path, tmp_path / "alone", tmp_path / "other-xdg", "-f", "docx")
    assert "reportlab" not in after and "reportlab" in alone
    assert after_said == alone_said
    assert (tmp_path / "after" / "outline.docx").read_bytes() == (tmp_path / "alone" / "outline.docx").read_bytes()


@pytest.mark.parametrize("quiet", [True, False])
def test_the_builds_own_pages_are_kept_only_when_laying_out_logged_nothing(tmp_path: Path, seed_doc: NumberedDocument, laid_out: list[str],
                                                                          quiet: bool) -> None:
    # A layout that noted a missing face or character is not kept: a later build lays out again and says so itself.
    theme = load_theme("handout")
    pages = pdf_renderer.heading_pages(seed_doc, theme, opts=_opts(tmp_path / "unused"))
    shared = HeadingPages()
    shared.keep(seed_doc, theme, pages, logged_nothing=quiet)
    assert _pdf_facts.heading_pages(seed_doc, theme, opts=dataclasses.replace(_opts(tmp_path), layout=shared)) == pages
    laid_out.clear()
    assert _pdf_facts.heading_pages(seed_doc, theme, opts=_opts(tmp_path)) == pages
    assert laid_out == ([] if quiet else ["heading_pages"])


def test_an_epub_alone_imports_no_other_formats_library(tmp_path: Path, seed_outline_path: Path) -> None:
    libraries, _ = _build(seed_outline_path, tmp_path / "out", tmp_path / "xdg", "-f", "epub")
    assert libraries == ["ebooklib"]


def test_importing_the_package_imports_no_format_library() -> None:
    code = "import sys, briefexport; print(sorted({'docx', 'reportlab', 'ebooklib', 'yaml'} & sys.modules.keys()))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# -- staleness, in this process ------------------------------------------------------


@pytest.fixture()
def laid_out(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each time the PDF layout is really asked (a miss)."""
    calls: list[str] = []
    for name in ("heading_pages", "imprint_layout", "page_number_drop"):
        real = getattr(pdf_renderer, name)

        def counting(*args: Any, _real: Callable[..., Any] = real, _name: str = name, **kwargs: Any) -> Any:
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(pdf_renderer, name, counting)
    return calls


def _opts(cache: Path, fonts: FontSet | None = None) -> RenderOptions:
    fonts = fonts or FontSet(system=False, metrics=MetricsCache(None))
    return RenderOptions(fonts=fonts, created=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), layout_cache=LayoutCache(cache))


def _retitled(doc: NumberedDocument) -> NumberedDocument:
    first = doc.doc.sections[0]
    longer = dataclasses.replace(first, title=dataclasses.replace(first.title, spans=(Span("一个长得多的标题" * 30),)))
    return number(dataclasses.replace(doc.doc, sections=(longer, *doc.doc.sections[1:])))


def test_a_changed_outline_or_theme_is_laid_out_again(tmp_path: Path, seed_doc: NumberedDocument, laid_out: list[str]) -> None:
    theme = load_theme("handout")
    first = _pdf_facts.heading_pages(seed_doc, theme, opts=_opts(tmp_path))
    assert _pdf_facts.heading_pages(seed_doc, theme, opts=_opts(tmp_path)) == first
    assert laid_out == ["heading_pages"]
    retitled = _retitled(seed_doc)
    assert _pdf_facts.heading_pages(retitled, theme, opts=_opts(tmp_path)) == pdf_renderer.heading_pages(retitled, theme, opts=_opts(tmp_path))
    body = dataclasses.replace(theme.style("body"), size=theme.style("body").size * 1.5)
    larger: Theme = dataclasses.replace(theme, styles={**theme.styles, "body": body})
    pages = _pdf_facts.heading_pages(seed_doc, larger, opts=_opts(tmp_path))
    assert len(laid_out) == 4  # the retitled outline (and the reference), then the larger theme
    assert pages != first and max(pages.values()) > max(first.values())


def test_a_font_installed_changed_or_removed_is_laid_out_again(tmp_path: Path, seed_doc: NumberedDocument, laid_out: list[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # gongwen asks for families that are not bundled, so its layout searched the font folders: their files count.
    monkeypatch.setattr(_pdf_facts, "_RACY_NS", 0)  # these test fonts are seconds old
    folder = tmp_path / "fonts"
    folder.mkdir()
    theme = load_theme("gongwen")

    def drop() -> float:
        return _pdf_facts.page_number_drop(theme, opts=_opts(tmp_path / "cache", FontSet(system=False, extra_dirs=[folder])))

    drop()
    drop()
    assert laid_out == ["page_number_drop"]
    font = tiny_font(folder / "extra.ttf", "ExtraFace")
    drop()
    assert len(laid_out) == 2
    tiny_font(font, "ExtraFace", "中文字")  # rewritten
    drop()
    drop()
    assert len(laid_out) == 3
    font.unlink()
    drop()
    assert len(laid_out) == 4


def test_a_broken_or_foreign_entry_is_laid_out_again(tmp_path: Path, seed_doc: NumberedDocument, laid_out: list[str]) -> None:
    theme = load_theme("handout")
    first = _pdf_facts.heading_pages(seed_doc, theme, opts=_opts(tmp_path))
    (entry,) = tmp_path.glob("layout-*")
    for poison in (b"", b"\x00garbage", entry.read_bytes()[:-7]):
        entry.write_bytes(poison)
        assert _pdf_facts.heading_pages(seed_doc, theme, opts=_opts(tmp_path)) == first
    other = _pdf_facts.heading_pages(_retitled(seed_doc), theme, opts=_opts(tmp_path))
    (foreign,) = set(tmp_path.glob("layout-*")) - {entry}
    foreign.replace(entry)  # another key's answer under this key's name
    assert _pdf_facts.heading_pages(seed_doc, theme, opts=_opts(tmp_path)) == first != other
    assert len(laid_out) == 6  # the first, three broken entries, the retitled outline, the foreign entry


def test_notes_are_said_again_and_only_where_they_were_heard(tmp_path: Path, laid_out: list[str], caplog: pytest.LogCaptureFixture) -> None:
    theme = load_theme("gongwen")  # its page number asks for 宋体, which is not installed
    with caplog.at_level(logging.WARNING, logger="briefexport"):
        _pdf_facts.page_number_drop(theme, opts=_opts(tmp_path))
    assert laid_out == ["page_number_drop"] and not caplog.records
    for expected_calls in (2, 2):  # made where notes were dropped: laid out again once, then a hit
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="briefexport"):
            _pdf_facts.page_number_drop(theme, opts=_opts(tmp_path))
        assert len(laid_out) == expected_calls
        (note,) = caplog.records
        assert "宋体" in note.getMessage() and note.levelno == logging.INFO
        assert note.coded.code == "font_substituted" and note.coded.as_dict()["font"] == "宋体"  # type: ignore[attr-defined]


def test_no_cache_folder_lays_out_every_time(tmp_path: Path, seed_doc: NumberedDocument, laid_out: list[str]) -> None:
    opts = dataclasses.replace(_opts(tmp_path), layout_cache=LayoutCache(None))
    theme = load_theme("handout")
    assert _pdf_facts.heading_pages(seed_doc, theme, opts=opts) == _pdf_facts.heading_pages(seed_doc, theme, opts=opts)
    assert laid_out == ["heading_pages", "heading_pages"]
    assert not list(tmp_path.iterdir())


def _odd_notice(root: Path, folder: Path) -> Path:
    """The example notice, its title and an attachment's name holding a character no face has (U+A66E)."""
    notice = folder / "notice.yaml"
    text = (root / "examples" / "notice.yaml").read_text(encoding="utf-8")
    notice.write_text(text.replace("title: 关于做好", "title: 关于\ua66e做好", 1).replace("- name: 2024", "- name: \ua66e2024", 1),
                      encoding="utf-8")
    return notice


def test_a_docx_says_what_the_pdf_says(tmp_path: Path, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The titles' lines are typeset apart from the layout (title_lines, once per title), and the
    # layout says what typesetting them says: they add nothing (they said it all once more per title).
    from briefexport.cli import main

    notice = _odd_notice(root, tmp_path)

    def said(*args: str) -> list[str]:
        assert main(["build", str(notice), "-t", "gongwen", *args]) == 0
        return sorted(line for line in capsys.readouterr().err.splitlines() if ": warning: " in line or ": note: " in line)

    pdf = said("-f", "pdf", "-o", str(tmp_path / "pdf"))
    assert any(line.startswith(f"{notice}: warning: no font has \ua66e") and "title" in line for line in pdf)
    assert said("-f", "docx", "-o", str(tmp_path / "miss")) == pdf
    assert said("-f", "docx", "-o", str(tmp_path / "hit")) == pdf


def test_a_strict_docx_names_the_outline_for_its_title(tmp_path: Path, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from briefexport.cli import main

    notice = _odd_notice(root, tmp_path)
    assert main(["build", str(notice), "-f", "docx", "-t", "gongwen", "--strict", "-o", str(tmp_path / "out")]) != 0
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith(f"{notice}: error: no font has \ua66e") and "strict" in error
    assert not (tmp_path / "out" / "notice.docx").exists()


def test_notes_another_thread_logs_meanwhile_are_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    # A program building in two threads: the other build's note, logged while this one lays out, is its own.
    import threading

    real, calls = pdf_renderer.page_number_drop, []

    def with_a_neighbour(*args: Any, **kwargs: Any) -> float:
        calls.append(1)
        other = threading.Thread(target=logging.getLogger("briefexport").info, args=("another build's note",))
        other.start()
        other.join()
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf_renderer, "page_number_drop", with_a_neighbour)
    theme = load_theme("gongwen")
    with caplog.at_level(logging.INFO, logger="briefexport"):
        _pdf_facts.page_number_drop(theme, opts=_opts(tmp_path))
        caplog.clear()
        _pdf_facts.page_number_drop(theme, opts=_opts(tmp_path))  # a hit: no neighbour now
    said = [record.getMessage() for record in caplog.records]
    assert len(calls) == 1 and said and all("宋体" in message for message in said), said
