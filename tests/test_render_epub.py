"""The EPUB as a reader gets it: package metadata, nav and NCX, chapter text, CSS, fonts, EPUBCheck's verdict."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import os
import re
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from lxml import etree

import briefexport
from briefexport.builder.api import build_options, render
from briefexport.errors import RenderError
from briefexport.numbering import NumberedDocument, number
from briefexport.render import _xhtml
from briefexport.render.epub import writer as epub_module
from briefexport.render.epub.writer import identifier
from briefexport.theme.loader import load_theme
from browser import chromium
from conftest import require_tool

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

MARKUP_OUTLINE = """\
title: "标题 <para> & 符号"
subtitle: "副标题 ]]> 结束"
author: "某某办公室 <w:t>"
date: 2024-02-01
source: "https://example.com/?a=1&b=2"
keywords: [甲, 乙]
lead:
  - "导语里有 &amp; 和 </w:t> 以及 **加粗** 文字。"
sections:
  - title: "第一部分 <b>不是标签</b>"
    body: "正文 a < b && c > d"
    items:
      - title: "子项 ]]>"
        body: "内容 <![CDATA[x]]>"
        items:
          - title: "三级"
            items:
              - title: "四级 &lt;"
                body: "最深"
  - title: "第二部分"
"""
LITERALS = ("<para>", "&amp;", "</w:t>", "]]>", "<b>不是标签</b>", "a < b && c > d", "<![CDATA[x]]>", "&lt;")

# A theme without title page and printed TOC, with a deeper nav: the other branch of every choice.
BARE_THEME = "extends: handout\ntoc: {enabled: false, depth: 3}\nepub: {title_page: false, embed_font: false, toc_depth: 3}\n"


class Epub:
    """An EPUB opened the way a reading system does: container → OPF → manifest, spine, nav."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with zipfile.ZipFile(path) as archive:
            self.infos = archive.infolist()
            self.files = {info.filename: archive.read(info) for info in self.infos}
        rootfile = etree.fromstring(self.files["META-INF/container.xml"]).find(".//{*}rootfile")
        assert rootfile is not None
        self.opf_path = rootfile.get("full-path", "")
        self.base = self.opf_path.rpartition("/")[0] + "/"
        self.opf = etree.fromstring(self.files[self.opf_path])
        self.manifest = {item.get("id"): item for item in self.opf.iterfind("opf:manifest/opf:item", NS)}

    def xml(self, href: str) -> etree._Element:
        return etree.fromstring(self.files[self.base + href])

    def meta(self, name: str) -> list[str]:
        return [element.text or "" for element in self.opf.iterfind(f"opf:metadata/dc:{name}", NS)]

    def xhtml_hrefs(self) -> list[str]:
        return [item.get("href") for item in self.manifest.values() if item.get("media-type") == "application/xhtml+xml"]

    def spine(self) -> list[str]:
        return [self.manifest[ref.get("idref")].get("href") for ref in self.opf.iterfind("opf:spine/opf:itemref", NS)]

    def nav(self) -> etree._Element:
        nav_item = next(item for item in self.manifest.values() if "nav" in (item.get("properties") or "").split())
        toc = self.xml(nav_item.get("href")).find(".//x:nav[@epub:type='toc']", NS)
        assert toc is not None
        return toc

    def css(self) -> dict[str, dict[str, str]]:
        href = next(item.get("href") for item in self.manifest.values() if item.get("media-type") == "text/css")
        return parse_css(self.files[self.base + href].decode())


def parse_css(text: str) -> dict[str, dict[str, str]]:
    """Rules as selector → {property: value} (enough for the flat stylesheet the renderer writes)."""
    rules: dict[str, dict[str, str]] = {}
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        declarations = (d.split(":", 1) for d in body.split(";") if ":" in d)
        rules.setdefault(selector.strip(), {}).update({k.strip(): v.strip() for k, v in declarations})
    return rules


def nav_tree(ol: etree._Element | None) -> list[tuple[str, str, list]]:
    """A nav list as (text, href, children)."""
    if ol is None:
        return []
    out = []
    for li in ol.iterfind("x:li", NS):
        anchor = li.find("x:a", NS)
        assert anchor is not None
        out.append(("".join(anchor.itertext()), anchor.get("href", ""), nav_tree(li.find("x:ol", NS))))
    return out


def walk_nav(tree: list[tuple[str, str, list]]) -> Iterator[tuple[str, str]]:
    for text, href, children in tree:
        yield text, href
        yield from walk_nav(children)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def blocks(book: Epub) -> list[str]:
    """Text of every p and h1–h6 of the spine documents, in reading order."""
    tags = [f"{{{NS['x']}}}{tag}" for tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6")]
    return [squash("".join(e.itertext())) for href in book.spine() for e in book.xml(href).iter(*tags)]


@pytest.fixture(scope="module")
def markup_epub(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, NumberedDocument]:
    folder = tmp_path_factory.mktemp("epub-markup")
    (folder / "bare.yaml").write_text(BARE_THEME, encoding="utf-8")
    doc = number(briefexport.loads(MARKUP_OUTLINE))
    return render(doc, "epub", folder / "markup.epub", theme=folder / "bare.yaml"), doc


# -- structure -------------------------------------------------------------------------


def test_nav_carries_the_numbered_headings_nested(render_seed: Callable[..., Path], seed_doc: NumberedDocument) -> None:
    book = Epub(render_seed("epub"))
    tree = nav_tree(book.nav().find("x:ol", NS))
    expected = [(seed_doc.doc.meta.title, [])] + [
        (section.heading, [child.heading for child in section.children]) for section in seed_doc.sections
    ]
    assert [(text, [child[0] for child in children]) for text, _, children in tree] == expected
    assert [len(children) for _, _, children in tree[1:]] == [6, 0, 8, 0]
    # Every entry leads somewhere real: a spine document, and an element with that id in it.
    for _, href in walk_nav(tree):
        file, _, fragment = href.partition("#")
        assert file in book.spine()
        if fragment:
            assert book.xml(file).find(f".//*[@id='{fragment}']", NS) is not None, href


def test_ncx_mirrors_the_nav_for_epub2_readers(render_seed: Callable[..., Path]) -> None:
    book = Epub(render_seed("epub"))
    ncx_href = book.manifest[book.opf.find("opf:spine", NS).get("toc")].get("href")
    ncx = book.xml(ncx_href)

    def points(parent: etree._Element) -> list[tuple[str, str, list]]:
        return [
            (p.findtext("ncx:navLabel/ncx:text", namespaces=NS), p.find("ncx:content", NS).get("src"), points(p))
            for p in parent.iterfind("ncx:navPoint", NS)
        ]

    assert points(ncx.find("ncx:navMap", NS)) == nav_tree(book.nav().find("x:ol", NS))
    assert ncx.find("ncx:head/ncx:meta[@name='dtb:uid']", NS).get("content") == book.meta("identifier")[0]
    assert ncx.get(XML_LANG) == "zh-CN"


@pytest.mark.parametrize("theme", ["handout", "gongwen", "ebook"])
def test_ncx_is_the_one_ebooklib_would_write(seed_doc: NumberedDocument, theme: str) -> None:
    # The NCX is built by _ncx (ebooklib's walks a parent's children for every link, quadratic):
    # the same bytes as ebooklib's, for the briefing and for a TOC with empty parent links.
    options = {"play_order": {"enabled": True, "start_from": 1}}
    book = epub_module._assemble(seed_doc, load_theme(theme), ())
    link = epub_module.epub.Link
    odd = epub_module.epub.EpubBook()
    odd.set_identifier("urn:x")
    odd.set_title("标题")
    odd.toc = [link("", "a", "a"), (link("", "b", "b"), [link("c.xhtml", "c", "c"), (link("", "d", "d"), []),
                                                        (link("e.xhtml", "e", "e"), [link("f.xhtml#f", "f", "f")])])]
    for each in (book, odd):
        ours = epub_module.NcxWriter("unused", each, options)._get_ncx()
        assert ours == epub_module.epub.EpubWriter("unused", each, options)._get_ncx()


def test_one_document_per_section_after_the_title_page(render_seed: Callable[..., Path], seed_doc: NumberedDocument) -> None:
    book = Epub(render_seed("epub"))
    title_page, nav, *chapters = book.spine()
    assert "nav" in (book.manifest[book.opf.find(f"opf:manifest/opf:item[@href='{nav}']", NS).get("id")].get("properties") or "")
    assert len(chapters) == len(seed_doc.sections)
    meta = seed_doc.doc.meta
    page = book.xml(title_page)
    assert [squash("".join(e.itertext())) for e in page.iter(f"{{{NS['x']}}}h1", f"{{{NS['x']}}}p")] == [
        squash(meta.title), squash(meta.subtitle or ""), "2024年1月14日", *(squash(p.text) for p in seed_doc.doc.lead)
    ]
    for href, section in zip(chapters, seed_doc.sections):
        headings = ["".join(h.itertext()) for h in book.xml(href).iter(f"{{{NS['x']}}}h1", f"{{{NS['x']}}}h2")]
        assert headings == [section.heading, *(child.heading for child in section.children)]


def test_every_paragraph_and_heading_is_in_the_xhtml(render_seed: Callable[..., Path], seed_doc: NumberedDocument) -> None:
    found = blocks(Epub(render_seed("epub")))
    expected = [*seed_doc.doc.lead]
    for item in seed_doc.walk():
        assert squash(item.heading) in found, item.heading
        if item.node.kicker:
            assert squash(item.node.kicker) in found
        expected.extend(item.node.body)
    for para in expected:
        assert squash(para.text) in found, para.text


def test_heading_label_is_its_own_span(render_seed: Callable[..., Path], seed_doc: NumberedDocument) -> None:
    book = Epub(render_seed("epub"))
    task = seed_doc.sections[2].children[0]
    heading = book.xml(book.spine()[4]).find(".//x:h2", NS)
    assert heading.find("x:span[@class='label']", NS).text == task.label == "重点任务一："
    assert heading.find("x:span", NS).tail == task.node.title.text


@pytest.mark.parametrize("theme", ["handout", "ebook"])
def test_every_xhtml_document_has_lang_and_xml_lang(render_seed: Callable[..., Path], theme: str) -> None:
    book = Epub(render_seed("epub", theme))
    hrefs = book.xhtml_hrefs()
    assert len(hrefs) == 6
    for href in hrefs:
        root = book.xml(href)
        assert (root.get("lang"), root.get(XML_LANG)) == ("zh-CN", "zh-CN"), href
    assert book.meta("language") == ["zh-CN"]


def test_package_metadata(render_seed: Callable[..., Path], seed_doc: NumberedDocument) -> None:
    book = Epub(render_seed("epub"))
    meta = seed_doc.doc.meta
    assert book.meta("title") == [meta.title]
    assert book.meta("date") == ["2024-01-14"]
    assert book.meta("subject") == list(meta.keywords)
    assert book.meta("description") == [meta.subtitle]
    assert book.meta("creator") == []  # the briefing names no author
    assert book.meta("identifier") == [identifier(seed_doc)]
    assert re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", book.meta("identifier")[0])
    modified = book.opf.findtext("opf:metadata/opf:meta[@property='dcterms:modified']", namespaces=NS)
    assert modified == "2024-01-14T00:00:00Z"  # no SOURCE_DATE_EPOCH: the outline's date


def test_identifier_follows_the_content() -> None:
    base = "title: 标题\nsections:\n  - title: 一\n    body: 正文\n"
    same = identifier(number(briefexport.loads(base)))
    assert identifier(number(briefexport.loads(base))) == same
    assert identifier(number(briefexport.loads(base.replace("正文", "正文。")))) != same


# -- escaping and the branches of the bare theme ----------------------------------------


def test_markup_like_text_comes_back_literally(markup_epub: tuple[Path, NumberedDocument]) -> None:
    path, doc = markup_epub
    book = Epub(path)
    text = "\n".join("".join(book.xml(href).itertext()) for href in book.spine())
    for literal in LITERALS:
        assert literal in text, literal
    strong = [e.text for href in book.spine() for e in book.xml(href).iter(f"{{{NS['x']}}}strong")]
    assert strong == ["加粗"]
    gap = load_theme(path.parent / "bare.yaml").label_gap  # 1. is followed by a space (label_separator h3)
    in_nav = [item.heading_with(gap(item.level)) for item in doc.walk() if item.level <= 3]  # the bare theme's epub.toc_depth
    assert [text for text, _ in walk_nav(nav_tree(book.nav().find("x:ol", NS)))] == [doc.doc.meta.title, *in_nav]
    assert book.meta("title") == ["标题 <para> & 符号"]
    assert book.meta("creator") == ["某某办公室 <w:t>"]
    assert book.meta("source") == ["https://example.com/?a=1&b=2"]
    assert book.meta("description") == ["副标题 ]]> 结束"]


def test_bare_theme_has_no_title_page_and_no_printed_toc(markup_epub: tuple[Path, NumberedDocument]) -> None:
    path, doc = markup_epub
    book = Epub(path)
    spine = book.spine()
    assert spine == ["lead.xhtml", "chapter-1.xhtml", "chapter-2.xhtml"]
    assert blocks(book)[0] == squash(doc.doc.lead[0].text)
    assert book.xml("lead.xhtml").find(".//x:h1", NS) is None
    # epub.toc_depth 3: the level-4 heading is in the text but not in the nav
    nav_text = [text for text, _ in walk_nav(nav_tree(book.nav().find("x:ol", NS)))]
    assert "（1）四级 &lt;" not in nav_text and squash("（1）四级 &lt;") in blocks(book)
    for href in book.xhtml_hrefs():
        assert book.xml(href).get(XML_LANG) == "zh-CN"


# -- CSS from the theme -----------------------------------------------------------------


def _em(value: str) -> float:
    return 0.0 if value == "0" else float(value.removesuffix("em"))


@pytest.mark.parametrize("theme_name", ["handout", "gongwen", "ebook"])
def test_css_follows_the_theme(render_seed: Callable[..., Path], theme_name: str) -> None:
    theme = load_theme(theme_name)
    css = Epub(render_seed("epub", theme_name)).css()
    body = theme.style("body")
    for role, selector in [("body", "p"), ("h1", "h1, nav > h2"), ("h2", "h2"), ("title", "h1.title"), ("kicker", "p.kicker")]:
        style, rule = theme.style(role), css[selector]
        assert _em(rule["font-size"]) == pytest.approx(style.size / body.size, abs=1e-4), role
        assert _em(rule["text-indent"]) == style.indent, role
        assert rule["text-align"] == style.align, role
        assert rule["font-weight"] == ("bold" if style.bold else "normal"), role
        floor = float((theme.epub or {}).get("min_line_height", 0))
        assert float(rule["line-height"]) == max(style.line_height, floor), role
        margin_top, _, margin_bottom, _ = rule["margin"].split()
        assert _em(margin_top) * style.size == pytest.approx(style.space_before, abs=1e-2), role
        assert _em(margin_bottom) * style.size == pytest.approx(style.space_after, abs=1e-2), role
        assert [f.strip('"') for f in rule["font-family"].split(", ") if "(embedded)" not in f][: len(style.fonts)] == list(style.fonts)
    assert css["p"]["font-size"] == "1em" and css["p"]["text-indent"] == "2em"
    assert css["p"]["text-align"] == "justify"


def test_font_stacks_end_with_the_names_readers_know(render_seed: Callable[..., Path]) -> None:
    handout = Epub(render_seed("epub")).css()
    assert handout["p"]["font-family"].endswith('"Source Han Serif SC", "Songti SC", serif')
    assert handout["h1, nav > h2"]["font-family"].endswith('"Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif')
    gongwen = Epub(render_seed("epub", "gongwen")).css()
    assert gongwen["h2"]["font-family"].startswith('"楷体_GB2312"') and gongwen["h2"]["font-family"].endswith("serif")
    assert not gongwen["h2"]["font-family"].endswith("sans-serif")
    assert handout["p.kicker"]["color"] == load_theme("handout").style("kicker").color
    assert "color" not in handout["p"]  # black is the reader's own; night modes keep working


def test_a_colour_that_is_not_css_is_dropped_with_a_warning(tmp_path: Path, seed_doc: NumberedDocument, caplog: pytest.LogCaptureFixture) -> None:
    # The theme loader refuses such a colour with its line; this is the renderer's own backstop
    # for themes built in code.
    handout = load_theme("handout")
    kicker = dataclasses.replace(handout.style("kicker"), color="red; } body { display: none")
    odd = dataclasses.replace(handout, styles={**handout.styles, "kicker": kicker})
    with caplog.at_level(logging.WARNING, logger="briefexport"):
        css = Epub(render(seed_doc, "epub", tmp_path / "odd.epub", theme=odd)).css()
    assert "color" not in css["p.kicker"] and "display" not in str(css)
    assert any("kicker" in message and "colour" in message for message in caplog.messages)


def test_a_user_theme_that_changes_the_body_size_changes_the_css(
    tmp_path: Path, seed_doc: NumberedDocument, render_seed: Callable[..., Path]
) -> None:
    (tmp_path / "big.yaml").write_text("extends: handout\nstyles:\n  body: {size: 14}\n", encoding="utf-8")
    big = Epub(render(seed_doc, "epub", tmp_path / "big.epub", theme=tmp_path / "big.yaml")).css()
    handout = Epub(render_seed("epub")).css()
    theme = load_theme(tmp_path / "big.yaml")
    # Sizes are em of body text, whose absolute size is the reader's choice: body stays 1em,
    # every other role shrinks relative to the bigger body, and the body's own margins (em of itself) shrink.
    assert big["p"]["font-size"] == handout["p"]["font-size"] == "1em"
    for role, selector in [("title", "h1.title"), ("meta", "p.meta"), ("h1", "h1, nav > h2"), ("h2", "h2"), ("toc", "nav > ol")]:
        assert _em(big[selector]["font-size"]) == pytest.approx(theme.style(role).size / 14, abs=1e-4), role
        assert _em(big[selector]["font-size"]) < _em(handout[selector]["font-size"]), role
    assert big["p"]["margin"] == "0 0 0.2857em 0" and handout["p"]["margin"] == "0 0 0.3333em 0"  # 4 pt after


def test_theme_text_xml_cannot_hold_is_refused_by_name(tmp_path: Path, seed_doc: NumberedDocument) -> None:
    # Theme strings do not pass the outline loader's character check (a theme file's "\\uFFFE" escape,
    # or a Theme built in code); the nav title would make lxml fail with no hint of where it came from.
    theme = load_theme("handout")
    theme = dataclasses.replace(theme, toc=dataclasses.replace(theme.toc, title="目录\ufffe"))
    with pytest.raises(RenderError, match=r"theme toc\.title contains U\+FFFE"):
        render(seed_doc, "epub", tmp_path / "odd.epub", theme=theme)
    assert list(tmp_path.iterdir()) == []


def test_font_names_are_valid_css_strings() -> None:
    assert _xhtml.font_stack(['A "B"\\C\nD']).startswith('"A \\"B\\"\\\\C\\a D", ')


# -- embedded font ----------------------------------------------------------------------


def test_ebook_theme_embeds_font_subsets(render_seed: Callable[..., Path], seed_doc: NumberedDocument) -> None:
    book = Epub(render_seed("epub", "ebook"))
    fonts = {item.get("href"): item.get("media-type") for item in book.manifest.values() if item.get("href").startswith("fonts/")}
    assert set(fonts.values()) == {"font/ttf"} and len(fonts) == 2
    css_text = book.files[book.base + "style.css"].decode()
    assert sorted(re.findall(r'src: url\("([^"]+)"\) format\("truetype"\)', css_text)) == sorted(fonts)
    body_font = TTFont(io.BytesIO(book.files[book.base + "fonts/font-1.ttf"]))
    body_chars = {ch for para in seed_doc.doc.paragraphs() for ch in para.text} - {" "}
    cmap = set(body_font.getBestCmap())
    assert {ord(ch) for ch in body_chars} <= cmap
    assert len(cmap) < 1000  # a subset, not the 30 000-glyph face
    css = book.css()
    assert css["p"]["font-family"].startswith('"Noto Serif CJK SC (embedded)"')
    assert css["h1, nav > h2"]["font-family"].startswith('"Noto Sans CJK SC (embedded)"')


def test_embed_font_option_overrides_the_theme(tmp_path: Path, seed_doc: NumberedDocument, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="briefexport"):
        forced = render(seed_doc, "epub", tmp_path / "on.epub", opts=build_options(seed_doc.doc, embed_font=True))
    assert caplog.messages == []  # the bundled faces cover the whole briefing
    assert any(name.endswith(".ttf") for name in Epub(forced).files)
    off = render(seed_doc, "epub", tmp_path / "off.epub", theme="ebook", opts=build_options(seed_doc.doc, embed_font=False))
    assert not any(name.endswith(".ttf") for name in Epub(off).files)


def test_characters_missing_from_the_embedded_font_are_named(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    doc = number(briefexport.loads("title: 标题\nsections:\n  - title: 一\n    body: 罕见字𠀀在此\n", "rare.yaml"))
    with caplog.at_level(logging.WARNING, logger="briefexport"):
        render(doc, "epub", tmp_path / "rare.epub", opts=build_options(doc.doc, embed_font=True))
    assert any("U+20000" in message and message.startswith("rare.yaml") for message in caplog.messages)
    assert "𠀀" in "".join(blocks(Epub(tmp_path / "rare.epub")))


def test_ebooklib_failure_is_an_error_and_leaves_no_file(
    tmp_path: Path, seed_doc: NumberedDocument, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(epub_module.NcxWriter, "write", fail)
    with pytest.raises(RenderError, match="ebooklib"):
        render(seed_doc, "epub", tmp_path / "broken.epub")
    assert list(tmp_path.iterdir()) == []


def test_sizes(render_seed: Callable[..., Path]) -> None:
    plain, with_font = render_seed("epub").stat().st_size, render_seed("epub", "ebook").stat().st_size
    print(f"\nEPUB sizes: without font {plain / 1024:.1f} KB, with embedded subsets {with_font / 1024:.1f} KB")
    assert plain <= 50 * 1024
    assert with_font <= 400 * 1024


# -- reproducible archive ---------------------------------------------------------------


@pytest.mark.parametrize("theme", ["handout", "ebook"])
def test_same_source_date_epoch_gives_identical_bytes(
    tmp_path: Path, seed_outline_path: Path, monkeypatch: pytest.MonkeyPatch, theme: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    first = briefexport.build(seed_outline_path, ["epub"], tmp_path / "a", theme=theme)[0].path
    second = briefexport.build(seed_outline_path, ["epub"], tmp_path / "b", theme=theme)[0].path
    assert first.read_bytes() == second.read_bytes()
    book = Epub(first)
    assert book.opf.findtext("opf:metadata/opf:meta[@property='dcterms:modified']", namespaces=NS) == "2023-11-14T22:13:20Z"
    assert {info.date_time for info in book.infos} == {(2023, 11, 14, 22, 13, 20)}
    mimetype = book.infos[0]
    assert (mimetype.filename, mimetype.compress_type, mimetype.extra) == ("mimetype", zipfile.ZIP_STORED, b"")
    assert book.files["mimetype"] == b"application/epub+zip"


def test_zip_dates_are_clamped_and_even(tmp_path: Path, seed_doc: NumberedDocument, monkeypatch: pytest.MonkeyPatch) -> None:
    # zip_date itself is tested in test_zip.py; here, the EPUB's own dates for an epoch before 1980.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    book = Epub(render(seed_doc, "epub", tmp_path / "epoch.epub"))
    assert {info.date_time for info in book.infos} == {(1980, 1, 1, 0, 0, 0)}
    assert book.opf.findtext("opf:metadata/opf:meta[@property='dcterms:modified']", namespaces=NS) == "1970-01-01T00:00:00Z"


# -- EPUBCheck --------------------------------------------------------------------------

EPUBCHECK_JARS = ("/usr/share/java/epubcheck.jar", "/usr/share/epubcheck/epubcheck.jar")
VARIANTS = ("handout", "gongwen", "ebook", "markup")


def _epubcheck_jar() -> Path:
    require_tool("java")
    for candidate in (os.environ.get("EPUBCHECK_JAR", ""), *EPUBCHECK_JARS):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    pytest.skip("EPUBCheck is not installed (Debian package epubcheck)")


@pytest.fixture(scope="module")
def epubcheck_reports(
    render_seed: Callable[..., Path], markup_epub: tuple[Path, NumberedDocument], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[int, dict]]:
    """EPUBCheck's JSON report per variant; the JVMs run side by side (each takes seconds to start)."""
    jar = _epubcheck_jar()
    files = {name: render_seed("epub", name) for name in VARIANTS[:3]} | {"markup": markup_epub[0]}
    out = tmp_path_factory.mktemp("epubcheck")
    # C1-only JIT halves EPUBCheck's run time on a short job.
    runs = {
        name: subprocess.Popen(
            ["java", "-XX:TieredStopAtLevel=1", "-jar", str(jar), str(path), "--json", str(out / f"{name}.json"), "-q"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        for name, path in files.items()
    }
    reports = {}
    for name, run in runs.items():
        output, _ = run.communicate(timeout=300)
        report_path = out / f"{name}.json"
        assert report_path.exists(), output.decode(errors="replace")
        reports[name] = (run.returncode, json.loads(report_path.read_text(encoding="utf-8")))
    return reports


@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
def test_epubcheck_reports_no_errors_and_no_warnings(epubcheck_reports: dict[str, tuple[int, dict]], variant: str) -> None:
    returncode, report = epubcheck_reports[variant]
    problems = [
        f"{m['severity']} {m['ID']}: {m['message']} @ {[loc.get('path') for loc in m.get('locations', [])]}"
        for m in report["messages"]
        if m["severity"] in ("FATAL", "ERROR", "WARNING")
    ]
    assert problems == []
    checker = report["checker"]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"], returncode) == (0, 0, 0, 0)
    if variant == "ebook":
        assert len(report["publication"]["embeddedFonts"]) == 2


# -- reading layout in a real browser (issue #15): tests/data/typography/hard.yaml ------------

HARD = Path(__file__).resolve().parent / "data" / "typography" / "hard.yaml"

#: Elements wider than the viewport, and the widest line box of text, measured by the browser.
_LAYOUT_PROBE = """
const width = document.documentElement.clientWidth;
const over = [];
for (const el of document.body.querySelectorAll('*')) {
  const box = el.getBoundingClientRect();
  if (box.right > width + 0.5 || box.left < -0.5) over.push(el.tagName + ':' + (el.textContent || '').slice(0, 30));
}
const body = document.body.getBoundingClientRect();
const p = document.querySelector('p:not([class])');
const style = p ? getComputedStyle(p) : null;
const base = parseFloat(getComputedStyle(document.body).fontSize);
const dates = [...document.querySelectorAll('span.date')].map(span => span.getClientRects().length);
return {over, scroll: document.documentElement.scrollWidth, width, body: body.width,
        base, font: style ? parseFloat(style.fontSize) : 0, line: style ? parseFloat(style.lineHeight) : 0, dates};
"""


@pytest.fixture(scope="module")
def hard_epubs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The hard outline's EPUB per preset, unpacked (the browser opens its XHTML files)."""
    doc = number(briefexport.load(HARD))
    out = {}
    for theme in ("handout", "gongwen", "ebook"):
        folder = tmp_path_factory.mktemp(f"hard-epub-{theme}")
        path = render(doc, "epub", folder / "hard.epub", theme=theme)
        with zipfile.ZipFile(path) as archive:
            archive.extractall(folder / "unpacked")
        out[theme] = folder / "unpacked" / "EPUB"
    return out


@pytest.mark.parametrize("width", [390, 1366])
def test_nothing_overflows_and_the_measure_is_limited(hard_epubs: dict[str, Path], width: int) -> None:
    with chromium(width=width) as driver:
        for theme, folder in hard_epubs.items():
            for page in sorted(folder.glob("*.xhtml")):
                driver.get(page.as_uri())
                found = driver.execute_script(_LAYOUT_PROBE)
                assert found["over"] == [], (theme, page.name, width)
                assert found["scroll"] <= found["width"], (theme, page.name, width)
                assert all(lines == 1 for lines in found["dates"]), (theme, page.name)  # a date never wraps
                assert found["body"] <= 40 * found["base"] + 0.5, (theme, page.name)  # about 40 characters at most
                if found["font"]:
                    assert found["line"] >= (1.6 if theme == "gongwen" else 1.3) * found["font"] - 0.5, (theme, page.name)


def test_a_long_url_wraps_inside_a_phone_column(hard_epubs: dict[str, Path]) -> None:
    with chromium(width=390) as driver:
        page = next(p for p in sorted(hard_epubs["handout"].glob("*.xhtml")) if "zxfb" in p.read_text(encoding="utf-8"))
        driver.get(page.as_uri())
        rects = driver.execute_script(
            "const p = [...document.querySelectorAll('p')].find(p => p.textContent.includes('stats.gov.cn'));"
            "const range = document.createRange(); range.selectNodeContents(p);"
            "const boxes = [...range.getClientRects()];"
            "return {lines: boxes.length, right: Math.max(...boxes.map(box => box.right)),"
            " width: document.documentElement.clientWidth};"
        )
        assert rects["lines"] > 3 and rects["right"] <= rects["width"] + 0.5  # justified lines end within a subpixel of the edge


#: Each justified line but a paragraph's last: the most space added between two Han characters
#: (their advance beyond one em, from each character's own box), in em, and where.
_JUSTIFY_PROBE = r"""
const out = [];
for (const p of document.querySelectorAll('p')) {
  const style = getComputedStyle(p);
  if (style.textAlign !== 'justify') continue;
  const em = parseFloat(style.fontSize);
  const boxes = [];
  const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
      const rect = [...r.getClientRects()].find(b => b.width > 0);
      if (rect) boxes.push({ch: node.data[i], left: rect.left, right: rect.right, top: Math.round(rect.top)});
    }
  }
  const lines = [];
  for (const b of boxes) {
    if (!lines.length || Math.abs(lines[lines.length - 1][0].top - b.top) > em / 2) lines.push([b]); else lines[lines.length - 1].push(b);
  }
  lines.slice(0, -1).forEach((line, k) => {
    let worst = 0, at = '';
    for (let i = 1; i < line.length; i++) {
      const gap = line[i].left - line[i - 1].left - em;
      const cjk = /[\u4e00-\u9fff]/;
      if (cjk.test(line[i].ch) && cjk.test(line[i - 1].ch) && gap > worst) { worst = gap; at = line[i - 1].ch + line[i].ch; }
    }
    out.push({text: line.map(b => b.ch).join('').slice(0, 30), worst: worst / em, at});
  });
}
return out;
"""


def test_justified_chinese_lines_have_no_holes_on_a_phone(hard_epubs: dict[str, Path]) -> None:
    # A URL moved whole to the next line left 详见 spread across the column (20 em between the two);
    # with break opportunities in the URL, no line adds more than a quarter em between characters.
    with chromium(width=390) as driver:
        for theme, folder in hard_epubs.items():
            for page in sorted(folder.glob("*.xhtml")):
                driver.get(page.as_uri())
                lines = driver.execute_script(_JUSTIFY_PROBE)
                worst = max(lines, key=lambda line: line["worst"], default=None)
                assert worst is None or worst["worst"] <= 0.25, (theme, page.name, worst)


def test_reader_toc_reaches_every_level_and_its_links_are_plain(hard_epubs: dict[str, Path]) -> None:
    folder = hard_epubs["handout"]
    nav = etree.parse(str(folder / "nav.xhtml"))
    labels = ["".join(a.itertext()) for a in nav.iter(f"{{{NS['x']}}}a")]
    assert any(label.startswith("（1）") for label in labels)  # level 4 in the nav
    ncx = etree.parse(str(folder / "toc.ncx"))
    point_tag = "{http://www.daisy.org/z3986/2005/ncx/}navPoint"
    depth = max(sum(1 for _ in point.iterancestors(point_tag)) + 1 for point in ncx.iter(point_tag))
    assert depth == 4
    with chromium(width=390) as driver:
        driver.get((folder / "nav.xhtml").as_uri())
        look = driver.execute_script(
            "const a = document.querySelector('nav a'); const s = getComputedStyle(a);"
            "return [s.color, getComputedStyle(document.body).color, s.textDecorationLine];"
        )
        assert look[0] == look[1] and look[2] == "none"


def test_gongwen_epub_signs_at_the_end(hard_epubs: dict[str, Path]) -> None:
    folder = hard_epubs["gongwen"]
    chapters = sorted(folder.glob("chapter-*.xhtml"), key=lambda p: int(p.stem.split("-")[1]))
    last = etree.parse(str(chapters[-1]))
    signature = ["".join(p.itertext()) for p in last.iter(f"{{{NS['x']}}}p") if "signature" in (p.get("class") or "")]
    assert signature == ["某某市人民政府办公室", "2024年1月14日"]
    title = "".join(etree.parse(str(folder / "title.xhtml")).getroot().itertext())
    assert "某某市人民政府办公室" not in title


@pytest.mark.parametrize("lead", ["lead: [通知正文。]\n", ""])
def test_a_signing_theme_signs_a_book_without_sections(tmp_path: Path, lead: str) -> None:
    # No chapter to end with: the title page (and its lead) ends with 署名 and 成文日期, after the text.
    source = f"title: 通知\nauthor: 某某办公室\ndate: 2024-01-14\n{lead}"
    path = render(number(briefexport.loads(source)), "epub", tmp_path / "signed.epub", theme="gongwen")
    with zipfile.ZipFile(path) as archive:
        pages = {name: archive.read(name).decode() for name in archive.namelist() if name.endswith(".xhtml") and "nav" not in name}
    assert list(pages) == ["EPUB/title.xhtml"]
    root = etree.fromstring(pages["EPUB/title.xhtml"].encode())
    texts = ["".join(p.itertext()) for p in root.iter(f"{{{NS['x']}}}p")]
    assert texts[-2:] == ["某某办公室", "2024年1月14日"]
    assert texts.count("某某办公室") == 1 and ("通知正文。" not in texts or texts.index("通知正文。") < len(texts) - 2)


def test_a_wrapped_title_is_balanced_on_a_phone(hard_epubs: dict[str, Path]) -> None:
    with chromium(width=390) as driver:
        driver.get((hard_epubs["handout"] / "title.xhtml").as_uri())
        widths = driver.execute_script(
            "const range = document.createRange(); range.selectNodeContents(document.querySelector('h1.title'));"
            "const rows = {}; for (const box of range.getClientRects()) {"
            " const key = Math.round(box.top); rows[key] = (rows[key] || 0) + box.width; }"
            "return Object.values(rows);"
        )
        assert len(widths) >= 2
        assert max(widths) - min(widths) < 0.2 * max(widths), widths  # even lines, no stub at the end
