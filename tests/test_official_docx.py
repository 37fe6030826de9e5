"""The official document in the DOCX: the WordprocessingML, and LibreOffice's PDF of it measured with pdfminer."""

from __future__ import annotations

import subprocess
import textwrap
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from briefexport import load, loads, number
from briefexport.builder.api import render
from briefexport.fonts import FontSet
from briefexport.render.docx._geometry import Geometry
from briefexport.render.docx._official import Placed, signature_places
from briefexport.render.pdf import measured_ems
from briefexport.render.pdf import title_lines
from briefexport.theme.loader import load_theme
from conftest import require_tool
from pdfgeometry import Page, pages
from test_official_pdf import check_recipients_in_record, check_signature_kept_with_text, kept_outline

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "notice.yaml"
RECORD = Path(__file__).resolve().parent / "data" / "official-record.yaml"
DEJAVU_THEME = Path(__file__).resolve().parent / "data" / "docx" / "official-dejavu-theme.yaml"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}
TOP, LEFT, RIGHT, BOTTOM = 37.0, 28.0, 184.0, 262.0
CHAR, PITCH, PT = 156 / 28, 225 / 22, 25.4 / 72
RED = (1.0, 0.0, 0.0)
LO_TEXT = 3.0
"""LibreOffice places text inside an exact-height line by the font's own ascent and descent (here
Noto Sans CJK standing in for the prescribed faces): text positions are checked to 3 mm, rules
and indents, which do not depend on the font, closely."""
RULE_NEAR = 0.3
"""The 版记's rules in LibreOffice against the PDF: half an outer rule (0.18 mm) and the DOCX grid's
whole-twip line pitch (0.8 twip short a line)."""


def w(name: str) -> str:
    return f"{{{W}}}{name}"


@pytest.fixture(scope="module")
def notice_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(number(load(EXAMPLE)), "docx", tmp_path_factory.mktemp("official-docx") / "notice.docx", theme="gongwen")


@pytest.fixture(scope="module")
def document(notice_docx: Path) -> etree._Element:
    with zipfile.ZipFile(notice_docx) as package:
        return etree.fromstring(package.read("word/document.xml"))


def _paragraph(document: etree._Element, text: str) -> etree._Element:
    for p in document.iter(w("p")):
        if text in "".join(p.itertext()):
            return p
    raise AssertionError(f"no paragraph with {text!r}")


@pytest.fixture(scope="module")
def styles(notice_docx: Path) -> etree._Element:
    with zipfile.ZipFile(notice_docx) as package:
        return etree.fromstring(package.read("word/styles.xml"))


def _style(styles: etree._Element, style_id: str) -> etree._Element:
    (style,) = styles.xpath("w:style[@w:styleId=$id]", namespaces=NS, id=style_id)
    return style


def _looks(styles: etree._Element, p: etree._Element, run: int = 0) -> dict[str, str | None]:
    """The face, size and colour a run shows, as Word resolves them: the run's own properties
    (which must say none of these), its character style, the paragraph style and its bases."""
    r = p.findall("w:r", NS)[run]
    for tag in ("w:rFonts", "w:sz", "w:color"):
        assert r.find(f"w:rPr/{tag}", NS) is None, f"{tag} on the run itself"
    chain = []
    char_style = r.find("w:rPr/w:rStyle", NS)
    if char_style is not None:
        chain.append(_style(styles, char_style.get(w("val"))))
    style_id = p.find("w:pPr/w:pStyle", NS).get(w("val"))
    while style_id:
        style = _style(styles, style_id)
        chain.append(style)
        based = style.find("w:basedOn", NS)
        style_id = based.get(w("val")) if based is not None else None

    def first(path: str, attr: str) -> str | None:
        return next((found.get(w(attr)) for style in chain if (found := style.find(path, NS)) is not None), None)
    return {"name": chain[0].find("w:name", NS).get(w("val")), "font": first("w:rPr/w:rFonts", "eastAsia"),
            "size": first("w:rPr/w:sz", "val"), "color": first("w:rPr/w:color", "val")}


def test_head_elements_are_named_styles_carrying_the_faces_sizes_and_red(document: etree._Element, styles: etree._Element) -> None:
    mark = _paragraph(document, "江城市人民政府办公室文件")
    looks = _looks(styles, mark)
    assert (looks["name"], looks["font"], looks["color"]) == ("发文机关标志", "方正小标宋简体", "FF0000")
    assert 44 < int(looks["size"] or 0) <= 96
    assert mark.find("w:pPr/w:jc", NS).get(w("val")) == "center"
    # 35 mm below the type area's top: three 579-twip lines of 份号/密级/紧急程度, then the space before.
    assert int(mark.find("w:pPr/w:spacing", NS).get(w("before"))) == round(35 * 1440 / 25.4) - 3 * 579
    for text in ("000123", "秘密★1年", "特急"):
        assert _looks(styles, _paragraph(document, text)) == {"name": "份号密级紧急", "font": "黑体", "size": "32", "color": "000000"}
    number_p = _paragraph(document, "江政办发〔2024〕3号")
    border = number_p.find("w:pPr/w:pBdr/w:bottom", NS)
    assert (border.get(w("color")), border.get(w("sz")), border.get(w("space"))) == ("FF0000", "8", "11")
    assert _looks(styles, number_p) == {"name": "发文字号", "font": "仿宋_GB2312", "size": "32", "color": "000000"}
    title = _looks(styles, _paragraph(document, "关于做好"))
    assert (title["name"], title["font"], title["size"]) == ("Title", "方正小标宋简体", "44")
    assert _looks(styles, _paragraph(document, "各区人民政府"))["name"] == "主送机关"


def test_body_and_imprint_elements_are_named_styles(notice_docx: Path, document: etree._Element, styles: etree._Element) -> None:
    body = {"font": "仿宋_GB2312", "size": "32", "color": "000000"}
    assert _looks(styles, _paragraph(document, "附件：1.")) == {"name": "附件说明", **body}
    assert _looks(styles, next(p for p in document.iter(w("p")) if "".join(p.itertext()) == "江城市人民政府办公室")) == {"name": "发文机关署名", **body}
    assert _looks(styles, _paragraph(document, "2024年1月14日")) == {"name": "成文日期", **body}
    assert _looks(styles, _paragraph(document, "（联系人")) == {"name": "附注", **body}
    label = next(p for p in document.iter(w("p")) if "".join(p.itertext()) == "附件1")
    assert _looks(styles, label) == {"name": "附件标识", "font": "黑体", "size": "32", "color": "000000"}
    with zipfile.ZipFile(notice_docx) as package:
        footers = [etree.fromstring(package.read(name)) for name in package.namelist() if name.startswith("word/footer")]
    copy_to = next(p for footer in footers for p in footer.iter(w("p")) if "抄送：" in "".join(p.itertext()))
    assert _looks(styles, copy_to) == {"name": "版记", "font": "仿宋_GB2312", "size": "28", "color": "000000"}


def test_title_lines_are_the_pdfs() -> None:
    gongwen, fonts = load_theme("gongwen"), FontSet()
    assert title_lines(("关于做好2024年度全市机关安全生产检查工作的通知",), gongwen, fonts) == ["关于做好2024年度全市机关", "安全生产检查工作的通知"]
    assert title_lines(("短标题",), gongwen, fonts) == ["短标题"]
    # The outline's own lines stay lines; each line as the outline spells it (its ASCII comma,
    # drawn full-width in the PDF; no zero-width space lost or gained).
    lines = title_lines(("江城市人民政府办公室", "关于做好防汛,抗旱\u200b工作的通知"), gongwen, fonts)
    assert lines == ["江城市人民政府办公室", "关于做好防汛,抗旱\u200b工作的通知"]
    long = "甲乙丙丁戊己庚辛壬癸，子丑寅卯辰巳午未申酉戌亥，甲乙丙丁戊己庚辛壬癸"
    wrapped = title_lines((long,), gongwen, fonts)
    assert len(wrapped) == 2 and "".join(wrapped) == long and not wrapped[1].startswith("，")


def test_signature_places_follow_the_seal_rules() -> None:
    # With a seal: both centred on the date's centre, 4 + 6.5 / 2 characters from the right, in
    # room reaching the right edge (the reader centres them, whatever its digits' widths).
    (name,), date = signature_places(["江城市人民政府办公室"], "2024年1月14日", seal=True, width=28)
    assert name == date == Placed("center", 28 - 2 * (4 + 6.5 / 2), 0.0)
    (name,), date = signature_places(["某某省某某市某某区人民政府办公室"], "2024年1月14日", seal=True, width=28)
    assert (name.left + 28 - name.right) / 2 == pytest.approx(28 - 7.25) and name.right == -0.75  # 16 characters: into the margin
    # Without: the 署名 ends two characters from the right, the date starts two characters right of its start.
    (name,), date = signature_places(["江城市人民政府办公室"], "2024年1月14日", seal=False, width=28)
    assert name == Placed("left", left=28 - 2 - 10) and date == Placed("left", left=28 - 2 - 10 + 2)
    (name,), date = signature_places(["江城市局"], "2024年12月31日", seal=False, width=28)
    assert date == Placed("right", right=2.0) and name == Placed("left", left=28 - 2 - 7 - 2)  # a longer date pushes the 署名 left


def _dejavu() -> FontSet:
    fonts = FontSet()
    if fonts.find("DejaVu Sans") is None:
        pytest.skip("DejaVu Sans is not installed (fonts-dejavu-core; bash .ci/run installs it)")
    return fonts


def test_signature_widths_come_from_the_face() -> None:
    fonts = _dejavu()
    from reportlab.pdfbase import pdfmetrics

    theme = load_theme(DEJAVU_THEME)
    ems = measured_ems(fonts, theme, Geometry.of(theme).char_width(theme.style("body")))
    digit = pdfmetrics.stringWidth("2", fonts.reportlab_name(fonts.find("DejaVu Sans")), 16) / (156 / 28 / 25.4 * 72)
    assert 0.6 < digit < 0.7
    assert ems("2024年1月14日") == pytest.approx(7 * digit + 3, abs=0.01)  # Chinese one grid cell each
    gongwen = load_theme("gongwen")
    assert measured_ems(FontSet(system=False), gongwen, Geometry.of(gongwen).char_width(gongwen.style("body")))("2024年1月14日") == pytest.approx(6.5, abs=0.05)  # FandolFang: half


def test_body_elements_in_the_xml(document: etree._Element) -> None:
    listed = _paragraph(document, "附件：1.")
    ind = listed.find("w:pPr/w:ind", NS)
    assert (ind.get(w("leftChars")), ind.get(w("hangingChars"))) == ("600", "400")  # wrapped lines align with the name
    assert listed.find("w:r/w:tab", NS) is not None  # the tab to the hanging indent, where the name starts
    date = _paragraph(document, "2024年1月14日")
    signature = next(p for p in document.iter(w("p")) if "".join(p.itertext()) == "江城市人民政府办公室")
    for p in (date, signature):  # centred in the same room, whose centre is the date's (in twips: Word counts leftChars in 16 pt)
        ind = p.find("w:pPr/w:ind", NS)
        assert p.find("w:pPr/w:jc", NS).get(w("val")) == "center" and ind.get(w("leftChars")) is None
        assert int(ind.get(w("left"))) == pytest.approx((28 - 2 * (4 + 6.5 / 2)) * 315, abs=10) and ind.get(w("right")) is None
    label = next(p for p in document.iter(w("p")) if "".join(p.itertext()) == "附件1")
    assert label.find("w:pPr/w:pageBreakBefore", NS) is not None
    assert label.find("w:pPr/w:pStyle", NS).get(w("val")) == "OfficialAttachmentLabel"


def test_imprint_is_the_footer_of_an_even_page_section(notice_docx: Path, document: etree._Element) -> None:
    sections = document.findall(".//w:sectPr", NS)
    last = sections[-1]
    assert last.find("w:type", NS).get(w("val")) == "evenPage"
    margins = last.find("w:pgMar", NS)
    assert margins.get(w("footer")) == margins.get(w("bottom"))  # the footer's bottom on the type area's bottom
    assert last.find("w:titlePg", NS) is None
    refs = {ref.get(w("type")): ref.get(f"{{{R}}}id") for ref in last.findall("w:footerReference", NS)}
    assert set(refs) == {"default", "even"}
    with zipfile.ZipFile(notice_docx) as package:
        rels = etree.fromstring(package.read("word/_rels/document.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels}
        for rid in refs.values():
            footer = etree.fromstring(package.read("word/" + targets[rid]))
            assert "PAGE" not in "".join(footer.itertext())
            borders = footer.find(".//w:tblBorders", NS)
            assert [borders.find(f"w:{side}", NS).get(w("sz")) for side in ("top", "insideH", "bottom")] == ["8", "6", "8"]
            text = "".join(footer.itertext())
            assert "抄送：" in text and text.rstrip().endswith("印发")


def test_without_the_block_nothing_changes(tmp_path: Path) -> None:
    plain = "title: 关于开展检查的通知\ndate: 2024-01-14\nlead: [正文。]\n"
    out = render(number(loads(plain)), "docx", tmp_path / "plain.docx", theme="gongwen")
    with zipfile.ZipFile(out) as package:
        assert len(etree.fromstring(package.read("word/document.xml")).findall(".//w:sectPr", NS)) == 1
        assert "FF0000" not in package.read("word/document.xml").decode()


# -- LibreOffice's PDF ------------------------------------------------------------------


LINE = "各单位要充分认识做好机关安全生产工作的重要性坚持人。"


def _parity_outline(lines: int) -> str:
    lead = "".join(f"  - {LINE}\n" for _ in range(lines))
    official = textwrap.dedent("""\
        official:
          organs: 甲部
          number: 甲发〔2024〕1号
          seal: false
          copy_to: 乙部。
          printer: 甲部办公室
          print_date: 2024-01-15
    """)
    return "title: 关于开展检查的通知\ndate: 2024-01-14\n" + official + "lead:\n" + lead


SIGNERS = "title: 请示\nofficial:\n  organs: 江城市人民政府\n  number: 江政〔2024〕12号\n  signers: [张三, 李四, 王五]\n"
UNSEALED = "title: 通知\ndate: 2024-01-14\nofficial:\n  organs: 江城市人民政府办公室\n  seal: false\nlead: [正文。]\n"
WRAPPED = "title: 江城市人民政府办公室关于做好全市安全生产检查工作的通知\nofficial:\n  organs: 江城市人民政府办公室\n  number: 江政办发〔2024〕3号\nlead: [正文。]\n"
"""A title that wraps with no phrase mark: the DOCX used to cut it by character count (关于做 / 好)."""
PARITY = {"fits": 20, "full": 27, "no-room": 28, "odd": 30, "long": 70}
"""Lines of text of the parity cases: the text ends on page 2 with room for the 版记, on page 2
filling it exactly with the 版记, on page 2 without room, on page 3, and on page 4."""


@pytest.fixture(scope="module")
def libreoffice(notice_docx: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Page]]:
    """LibreOffice's PDFs of the example and of the parity cases, blank pages kept."""
    soffice = require_tool("soffice")
    folder = tmp_path_factory.mktemp("official-lo")
    files = {"notice": notice_docx}
    files["kept"] = render(number(loads(kept_outline(21))), "docx", folder / "kept.docx", theme="gongwen")
    files["record"] = render(number(load(RECORD)), "docx", folder / "record.docx", theme="gongwen")
    files["signers"] = render(number(loads(SIGNERS)), "docx", folder / "signers.docx", theme="gongwen")
    files["unsealed"] = render(number(loads(UNSEALED)), "docx", folder / "unsealed.docx", theme="gongwen")
    files["wrapped"] = render(number(loads(WRAPPED)), "docx", folder / "wrapped.docx", theme="gongwen")
    if FontSet().find("DejaVu Sans") is not None:
        files["dejavu"] = render(number(load(EXAMPLE)), "docx", folder / "dejavu.docx", theme=DEJAVU_THEME)
    for name, lines in PARITY.items():
        files[name] = render(number(loads(_parity_outline(lines))), "docx", folder / f"{name}.docx", theme="gongwen")
    # Keep the blank pages LibreOffice inserts for an even-page section (its PDF export drops them by default).
    export = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'
    subprocess.run(
        [soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--convert-to", export,
         "--outdir", str(folder), *map(str, files.values())],
        check=True, capture_output=True, timeout=300,
    )
    return {name: pages(folder / f"{path.stem}.pdf") for name, path in files.items()}


@pytest.fixture(scope="module")
def our_pdf(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Page]]:
    """Our own PDFs of the same documents, for the page the 版记 lands on (and the title's lines)."""
    folder = tmp_path_factory.mktemp("official-pdf-parity")
    outlines = {"notice": EXAMPLE.read_text(encoding="utf-8"), "kept": kept_outline(21), "record": RECORD.read_text(encoding="utf-8"),
                "wrapped": WRAPPED, **{name: _parity_outline(lines) for name, lines in PARITY.items()}}
    return {name: pages(render(number(loads(text)), "pdf", folder / f"{name}.pdf", theme="gongwen")) for name, text in outlines.items()}


def _numbers(result: list[Page]) -> list[str | None]:
    return [next((line.text for line in page.lines if line.top > BOTTOM), None) for page in result]


@pytest.mark.slow
def test_libreoffice_head_positions(libreoffice: dict[str, list[Page]]) -> None:
    first = libreoffice["notice"][0]
    mark = first.find("江城市人民政府办公室文件")
    assert mark.top == pytest.approx(TOP + 35, abs=LO_TEXT)
    assert (mark.x0 + mark.x1) / 2 == pytest.approx((LEFT + RIGHT) / 2, abs=1.0)
    assert mark.colors == {RED}
    (rule,) = {(round(r.y, 2), r.x0, r.x1, r.color) for r in first.rules if r.color == RED}
    assert (rule[1], rule[2]) == (pytest.approx(LEFT, abs=0.1), pytest.approx(RIGHT, abs=0.1))
    number_line = first.find("江政办发")
    mark_size = min(48, 156 / 25.4 * 72 / 12)  # the largest size at which the 12 characters fit the type area
    assert rule[0] == pytest.approx(TOP + 35 + mark_size * PT + 2 * PITCH + 16 * PT + 4, abs=0.5)
    assert number_line.top == pytest.approx(mark.bottom + 2 * PITCH, abs=LO_TEXT)
    title = first.find("关于做好")
    assert title.top == pytest.approx(rule[0] + 2 * PITCH, abs=LO_TEXT) and title.size == 22
    assert first.find("秘密★1年").x0 == pytest.approx(LEFT, abs=0.3) and first.find("秘密★1年").size == 16
    assert first.find("各区人民政府").x0 == pytest.approx(LEFT, abs=0.3) and first.find("各区人民政府").text.endswith("：")


@pytest.mark.slow
def test_libreoffice_breaks_the_title_where_the_pdf_does(libreoffice: dict[str, list[Page]], our_pdf: dict[str, list[Page]]) -> None:
    def title(result: list[Page]) -> list[str]:
        return [line.text for line in result[0].lines if line.size == pytest.approx(22, abs=0.1)]
    assert title(our_pdf["wrapped"]) == ["江城市人民政府办公室关于", "做好全市安全生产检查工作的通知"]
    assert title(libreoffice["wrapped"]) == title(our_pdf["wrapped"])


@pytest.mark.slow
def test_libreoffice_body_elements(libreoffice: dict[str, list[Page]]) -> None:
    page = next(p for p in libreoffice["notice"] if "附件：" in p.text)
    listed = page.find("附件：")
    assert listed.x0 == pytest.approx(LEFT + 2 * CHAR, abs=0.5)
    date = page.find("2024年1月14日")
    signature = next(line for line in page.lines if line.text == "江城市人民政府办公室")
    # The Noto and DejaVu faces LibreOffice substitutes here set the date two characters wider than
    # 仿宋_GB2312 would: it stays centred where the face's would (4 + 6.5 / 2 characters from the
    # right), and the 署名 over it, to the width of a glyph's rounding.
    assert date.x1 - date.x0 > 8 * CHAR
    assert (date.x0 + date.x1) / 2 == pytest.approx(RIGHT - (4 + 6.5 / 2) * CHAR, abs=0.3)
    assert (signature.x0 + signature.x1) / 2 == pytest.approx((date.x0 + date.x1) / 2, abs=0.3)
    note = page.find("（联系人")
    assert note.x0 == pytest.approx(LEFT + 2 * CHAR, abs=0.5) and note.top == pytest.approx(date.top + PITCH, abs=0.5)
    attachment = next(p for p in libreoffice["notice"] if p.lines and p.lines[0].text.startswith("附件1"))
    assert attachment.lines[0].top == pytest.approx(TOP, abs=LO_TEXT)
    assert attachment.lines[1].top == pytest.approx(TOP + 2 * PITCH, abs=LO_TEXT) and attachment.lines[1].size == 22


@pytest.mark.slow
def test_libreoffice_signature_centred_over_the_date_by_the_faces_widths(libreoffice: dict[str, list[Page]]) -> None:
    _dejavu()
    page = next(p for p in libreoffice["dejavu"] if "附件：" in p.text)
    date = page.find("2024年1月14日")
    signature = next(line for line in page.lines if line.text == "江城市人民政府办公室")
    # Centred where DejaVu's digits put the date's centre (LibreOffice 7.4 ignores w:autoSpaceDN
    # and adds a gap at each change between Chinese and digits, which Word leaves out as the DOCX
    # asks; the date widens both ways and the 署名 stays centred over it).
    ems = measured_ems(FontSet(), (dejavu := load_theme(DEJAVU_THEME)), Geometry.of(dejavu).char_width(dejavu.style("body")))("2024年1月14日")
    assert ems > 7.0  # wider than counting digits as half
    assert (date.x0 + date.x1) / 2 == pytest.approx(RIGHT - (4 + ems / 2) * CHAR, abs=0.3)
    assert (signature.x0 + signature.x1) / 2 == pytest.approx((date.x0 + date.x1) / 2, abs=0.3)


@pytest.mark.slow
def test_libreoffice_unsealed_date_starts_two_characters_right_of_the_signature(libreoffice: dict[str, list[Page]]) -> None:
    page = libreoffice["unsealed"][0]
    signature = next(line for line in page.lines if line.text == "江城市人民政府办公室")
    date = page.find("2024年1月14日")
    assert signature.x1 == pytest.approx(RIGHT - 2 * CHAR, abs=0.3)
    # Where the substituted digits make the date end is the reader's: where it starts is ours.
    assert date.x0 == pytest.approx(signature.x0 + 2 * CHAR, abs=0.3)


@pytest.mark.slow
def test_libreoffice_later_signers_under_the_first(libreoffice: dict[str, list[Page]]) -> None:
    first = libreoffice["signers"][0]
    row = first.find("签发人：")
    glyphs = {g.char: g for g in row.glyphs}
    later = next(line for line in first.lines if "王五" in line.text)
    wang = next(g for g in later.glyphs if g.char == "王")
    assert wang.x0 == pytest.approx(glyphs["张"].x0, abs=0.1)  # 王五 exactly under 张三
    assert glyphs["四"].x1 == pytest.approx(RIGHT - CHAR, abs=0.5)  # the names end one character from the right
    assert later.x0 == pytest.approx(LEFT + CHAR, abs=0.3) and later.text.startswith("江政〔2024〕12号")


@pytest.mark.slow
def test_libreoffice_recipients_in_record(libreoffice: dict[str, list[Page]], our_pdf: dict[str, list[Page]]) -> None:
    check_recipients_in_record(libreoffice["record"], 0.6)
    # Four lines of lists above the middle rule, each giving back its share of the rules' weight.
    assert [rule.y for rule in libreoffice["record"][-1].rules] == [pytest.approx(rule.y, abs=RULE_NEAR) for rule in our_pdf["record"][-1].rules]


@pytest.mark.slow
def test_libreoffice_signature_kept_with_the_text_as_in_the_pdf(libreoffice: dict[str, list[Page]], our_pdf: dict[str, list[Page]]) -> None:
    check_signature_kept_with_text(libreoffice["kept"])
    assert [len(page.lines) for page in libreoffice["kept"]] == [len(page.lines) for page in our_pdf["kept"]]


def _imprint_page(result: list[Page]) -> int:
    return next(index for index, page in enumerate(result) if any(line.text.startswith("抄送：") for line in page.lines))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["notice", "kept", *PARITY])
def test_libreoffice_imprint_on_the_last_line_of_the_same_even_page_as_in_the_pdf(
    libreoffice: dict[str, list[Page]], our_pdf: dict[str, list[Page]], name: str
) -> None:
    result, ours = libreoffice[name], our_pdf[name]
    assert len(result) % 2 == 0 and len(result) == len(ours)
    assert _imprint_page(result) == _imprint_page(ours) == len(result) - 1
    last = result[-1]
    weights = [rule.weight for rule in last.rules]
    assert weights == [pytest.approx(0.35, abs=0.02), pytest.approx(0.26, abs=0.02), pytest.approx(0.35, abs=0.02)]
    # Every rule where the PDF has it, however many lines the 抄送 takes (the notice's takes two):
    # LibreOffice draws a table's outer rules inside its box, half a rule (0.18 mm) in.
    assert [rule.y for rule in last.rules] == [pytest.approx(rule.y, abs=RULE_NEAR) for rule in ours[-1].rules]
    assert all((rule.x0, rule.x1) == (pytest.approx(LEFT, abs=0.1), pytest.approx(RIGHT, abs=0.1)) for rule in last.rules)
    printed = last.find("印发")
    assert printed.bottom <= BOTTOM and printed.top > BOTTOM - PITCH
    assert printed.x0 == pytest.approx(LEFT + 14 * PT, abs=0.5) and printed.x1 == pytest.approx(RIGHT - 14 * PT, abs=0.5)
    copy_to = last.find("抄送：")
    assert printed.size == 14 and copy_to.size == 14 and copy_to.x0 == pytest.approx(LEFT + 14 * PT, abs=0.5)
    if name == "notice":  # two lines: the second under the first organ, as in the PDF
        wrapped = last.find("市检察院")
        assert wrapped.x0 == pytest.approx(copy_to.glyphs[3].x0, abs=0.5) and wrapped.top - copy_to.top == pytest.approx(PITCH, abs=0.3)
    # Page numbers as in the PDF: none on a blank page and on a 版记 page of its own.
    assert _numbers(result) == _numbers(ours)
    if name == "no-room":  # the text ends on page 2: a blank page 3, the 版记 on page 4
        assert _numbers(result) == ["— 1 —", "— 2 —", None, None] and result[2].lines == ()
    if name in ("fits", "full", "long"):  # under the last text, on a numbered page
        assert _numbers(result)[-1] is not None and "2024年1月14日" in last.text


def test_imprint_under_the_text_floats_at_the_bottom_of_the_type_area(tmp_path: Path) -> None:
    document = _docx_xml(_parity_outline(PARITY["fits"]), tmp_path)
    assert len(document.findall(".//w:sectPr", NS)) == 1  # no section of its own
    (table,) = document.findall("w:body/w:tbl", NS)
    position = table.find("w:tblPr/w:tblpPr", NS)
    assert (position.get(w("vertAnchor")), position.get(w("tblpYSpec"))) == ("margin", "bottom")
    assert (position.get(w("horzAnchor")), position.get(w("tblpX"))) == ("page", str(round(28 * 1440 / 25.4)))
    assert table.getnext().tag == w("p") and "".join(table.getnext().itertext()) == ""  # its anchor, after the last text
    assert "抄送：乙部。" in "".join(table.itertext())


def _docx_xml(outline: str, tmp_path: Path) -> etree._Element:
    out = render(number(loads(outline)), "docx", tmp_path / "o.docx", theme="gongwen")
    with zipfile.ZipFile(out) as package:
        return etree.fromstring(package.read("word/document.xml"))


def _docx_styles(tmp_path: Path) -> bytes:
    with zipfile.ZipFile(tmp_path / "o.docx") as package:
        return package.read("word/styles.xml")


def test_joint_mark_is_a_borderless_table_with_wenjian_beside_the_organs(tmp_path: Path) -> None:
    document = _docx_xml("title: 通知\nofficial:\n  organs: [江城市教育局, 江城市卫生健康委员会]\n", tmp_path)
    (table,) = document.findall(".//w:body/w:tbl", NS)
    assert table.find("w:tblPr/w:jc", NS).get(w("val")) == "center"
    assert {b.get(w("val")) for b in table.find("w:tblPr/w:tblBorders", NS)} == {"nil"}
    organs, beside = table.findall("w:tr/w:tc", NS)
    assert ["".join(p.itertext()) for p in organs.findall("w:p", NS)] == ["江城市教育局", "江城市卫生健康委员会"]
    assert {p.find("w:pPr/w:jc", NS).get(w("val")) for p in organs.findall("w:p", NS)} == {"distribute"}  # one width
    assert "".join(beside.itertext()) == "文件" and beside.find("w:tcPr/w:vAlign", NS).get(w("val")) == "center"
    assert {p.find("w:pPr/w:pStyle", NS).get(w("val")) for p in table.iter(w("p"))} == {"OfficialMark"}  # red, by its style
    assert all(r.find("w:rPr", NS) is None for r in table.iter(w("r")))


def test_upward_document_names_in_kai_on_the_right(tmp_path: Path) -> None:
    document = _docx_xml(SIGNERS, tmp_path)
    first, last = _paragraph(document, "签发人："), _paragraph(document, "王五")
    assert "江政〔2024〕12号" in "".join(last.itertext()) and "江政" not in "".join(first.itertext())
    for p in (first, last):
        assert {tab.get(w("val")) for tab in p.findall("w:pPr/w:tabs/w:tab", NS)} == {"left"}
        names = [r for r in p.findall("w:r", NS) if r.find("w:rPr/w:rStyle", NS) is not None]
        assert {r.find("w:rPr/w:rStyle", NS).get(w("val")) for r in names} == {"OfficialSigner"}  # the 签发人 character style
    (signer,) = {s for s in etree.fromstring(_docx_styles(tmp_path)).findall("w:style", NS) if s.get(w("styleId")) == "OfficialSigner"}
    assert signer.get(w("type")) == "character" and signer.find("w:rPr/w:rFonts", NS).get(w("eastAsia")) == "楷体_GB2312"
    # Later rows: the names on the first row's stops (王五 under 张三).
    first_stops = [int(tab.get(w("pos"))) for tab in first.findall("w:pPr/w:tabs/w:tab", NS)]
    last_stops = [int(tab.get(w("pos"))) for tab in last.findall("w:pPr/w:tabs/w:tab", NS)]
    assert last_stops[1] == first_stops[1] and last_stops[0] == first_stops[0] + 4 * round(156 / 28 / 25.4 * 1440)
    assert last.find("w:pPr/w:pBdr/w:bottom", NS).get(w("color")) == "FF0000"  # the red rule under the 文号's row


def _with_tabs(p: etree._Element) -> str:
    return "".join("\t" if node.tag == w("tab") else node.text or "" for node in p.iter(w("t"), w("tab")) if node.getparent().tag == w("r"))


def test_joint_sealed_signatures_on_centred_tab_stops(tmp_path: Path) -> None:
    document = _docx_xml("title: 通知\ndate: 2024-03-08\nofficial:\n  organs: [甲局, 乙委员会, 丙管理局]\n", tmp_path)
    body = document.find("w:body", NS)
    texts = {_with_tabs(p): p for p in body.findall("w:p", NS)}
    first, second = texts["\t\t甲局"], texts["\t乙委员会\t丙管理局"]
    tabs = second.findall("w:pPr/w:tabs/w:tab", NS)
    assert [tab.get(w("val")) for tab in tabs] == ["center", "center"]
    type_width = 11906 - round(28 * 1440 / 25.4) - round(26 * 1440 / 25.4)
    assert sum(int(tab.get(w("pos"))) for tab in tabs) == pytest.approx(type_width, abs=2)  # the left column mirrors the right
    assert int(second.find("w:pPr/w:spacing", NS).get(w("before"))) == 4 * 579  # rows a seal apart
    assert int(first.find("w:pPr/w:spacing", NS).get(w("before"))) == 2 * 579
