"""The DOCX a user gets: styles, real Word numbering, TOC field, metadata, GB/T 9704 layout — read back from the file."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from lxml import etree

from briefexport import loads, number
from briefexport.builder.api import build_options, render
from briefexport.errors import RenderError
from briefexport.numbering import NumberedDocument
from briefexport.theme.loader import Theme, load_theme
from conftest import DATA, require_tool
from pdfgeometry import ink_box, page_ink, pages
from readback import docx_headings

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
NS = {"w": W}


def w(name: str) -> str:
    return f"{{{W}}}{name}"


class Package:
    """The parts of a .docx, parsed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with zipfile.ZipFile(path) as archive:
            self.parts = {name: archive.read(name) for name in archive.namelist()}
        self.document = etree.fromstring(self.parts["word/document.xml"])
        self.styles = etree.fromstring(self.parts["word/styles.xml"])
        self.numbering = etree.fromstring(self.parts["word/numbering.xml"])
        self.settings = etree.fromstring(self.parts["word/settings.xml"])

    def style(self, style_id: str) -> etree._Element:
        found = self.styles.find(f"w:style[@w:styleId='{style_id}']", NS)
        assert found is not None, f"no style {style_id}"
        return found

    def paragraphs(self, style_id: str | None = None) -> list[etree._Element]:
        found = self.document.findall(".//w:body/w:p", NS)
        return found if style_id is None else [p for p in found if style_of(p) == style_id]

    def lvl(self, num_id: str, ilvl: int) -> etree._Element:
        abstract_id = self.numbering.find(f"w:num[@w:numId='{num_id}']/w:abstractNumId", NS).get(w("val"))
        return self.numbering.find(f"w:abstractNum[@w:abstractNumId='{abstract_id}']/w:lvl[@w:ilvl='{ilvl}']", NS)


def style_of(p: etree._Element) -> str | None:
    found = p.find("w:pPr/w:pStyle", NS)
    return None if found is None else found.get(w("val"))


def text_of(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(w("t")))


def num_pr(p: etree._Element) -> tuple[str, int] | None:
    found = p.find("w:pPr/w:numPr", NS)
    if found is None:
        return None
    return found.find("w:numId", NS).get(w("val")), int(found.find("w:ilvl", NS).get(w("val")))


def word_labels(package: Package) -> list[tuple[str, str]]:
    """(label Word shows, heading text) for every heading, counted the way Word counts lists (readback)."""
    return docx_headings(package.path)


def east_asia_font(element: etree._Element) -> str | None:
    fonts = element.find("w:rPr/w:rFonts", NS)
    return None if fonts is None else fonts.get(w("eastAsia"))


# -- the seed, handout theme ----------------------------------------------------


@pytest.fixture(scope="module")
def seed_docx(render_seed: Callable[..., Path]) -> Package:
    return Package(render_seed("docx"))


def _heading_style_ids(package: Package, level: int) -> set[str]:
    """Heading N and the styles derived from it."""
    base = f"Heading{level}"
    return {base} | {s.get(w("styleId")) for s in package.styles.findall("w:style", NS) if s.find(f"w:basedOn[@w:val='{base}']", NS) is not None}


def test_seed_has_four_sections_and_fourteen_items(seed_docx: Package) -> None:
    assert len(seed_docx.paragraphs("Heading1")) == 4
    assert len([p for p in seed_docx.paragraphs() if style_of(p) in _heading_style_ids(seed_docx, 2)]) == 14


def test_headings_are_numbered_by_their_styles(seed_docx: Package) -> None:
    headings = [p for p in seed_docx.paragraphs() if style_of(p) in _heading_style_ids(seed_docx, 1) | _heading_style_ids(seed_docx, 2)]
    # The label is Word's to print through the style: no numPr of their own, no label typed into the text.
    assert len(headings) == 18 and all(num_pr(p) is None for p in headings)
    assert [text_of(p) for p in headings][1] == "必须坚持党的绝对领导"
    texts = {t.get(w("val")) for t in seed_docx.numbering.iter(w("lvlText"))}
    assert {"%1、", "%2是", "重点任务%2："} <= texts
    suffixes = [lvl.find("w:suff", NS) for lvl in seed_docx.numbering.iter(w("lvl")) if lvl.find("w:lvlText", NS).get(w("val")) == "%2是"]
    assert suffixes and all(s is not None and s.get(w("val")) == "nothing" for s in suffixes)


def test_word_labels_equal_numbering_py(seed_docx: Package, seed_doc: NumberedDocument) -> None:
    assert word_labels(seed_docx) == [(item.label or "", item.node.title.text) for item in seed_doc.walk()]


def _style_list(package: Package, style_id: str) -> tuple[str, etree._Element]:
    """The numId a style carries and the w:lvl of that list linked back to the style (w:pStyle)."""
    num_id = package.style(style_id).find("w:pPr/w:numPr/w:numId", NS).get(w("val"))
    abstract_id = package.numbering.find(f"w:num[@w:numId='{num_id}']/w:abstractNumId", NS).get(w("val"))
    found = package.numbering.xpath(f"w:abstractNum[@w:abstractNumId='{abstract_id}']/w:lvl[w:pStyle/@w:val='{style_id}']", namespaces=NS)
    assert len(found) == 1, f"no list level names {style_id}"
    return num_id, found[0]


def test_heading_styles_and_derived_styles_are_linked_to_their_lists(seed_docx: Package) -> None:
    outline_num, h1 = _style_list(seed_docx, "Heading1")
    assert (h1.get(w("ilvl")), h1.find("w:lvlText", NS).get(w("val"))) == ("0", "%1、")
    assert _style_list(seed_docx, "Heading2")[0] == outline_num  # one outline list: （一） restarts under each 一、
    assert seed_docx.style("Heading1").find("w:pPr/w:outlineLvl", NS).get(w("val")) == "0"
    derived = {s.find("w:name", NS).get(w("val")): s.get(w("styleId")) for s in seed_docx.styles.findall("w:style", NS)
               if s.find("w:basedOn[@w:val='Heading2']", NS) is not None}
    assert set(derived) == {"Heading 2 · 一是", "Heading 2 · 重点任务一："}
    for name, style_id in derived.items():
        num_id, lvl = _style_list(seed_docx, style_id)
        assert num_id != outline_num and lvl.get(w("ilvl")) == "1"
        assert lvl.find("w:lvlText", NS).get(w("val")) == {"Heading 2 · 一是": "%2是", "Heading 2 · 重点任务一：": "重点任务%2："}[name]
        assert seed_docx.style(style_id).find("w:pPr/w:outlineLvl", NS).get(w("val")) == "1"  # TOC and navigation pane see it
    # Each of the two lists has one instance: Word's counter sharing between w:num of one abstractNum never applies.
    abstract_ids = [n.find("w:abstractNumId", NS).get(w("val")) for n in seed_docx.numbering.findall("w:num", NS)]
    assert len(abstract_ids) == len(set(abstract_ids))


def test_every_paragraph_of_the_outline_is_in_order(seed_docx: Package, seed_doc: NumberedDocument) -> None:
    body = [text_of(p) for p in seed_docx.paragraphs()]
    expected = [p.text for p in seed_doc.doc.lead]
    for item in seed_doc.walk():
        expected += [item.node.title.text, *(p.text for p in item.node.body)]
    position = body.index(expected[0])
    for text in expected:
        position = body.index(text, position)  # raises when missing or out of order


def test_kickers_precede_their_headings(seed_docx: Package) -> None:
    paragraphs = seed_docx.paragraphs()
    kickers = [i for i, p in enumerate(paragraphs) if style_of(p) == "Kicker"]
    assert len(kickers) == 4
    assert all(text_of(paragraphs[i]) == "关键点" and style_of(paragraphs[i + 1]) == "Heading1" for i in kickers)


def test_east_asian_fonts_and_chinese_language(seed_docx: Package) -> None:
    theme = load_theme("handout")
    assert east_asia_font(seed_docx.style("Heading1")) == theme.style("h1").fonts[0] == "Noto Sans CJK SC"
    assert east_asia_font(seed_docx.style("BodyText")) == theme.style("body").fonts[0]
    assert east_asia_font(seed_docx.style("Normal")) == theme.style("body").fonts[0]
    # Fonts live on the styles: no run names one, so changing a style in Word restyles its text.
    runs = seed_docx.document.findall(".//w:body//w:r", NS)
    assert runs and [r for r in runs if r.find("w:rPr/w:rFonts", NS) is not None] == []
    ours = [lvl for lvl in seed_docx.numbering.iter(w("lvl")) if (lvl.find("w:pStyle", NS) is not None and lvl.find("w:pStyle", NS).get(w("val")).startswith("Heading"))]
    assert ours and [lvl for lvl in ours if lvl.find("w:rPr", NS) is not None] == []  # labels take the paragraph's font
    lang = seed_docx.styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(w("eastAsia")) == "zh-CN"
    assert seed_docx.settings.find("w:themeFontLang", NS).get(w("eastAsia")) == "zh-CN"
    assert b"ja-JP" not in seed_docx.parts["word/styles.xml"] + seed_docx.parts["word/settings.xml"]


def test_body_style_from_theme(seed_docx: Package) -> None:
    body = load_theme("handout").style("body")
    style = seed_docx.style("BodyText")
    indent = style.find("w:pPr/w:ind", NS)
    assert indent.get(w("firstLineChars")) == "200"
    assert indent.get(w("firstLine")) == str(round(2 * body.size * 20))
    assert style.find("w:rPr/w:sz", NS).get(w("val")) == str(round(body.size * 2))
    assert style.find("w:pPr/w:spacing", NS).get(w("line")) == str(round(body.size * body.line_height * 20))
    assert all(style_of(p) == "BodyText" for p in seed_docx.paragraphs() if text_of(p).startswith("确保公安工作"))


def test_toc_field_already_lists_the_headings_with_page_numbers(seed_docx: Package, seed_doc: NumberedDocument) -> None:
    instr = "".join(t.text for t in seed_docx.document.iter(w("instrText")))
    assert 'TOC \\o "1-2" \\h \\z \\u' in instr
    entries = [p for p in seed_docx.paragraphs() if style_of(p) in ("TOC1", "TOC2")]
    headings = [item.heading for item in seed_doc.walk() if item.level <= 2]
    assert len(entries) == len(headings) == 18  # 4 parts and their 14 items
    pages = [re.fullmatch(re.escape(heading) + r"(\d+)", text_of(p)) for p, heading in zip(entries, headings)]
    assert all(pages) and [int(m.group(1)) for m in pages if m] == sorted(int(m.group(1)) for m in pages if m)
    for p in entries:  # heading, tab, PAGEREF field with its cached number, all in the link
        link = p.find("w:hyperlink", NS)
        assert link.find("w:r/w:tab", NS) is not None
        assert re.fullmatch(r" PAGEREF _Toc\d{8} \\h ", "".join(t.text for t in link.iter(w("instrText"))))
    kinds = [[c.get(w("fldCharType")) for c in p.iter(w("fldChar"))] for p in entries]
    assert kinds[0][:2] == ["begin", "separate"] and kinds[-1][-1] == "end"
    anchors = {link.get(w("anchor")) for link in seed_docx.document.iter(w("hyperlink"))}
    bookmarks = {mark.get(w("name")) for mark in seed_docx.document.iter(w("bookmarkStart"))}
    assert len(anchors) == len(entries) and anchors <= bookmarks
    tabs = seed_docx.style("TOC2").findall("w:pPr/w:tabs/w:tab", NS)
    assert [(t.get(w("val")), t.get(w("leader"))) for t in tabs] == [("right", "dot")]


def test_word_updates_fields_on_open(seed_docx: Package) -> None:
    # w:updateFields refreshes the TOC's numbers in Word; no field is w:dirty (Word would ask on every open).
    assert seed_docx.settings.find("w:updateFields", NS).get(w("val")) == "true"
    assert [c for c in seed_docx.document.iter(w("fldChar")) if c.get(w("dirty")) is not None] == []


def test_font_table_names_every_family_with_its_kind(seed_docx: Package, gongwen_docx: Package) -> None:
    for package, theme in ((seed_docx, load_theme("handout")), (gongwen_docx, load_theme("gongwen"))):
        table = etree.fromstring(package.parts["word/fontTable.xml"])
        fonts = {f.get(w("name")): f for f in table.findall("w:font", NS)}
        named = {east_asia_font(s) for s in package.styles.findall("w:style", NS)} - {None}
        assert named <= set(fonts)
        for role in theme.styles:
            chain = theme.style(role).fonts
            for first, second in zip(chain, chain[1:]):
                assert fonts[first].find("w:altName", NS).get(w("val")) == second
        assert {fonts[name].find("w:charset", NS).get(w("val")) for name in named} == {"86"}
    gongwen = {f.get(w("name")): f for f in etree.fromstring(gongwen_docx.parts["word/fontTable.xml"]).findall("w:font", NS)}
    assert [gongwen["仿宋_GB2312"].find(f"w:{tag}", NS).get(w("val")) for tag in ("altName", "family", "pitch")] == ["仿宋", "modern", "fixed"]
    assert gongwen["黑体"].find("w:family", NS).get(w("val")) == "swiss"


def test_core_properties(render_seed: Callable[..., Path], seed_doc: NumberedDocument) -> None:
    props = docx.Document(str(render_seed("docx"))).core_properties
    meta = seed_doc.doc.meta
    created = build_options(seed_doc.doc).created
    assert (props.title, props.subject, props.language) == (meta.title, meta.subtitle, "zh-CN")
    assert props.keywords == ", ".join(meta.keywords)
    assert (props.created, props.modified, props.revision, props.last_modified_by) == (created, created, 1, "briefexport")


def test_footer_page_number(seed_docx: Package) -> None:
    footers = [etree.fromstring(data) for name, data in seed_docx.parts.items() if name.startswith("word/footer")]
    assert len(footers) == 1
    assert "PAGE" in "".join(t.text for t in footers[0].iter(w("instrText")))
    assert "".join(t.text for t in footers[0].iter(w("t"))) == "— 1 —"
    assert footers[0].find(".//w:jc", NS).get(w("val")) == "center"


def test_two_renders_are_byte_identical(tmp_path: Path, seed_doc: NumberedDocument) -> None:
    first, second = (render(seed_doc, "docx", tmp_path / f"{n}.docx") for n in "ab")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist()[0] == "[Content_Types].xml"
        assert {info.date_time for info in archive.infolist()} == {(2024, 1, 14, 0, 0, 0)}
        assert "docProps/thumbnail.jpeg" not in archive.namelist()


# -- text, emphasis and numbering edge cases -------------------------------------

EDGE = """
title: 'A < B & C "引号" *星* 100%'
lead:
  - "x < y && z > 0, *literal stars*, 'quotes', **加粗** done"
sections:
  - title: 甲
    items:
      - {title: 甲一}
      - {title: 甲二}
  - title: 乙
    items:
      - {title: 乙一}
  - title: 丙
    numbering: none
    items:
      - {title: 无号}
  - title: 丁
    numbering: "{n}%"
    items:
      - {title: 百分}
  - title: 戊
    numbering: "第{cn}条"
    items:
""" + "".join(f"      - {{title: 条{i}}}\n" for i in range(1, 101))


def _render(tmp_path: Path, source: str, theme: Theme | str = "handout") -> Path:
    return render(number(loads(source)), "docx", tmp_path / "edge.docx", theme=theme)


def test_special_characters_and_bold_print_as_themselves(tmp_path: Path) -> None:
    document = docx.Document(str(_render(tmp_path, EDGE)))
    assert document.core_properties.title == 'A < B & C "引号" *星* 100%'
    lead = next(p for p in document.paragraphs if p.text.startswith("x < y"))
    assert lead.text == "x < y && z > 0, *literal stars*, 'quotes', 加粗 done"
    assert [(run.text, bool(run.bold)) for run in lead.runs if run.bold] == [("加粗", True)]


def test_lists_restart_and_inexpressible_labels_fall_back_to_text(tmp_path: Path) -> None:
    package = Package(_render(tmp_path, EDGE))
    labels = dict((text, label) for label, text in word_labels(package))
    assert labels["甲二"] == "（二）" and labels["乙一"] == "（一）"  # one abstract list, two restarting instances
    assert labels["无号"] == "" and labels["1%百分"] == ""  # '%' cannot go into lvlText: the label is text
    assert labels["条1"] == "第一条" and labels["条100"] == "第一百条"  # chineseCountingThousand past 99
    unnumbered = next(p for p in package.paragraphs("Heading2") if text_of(p) == "无号")
    assert num_pr(unnumbered) == ("0", 0)  # Heading 2 is numbered through its style; switched off here


#: Groups that counting through styles alone would get wrong (tests/test_docx_editing.py uses it too).
RESTARTS = (DATA / "docx" / "restarts.yaml").read_text(encoding="utf-8")


def test_groups_that_styles_would_miscount_get_a_restarting_list_of_their_own(tmp_path: Path) -> None:
    doc = number(loads(RESTARTS))
    package = Package(_render(tmp_path, RESTARTS))
    theme = load_theme("handout")
    assert word_labels(package) == [((item.label or "") + theme.label_separator(item.level) * bool(item.label), item.node.title.text) for item in doc.walk()]
    own = {text_of(p): num_pr(p) for p in package.paragraphs() if num_pr(p) is not None}
    # 乙一/乙二 count through Heading 2, 甲一/甲二 through the 一是 style, 甲一子一/二 through Heading 3; the second
    # 一是 group, and the 1. list under 甲二 (its parent is on another list, so Heading 3 would count on), restart.
    assert set(own) == {"丙一", "丙二", "甲二子一"}
    restarted = {num_id for num_id, _ in own.values()}
    assert len(restarted) == 2
    for num_id in restarted:
        num = package.numbering.find(f"w:num[@w:numId='{num_id}']", NS)
        assert num.find("w:lvlOverride/w:startOverride", NS).get(w("val")) == "1"
        abstract = num.find("w:abstractNumId", NS).get(w("val"))
        assert len(package.numbering.findall(f"w:num/w:abstractNumId[@w:val='{abstract}']", NS)) == 1  # no counter sharing in Word


def test_native_numbering_off_writes_labels_as_text(tmp_path: Path, seed_doc: NumberedDocument) -> None:
    theme = load_theme("handout")
    theme = dataclasses.replace(theme, docx={**(theme.docx or {}), "native_numbering": False})
    package = Package(render(seed_doc, "docx", tmp_path / "plain.docx", theme=theme))
    assert package.numbering.find(".//w:lvlText[@w:val='%2是']", NS) is None
    assert [text for _, text in word_labels(package)] == seed_doc.labels()


def test_meta_line_is_the_shared_date_and_author_line(tmp_path: Path) -> None:
    package = Package(_render(tmp_path, "title: 标题\ndate: 2024-02-01\nauthor: 某某办公室\nsections:\n  - title: 一\n"))
    assert [text_of(p) for p in package.paragraphs("Meta")] == ["2024年2月1日\u3000某某办公室"]
    english = Package(_render(tmp_path, "title: Title\nlang: en\ndate: 2024-02-01\nsections:\n  - title: One\n"))
    assert [text_of(p) for p in english.paragraphs("Meta")] == ["1 February 2024"]


# -- a user theme -------------------------------------------------------------------

BIG_BODY_THEME = "extends: handout\nstyles:\n  body: {size: 14}\n"


def _size(package: Package, style_id: str) -> str:
    return package.style(style_id).find("w:rPr/w:sz", NS).get(w("val"))


def test_a_user_theme_that_changes_the_body_size_changes_the_docx(tmp_path: Path, seed_doc: NumberedDocument, seed_docx: Package) -> None:
    theme_file = tmp_path / "big.yaml"
    theme_file.write_text(BIG_BODY_THEME, encoding="utf-8")
    package = Package(render(seed_doc, "docx", tmp_path / "big.docx", theme=theme_file))
    assert _size(seed_docx, "BodyText") == "24"  # the handout's 12 pt
    assert _size(package, "BodyText") == _size(package, "Normal") == "28"
    assert package.styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:sz", NS).get(w("val")) == "28"
    body = package.style("BodyText")
    assert body.find("w:pPr/w:ind", NS).get(w("firstLine")) == str(2 * 14 * 20)  # two characters of the new size
    assert body.find("w:pPr/w:spacing", NS).get(w("line")) == str(round(14 * 1.75 * 20))
    assert _size(package, "Heading1") == _size(seed_docx, "Heading1")  # only the body was changed


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda t: dataclasses.replace(t, toc=dataclasses.replace(t.toc, title="目录\ufffe")), "toc.title contains U+FFFE"),
        (lambda t: dataclasses.replace(t, page_number=dataclasses.replace(t.page_number, format="\x01{page}")), "page_number.format contains U+0001"),
        (lambda t: dataclasses.replace(t, styles={**t.styles, "h2": dataclasses.replace(t.style("h2"), fonts=("黑体\U0010ffff",))}),
         "styles.h2.fonts contains U+10FFFF"),
    ],
)
def test_theme_text_xml_cannot_hold_is_refused_by_name(tmp_path: Path, seed_doc: NumberedDocument, change: Callable[[Theme], Theme], where: str) -> None:
    # Theme strings do not pass the outline loader's character check; lxml would fail with no hint.
    with pytest.raises(RenderError, match=re.escape(where)):
        render(seed_doc, "docx", tmp_path / "odd.docx", theme=change(load_theme("handout")))
    assert list(tmp_path.iterdir()) == []


# -- GB/T 9704: the gongwen theme -------------------------------------------------


@pytest.fixture(scope="module")
def gongwen_docx(render_seed: Callable[..., Path]) -> Package:
    return Package(render_seed("docx", "gongwen"))


def _twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def _gongwen_with(char_grid: bool) -> Theme:
    theme = load_theme("gongwen")
    return dataclasses.replace(theme, docx={**(theme.docx or {}), "char_grid": char_grid})


def test_gongwen_page_and_character_grid(tmp_path: Path, seed_doc: NumberedDocument) -> None:
    gongwen_docx = Package(render(seed_doc, "docx", tmp_path / "grid.docx", theme=_gongwen_with(char_grid=True)))
    sect = gongwen_docx.document.find(".//w:body/w:sectPr", NS)
    margins = sect.find("w:pgMar", NS)
    assert [int(margins.get(w(side))) for side in ("top", "bottom", "left", "right")] == [_twips(m) for m in (37, 35, 28, 26)]
    size = sect.find("w:pgSz", NS)
    assert (size.get(w("w")), size.get(w("h"))) == ("11906", "16838")
    grid = sect.find("w:docGrid", NS)
    type_height = 16838 - _twips(37) - _twips(35)
    type_width_pt = (11906 - _twips(28) - _twips(26)) / 20
    char_space = int(grid.get(w("charSpace")))
    assert grid.get(w("type")) == "linesAndChars"
    assert int(grid.get(w("linePitch"))) == type_height // 22 == 579
    # ECMA-376: pitch = Normal size + charSpace / 4096; 28 characters must fit and 29 must not.
    normal_size = int(gongwen_docx.style("Normal").find("w:rPr/w:sz", NS).get(w("val"))) / 2
    pitch = normal_size + char_space / 4096
    assert normal_size == 16 and 28 * pitch <= type_width_pt < 29 * pitch


def test_gongwen_fonts_per_heading_level(gongwen_docx: Package) -> None:
    fonts = {style: east_asia_font(gongwen_docx.style(style)) for style in ("Heading1", "Heading2", "Heading3", "Heading4", "BodyText", "Title")}
    assert fonts == {"Heading1": "黑体", "Heading2": "楷体_GB2312", "Heading3": "仿宋_GB2312", "Heading4": "仿宋_GB2312",
                     "BodyText": "仿宋_GB2312", "Title": "方正小标宋简体"}
    # 小标宋 is a heavy face already: a 公文 title is never bold, neither on the style nor on a run.
    assert gongwen_docx.style("Title").find("w:rPr/w:b", NS) is None
    assert [p for p in gongwen_docx.paragraphs("Title") if p.find(".//w:r/w:rPr/w:b", NS) is not None] == []
    assert all(gongwen_docx.style(s).find("w:rPr/w:sz", NS).get(w("val")) == "32" for s in ("Heading1", "Heading2", "BodyText"))
    assert not [p for p in gongwen_docx.paragraphs() if style_of(p) in ("TOC1", "TOCHeading")]  # gongwen has no TOC


def test_gongwen_page_numbers_outside(gongwen_docx: Package) -> None:
    assert gongwen_docx.settings.find("w:evenAndOddHeaders", NS) is not None
    sect = gongwen_docx.document.find(".//w:body/w:sectPr", NS)
    rels = etree.fromstring(gongwen_docx.parts["word/_rels/document.xml.rels"])
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    footers = {ref.get(w("type")): etree.fromstring(gongwen_docx.parts["word/" + targets[ref.get(R_ID)]]) for ref in sect.findall("w:footerReference", NS)}
    assert set(footers) == {"default", "even"}
    for kind, side in (("default", "right"), ("even", "left")):
        p = footers[kind].find("w:p", NS)
        assert p.find("w:pPr/w:jc", NS).get(w("val")) == side
        assert p.find("w:pPr/w:ind", NS).get(w(f"{side}Chars")) == "100"  # one character in from the edge
        assert re.fullmatch(r"— \d —", text_of(p))
        assert "PAGE" in "".join(t.text for t in p.iter(w("instrText")))
    footer_style = gongwen_docx.style("Footer")
    assert footer_style.find("w:rPr/w:sz", NS).get(w("val")) == "28"  # 4号 = 14 pt
    # GB/T 9704: 一字线上距版心下边缘 7 mm — to the dash's ink, which sits page_number_drop above the
    # bottom of the footer's line (where Word measures the footer distance to); measured in
    # LibreOffice's PDF in test_gongwen_docx_page_number_7_mm_below_the_type_area_to_the_dash.
    from briefexport.render.pdf import page_number_drop

    margins = sect.find("w:pgMar", NS)
    drop = round(page_number_drop(load_theme("gongwen"), opts=build_options(loads("title: T\n"))) * 20)
    assert 100 < drop < int(footer_style.find("w:pPr/w:spacing", NS).get(w("line")))  # the dash is inside the line box
    assert int(margins.get(w("bottom"))) - int(margins.get(w("footer"))) - drop == _twips(7)


def test_gongwen_default_condenses_characters_on_a_line_grid(gongwen_docx: Package) -> None:
    package = gongwen_docx
    sect = package.document.find(".//w:body/w:sectPr", NS)
    margins = sect.find("w:pgMar", NS)
    assert [int(margins.get(w(side))) for side in ("top", "bottom", "left", "right")] == [_twips(m) for m in (37, 35, 28, 26)]
    grid = package.document.find(".//w:body/w:sectPr/w:docGrid", NS)
    assert (grid.get(w("type")), grid.get(w("charSpace"))) == ("lines", None)
    assert int(grid.get(w("linePitch"))) == (16838 - _twips(37) - _twips(35)) // 22 == 579
    spacing = int(package.style("Normal").find("w:rPr/w:spacing", NS).get(w("val")))
    type_width_pt = (11906 - _twips(28) - _twips(26)) / 20
    assert 28 * (16 + spacing / 20) <= type_width_pt < 29 * (16 + spacing / 20)


# -- LibreOffice reads it the way numbering.py labels it ------------------------------


def _libreoffice_pdf(docx_path: Path, tmp_path: Path) -> Path:
    soffice = require_tool("soffice")
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx_path)],
        check=True, capture_output=True, timeout=120,
    )
    pdf = tmp_path / (docx_path.stem + ".pdf")
    assert pdf.exists()
    return pdf


def _pdf_lines(pdf: Path) -> list[str]:
    require_tool("pdftotext")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [re.sub(r"\s+", "", line) for line in text.splitlines() if line.strip()]


@pytest.mark.slow
def test_libreoffice_prints_the_labels_of_numbering_py(render_seed: Callable[..., Path], seed_doc: NumberedDocument, tmp_path: Path) -> None:
    lines = _pdf_lines(_libreoffice_pdf(render_seed("docx"), tmp_path))
    headings = [re.sub(r"\s+", "", item.heading) for item in seed_doc.walk()]
    items = [item.heading for section in seed_doc.sections for item in section.children]
    assert len(items) == 14 and items[0] == "一是必须坚持党的绝对领导" and items[6] == "重点任务一：高站位落实党的绝对领导的制度机制"
    toc = lines.index("目录") + 1
    # The TOC field's cached entries: heading, dot leaders, page number.
    assert [re.sub(r"\.{3,}\d+$", "", line) for line in lines[toc : toc + len(headings)]] == headings
    cursor = toc + len(headings)
    for heading in headings:  # the headings in the body: each a line of its own, in order
        cursor = lines.index(heading, cursor) + 1


@pytest.mark.slow
def test_libreoffice_sets_28_characters_a_line_in_gongwen(seed_doc: NumberedDocument, tmp_path: Path) -> None:
    # The preset's default (condensed characters); LibreOffice 7.4 cannot compress onto Word's character grid.
    path = render(seed_doc, "docx", tmp_path / "gongwen.docx", theme="gongwen")
    lines = _pdf_lines(_libreoffice_pdf(path, tmp_path))
    han = [line for line in lines if re.fullmatch(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]+", line)]
    lengths = Counter(len(line) for line in han)
    assert max(lengths) == 28 and lengths[28] >= 10, lengths


def test_page_number_can_skip_the_first_page(tmp_path: Path, seed_doc: NumberedDocument) -> None:
    theme = load_theme("handout")
    theme = dataclasses.replace(theme, page_number=dataclasses.replace(theme.page_number, first_page=False, align="right", edge_indent=1))
    package = Package(render(seed_doc, "docx", tmp_path / "nofirst.docx", theme=theme))
    sect = package.document.find(".//w:body/w:sectPr", NS)
    assert sect.find("w:titlePg", NS) is not None
    rels = {rel.get("Id"): rel.get("Target") for rel in etree.fromstring(package.parts["word/_rels/document.xml.rels"])}
    footers = {ref.get(w("type")): etree.fromstring(package.parts["word/" + rels[ref.get(R_ID)]]) for ref in sect.findall("w:footerReference", NS)}
    assert "PAGE" not in etree.tostring(footers["first"]).decode()
    assert footers["default"].find(".//w:jc", NS).get(w("val")) == "right"


def test_metadata_longer_than_word_allows_is_shortened_not_fatal(tmp_path: Path) -> None:
    import briefexport

    doc = briefexport.loads('title: "' + "长" * 300 + '"\nauthor: "' + "x" * 300 + '"\n')
    package = Package(briefexport.render(doc, "docx", tmp_path / "long.docx"))
    paragraphs = [text_of(p) for p in package.paragraphs()]
    assert "长" * 300 in paragraphs  # the full title is in the body


@pytest.mark.parametrize("text", ["正文", " 前后有空格 ", "a\tb", "第一行\n第二行", ""])
@pytest.mark.parametrize("bold", [False, True])
def test_text_runs_are_the_xml_python_docx_writes(text: str, bold: bool) -> None:
    """ox.add_text_run builds runs directly; they must serialize exactly as python-docx's own steps do."""
    from docx.oxml import OxmlElement

    from briefexport.render.docx import _oxml as ox

    ours, theirs = OxmlElement("w:p"), OxmlElement("w:p")
    ox.add_text_run(ours, text, bold=bold)
    run = docx.text.paragraph.Paragraph(theirs, None).add_run(text)
    if bold:
        run.bold = True
    assert etree.tostring(ours) == etree.tostring(theirs)


def test_page_number_in_chinese_numerals_is_a_page_field_with_word_s_chinese_switch(tmp_path: Path, seed_doc: NumberedDocument) -> None:
    theme = load_theme("handout")
    spec = dataclasses.replace(theme.page_number, format="第{page_cn}页")
    package = Package(render(seed_doc, "docx", tmp_path / "cn.docx", theme=dataclasses.replace(theme, page_number=spec)))
    (footer,) = [etree.fromstring(data) for name, data in package.parts.items() if name.startswith("word/footer")]
    # Word and WPS number the field 一, 二 …; LibreOffice ignores the switch and prints digits.
    assert [t.text.strip() for t in footer.iter(w("instrText"))] == ["PAGE \\* CHINESENUM3"]
    assert "".join(t.text for t in footer.iter(w("t"))) == "第一页"


def test_page_number_format_with_the_page_count(tmp_path: Path, seed_doc: NumberedDocument) -> None:
    theme = load_theme("handout")
    spec = dataclasses.replace(theme.page_number, format="第 {page} 页 共 {pages} 页 {{x}}")
    package = Package(render(seed_doc, "docx", tmp_path / "count.docx", theme=dataclasses.replace(theme, page_number=spec)))
    (footer,) = [etree.fromstring(data) for name, data in package.parts.items() if name.startswith("word/footer")]
    assert [t.text.strip() for t in footer.iter(w("instrText"))] == ["PAGE", "NUMPAGES"]
    assert "".join(t.text for t in footer.iter(w("t"))) == "第 1 页 共 1 页 {x}"
    soffice = require_tool("soffice")
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "count.docx")],
                   check=True, capture_output=True, timeout=300)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "count.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.count("\f")
    assert pages > 1 and all(f"第 {n} 页 共 {pages} 页 {{x}}" in text for n in range(1, pages + 1))


# -- hard text (issue #15) in LibreOffice's PDF of the DOCX ---------------------------

HARD = DATA / "typography" / "hard.yaml"


@pytest.fixture(scope="module")
def hard_gongwen(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The hard outline's gongwen DOCX and LibreOffice's PDF of it, made once."""
    folder = tmp_path_factory.mktemp("hard-docx")
    docx_path = render(number(loads(HARD.read_text(encoding="utf-8"))), "docx", folder / "hard.docx", theme="gongwen")
    return docx_path, _libreoffice_pdf(docx_path, folder)


@pytest.mark.slow
def test_gongwen_docx_page_number_7_mm_below_the_type_area_to_the_dash(hard_gongwen: tuple[Path, Path]) -> None:
    # GB/T 9704 7.5: the dash's ink, not the footer's line box, is 7 mm under the type area (was 11.4 mm).
    theme = load_theme("gongwen")
    page = theme.page
    bottom = page.height - page.margin_bottom
    image = page_ink(hard_gongwen[1], 1)
    found = ink_box(image, (page.margin_left, bottom + 1, page.width - page.margin_right, page.height - 3))
    assert found is not None
    dash = ink_box(image, (found[0], bottom + 1, found[0] + 3, page.height - 3))  # the first dash alone
    assert dash is not None
    # LibreOffice sets 宋体 in its own fallback face (Noto Sans CJK, dash 0.02 em higher than the PDF's).
    assert dash[1] - bottom == pytest.approx(7.0, abs=0.5)


@pytest.mark.slow
def test_gongwen_docx_signs_at_the_end_like_the_pdf(hard_gongwen: tuple[Path, Path]) -> None:
    theme = load_theme("gongwen")
    meta = "某某市人民政府办公室", "2024年1月14日"
    package = Package(hard_gongwen[0])
    texts = [text_of(p) for p in package.document.findall("w:body/w:p", NS)]
    assert texts[:3] == ["关于推进数字经济高质量发展和新时代“枫桥经验”创新实践的工作方案", "副标题含“引号”与《书名号》", ""]  # blank line
    assert list(meta) == texts[-2:] and meta[0] not in texts[:-2]  # 署名 and 成文日期 at the end only
    last = pages(hard_gongwen[1])[-1]
    signature, date = last.find(meta[0]), last.find("年1月14日")
    pitch = theme.page.type_width / theme.grid.chars  # type: ignore[union-attr]
    right = theme.page.width - theme.page.margin_right
    assert signature.top < date.top and date.top - signature.top < 2 * pitch
    assert right - date.glyphs[-1].x1 == pytest.approx(4 * pitch, abs=0.6)  # four characters from the right
    # Centred over the date in grid characters (Han whole, digits half, as FangSong sets them in
    # Word and WPS): 4 + (6.5 − 10) / 2 characters in. LibreOffice's fallback digits are wider,
    # so the date's own ink is not the measure here.
    assert right - signature.glyphs[-1].x1 == pytest.approx(2.25 * pitch, abs=0.6)


def test_date_paragraphs_turn_off_automatic_han_digit_space(hard_gongwen: tuple[Path, Path], tmp_path: Path) -> None:
    # Word and WPS add about 1/4 em between Han and digits unless w:autoSpaceDN is off; it is a
    # paragraph property, so only paragraphs holding a date turn it off (LibreOffice 7.4 ignores it).
    for docx_path in (hard_gongwen[0], render(number(loads(HARD.read_text(encoding="utf-8"))), "docx", tmp_path / "h.docx")):
        package = Package(docx_path)
        for p in package.document.findall("w:body/w:p", NS):
            off = p.find("w:pPr/w:autoSpaceDN", NS)
            has_date = re.search(r"\d{4}年\d{1,2}月|\d{1,2}月\d{1,2}日", text_of(p)) is not None
            signature = text_of(p) == "某某市人民政府办公室" and docx_path == hard_gongwen[0]  # its indent counts characters too
            assert (off is not None and off.get(w("val")) == "0") == (has_date or signature), text_of(p)


def _warm_docx(doc: NumberedDocument, theme: Theme, out: Path, memo: object) -> bytes:
    opts = dataclasses.replace(build_options(doc.doc), warm=memo)
    render(doc, "docx", out, theme=theme, opts=opts)
    return out.read_bytes()


def test_a_warm_process_writes_a_themes_styles_once(seed_doc: NumberedDocument, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # A live preview's edit changes no style: the second build copies the styled template.
    from briefexport.render import WarmMemo
    from briefexport.render.docx import writer

    calls: list[str] = []
    styled = writer.setup_styles
    monkeypatch.setattr(writer, "setup_styles", lambda *args: calls.append("styled") or styled(*args))
    theme, memo = load_theme("handout"), WarmMemo()
    cold = _warm_docx(seed_doc, theme, tmp_path / "cold.docx", None)
    for index in range(2):
        memo.next_build()
        assert _warm_docx(seed_doc, theme, tmp_path / f"warm{index}.docx", memo) == cold, index
    assert calls == ["styled", "styled"]  # the cold build's and the first warm build's


def test_a_warm_process_styles_anew_for_another_theme_of_the_same_name(seed_doc: NumberedDocument, tmp_path: Path) -> None:
    from briefexport.render import WarmMemo

    theme = load_theme("handout")
    body = theme.style("body")
    larger = dataclasses.replace(theme, styles={**theme.styles, "body": dataclasses.replace(body, size=body.size + 2)})
    assert larger.name == theme.name
    memo = WarmMemo()
    for each in (theme, larger):
        memo.next_build()
        warm = _warm_docx(seed_doc, each, tmp_path / "warm.docx", memo)
        assert warm == _warm_docx(seed_doc, each, tmp_path / "cold.docx", None), each.style("body").size
