"""The PDF a reader gets: fonts, text, outline, TOC, Chinese line breaks, GB/T 9704 geometry."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import require_tool
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTPage, LTTextLine
from pypdf import PdfReader

import briefexport
from briefexport.builder.api import build_options, render
from briefexport.errors import BriefexportError
from briefexport.numbering import NumberedDocument, NumberedNode
from briefexport.theme.loader import load_theme

MM = 72 / 25.4
CLOSING = set("，。、；：？！）》」』’”〉】…—,.;:?!)")
OPENING = set("（《「『‘“〈【([")
_FULL_WIDTH = str.maketrans({",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"})


def squash(text: str) -> str:
    """No whitespace; ASCII punctuation as the full-width form it is typeset as."""
    return re.sub(r"\s+", "", text).translate(_FULL_WIDTH)


def text_lines(pdf: Path) -> list[tuple[int, LTPage, LTTextLine]]:
    """Every laid-out line as pdfminer sees it: (page number, page, line), in reading order."""
    out = []
    for number, page in enumerate(extract_pages(pdf, laparams=LAParams(char_margin=1.0, line_margin=0.2, all_texts=True)), start=1):
        lines: list[LTTextLine] = []
        stack: list[object] = [page]
        while stack:
            item = stack.pop()
            if isinstance(item, LTTextLine):
                lines.append(item)
            elif hasattr(item, "__iter__"):
                stack.extend(item)  # type: ignore[arg-type]
        out.extend((number, page, line) for line in sorted(lines, key=lambda line: (-round(line.y1, 1), line.x0)))
    return out


def in_type_area(line: LTTextLine, theme_name: str) -> bool:
    return line.y0 > load_theme(theme_name).page.margin_bottom * MM - 2


def chars(line: LTTextLine) -> list[LTChar]:
    return [c for c in line if isinstance(c, LTChar)]


@pytest.fixture(scope="module")
def seed_lines(render_seed: Callable[..., Path]) -> list[tuple[int, LTPage, LTTextLine]]:
    return text_lines(render_seed("pdf"))


@pytest.fixture(scope="module")
def gongwen_lines(render_seed: Callable[..., Path]) -> list[tuple[int, LTPage, LTTextLine]]:
    return text_lines(render_seed("pdf", "gongwen"))


def expected_blocks(doc: NumberedDocument) -> list[str]:
    meta = doc.doc.meta
    out = [meta.title, meta.subtitle or ""] + [para.text for para in doc.doc.lead]
    for item in doc.walk():
        out += [item.node.kicker or "", item.heading] + [para.text for para in item.node.body]
    return [squash(text) for text in out if text]


# -- fonts -----------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["handout", "gongwen"])
def test_every_font_is_embedded_subset_with_unicode_map(render_seed: Callable[..., Path], theme: str) -> None:
    out = subprocess.run([require_tool("pdffonts"), str(render_seed("pdf", theme))], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows
    for row in rows:
        assert row[-5:-2] == ["yes", "yes", "yes"], row  # emb sub uni
    assert "Helvetica" not in out


# -- text ------------------------------------------------------------------------


def test_every_paragraph_comes_back_in_order_with_its_label(seed_lines: list, seed_doc: NumberedDocument) -> None:
    body = "".join(squash(line.get_text()) for _, _, line in seed_lines if in_type_area(line, "handout"))
    cursor = 0
    for block in expected_blocks(seed_doc):
        found = body.find(block, cursor)
        assert found >= 0, f"missing or out of order: {block[:30]}"
        cursor = found + len(block)
    assert "重点任务一：高站位落实党的绝对领导的制度机制" in body
    assert "一是必须坚持党的绝对领导" in body


@pytest.mark.parametrize("fixture", ["seed_lines", "gongwen_lines"])
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(fixture: str, request: pytest.FixtureRequest) -> None:
    lines = request.getfixturevalue(fixture)
    checked = 0
    for page, _, line in lines:
        text = line.get_text().strip()
        if not text or not in_type_area(line, "gongwen" if fixture == "gongwen_lines" else "handout"):
            continue  # page numbers (— 1 —) are not laid-out text
        assert text[0] not in CLOSING, f"page {page}: line starts with {text[0]}: {text}"
        assert text[-1] not in OPENING, f"page {page}: line ends with {text[-1]}: {text}"
        checked += 1
    assert checked > 100


def test_body_lines_are_justified_and_indented(seed_lines: list, seed_doc: NumberedDocument) -> None:
    theme = load_theme("handout")
    left, right = theme.page.margin_left * MM, (theme.page.width - theme.page.margin_right) * MM
    size = theme.style("body").size
    lead = squash(seed_doc.doc.lead[0].text)
    lines = [line for _, _, line in seed_lines if len(squash(line.get_text())) > 10 and squash(line.get_text()) in lead]
    assert len(lines) >= 3
    assert lines[0].x0 == pytest.approx(left + 2 * size, abs=0.5)  # 2 em first-line indent
    for line in lines[1:-1]:
        assert line.x0 == pytest.approx(left, abs=0.5)
        assert line.x1 == pytest.approx(right, abs=size * 0.6)  # ink reaches the edge (a comma may hang)
    assert lines[-1].x1 < right - size


def test_bookmarks_nest_sections_principles_and_tasks_with_labels(render_seed: Callable[..., Path], seed_doc: NumberedDocument) -> None:
    reader = PdfReader(render_seed("pdf"))

    def tree(entries: list) -> list:
        out: list = []
        for entry in entries:
            if isinstance(entry, list):
                out[-1] = (out[-1][0], tree(entry))
            else:
                out.append((entry.title, []))
        return out

    def expected(items: tuple[NumberedNode, ...]) -> list:
        return [(item.heading, expected(item.children)) for item in items]

    assert tree(reader.outline) == expected(seed_doc.sections)
    assert all(entry.get("/Count", 0) > 0 for entry in reader.outline if not isinstance(entry, list) and entry.title.startswith(("一、", "三、")))
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"


def test_toc_lists_labelled_headings_with_the_pages_they_are_on(render_seed: Callable[..., Path], seed_lines: list) -> None:
    reader = PdfReader(render_seed("pdf"))
    pages: dict[str, int] = {}
    stack = list(reader.outline)
    while stack:
        entry = stack.pop()
        if isinstance(entry, list):
            stack.extend(entry)
        else:
            pages[squash(entry.title)] = reader.get_destination_page_number(entry) + 1
    rows: dict[float, list[LTTextLine]] = {}
    for page, _, line in seed_lines:
        if page == 1:  # the entry's text and its page number may come out as two pdfminer lines
            rows.setdefault(round(line.y0), []).append(line)
    toc = {}
    for row in rows.values():
        match = re.fullmatch(r"(.+?)(\d+)", "".join(squash(line.get_text()) for line in sorted(row, key=lambda line: line.x0)))
        if match and match.group(1) in pages:
            toc[match.group(1)] = int(match.group(2))
    depth2 = {title: number for title, number in pages.items() if title in toc}
    assert len(toc) == 18  # 4 sections, 6 principles, 8 tasks (TOC depth 2)
    assert toc == depth2
    assert "重点任务八：高要求锻造过硬公安队伍" in toc


def test_document_info_language_and_dates(render_seed: Callable[..., Path], seed_doc: NumberedDocument) -> None:
    reader = PdfReader(render_seed("pdf"))
    info = reader.metadata
    meta = seed_doc.doc.meta
    assert info is not None
    assert (info.title, info.subject, info["/Creator"]) == (meta.title, meta.subtitle, "briefexport")
    assert all(word in info["/Keywords"] for word in meta.keywords)
    assert info["/CreationDate"] == info["/ModDate"] == "D:20240114000000+00'00'"
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"


def test_same_input_same_bytes(tmp_path: Path, seed_doc: NumberedDocument, render_seed: Callable[..., Path]) -> None:
    again = render(seed_doc, "pdf", tmp_path / "again.pdf")
    assert again.read_bytes() == render_seed("pdf").read_bytes()


def test_page_numbers_centred_below_the_type_area(seed_lines: list) -> None:
    theme = load_theme("handout")
    page = theme.page
    numbers = {p: line for p, _, line in seed_lines if re.fullmatch(r"—\d+—", squash(line.get_text()))}
    assert sorted(numbers) == list(range(1, max(numbers) + 1))
    for number, line in numbers.items():
        assert squash(line.get_text()) == f"—{number}—"
        centre = (page.margin_left + page.type_width / 2) * MM
        assert (line.x0 + line.x1) / 2 == pytest.approx(centre, abs=1)
        assert line.y1 == pytest.approx((page.margin_bottom - theme.page_number.below_type_area) * MM, abs=1 * MM)


# -- gongwen (GB/T 9704-2012) ------------------------------------------------------


def test_gongwen_grid_22_lines_of_28_characters(gongwen_lines: list) -> None:
    theme = load_theme("gongwen")
    page = theme.page
    pitch_y = page.type_height * MM / 22
    pitch_x = page.type_width * MM / 28
    pages = {p: pg for p, pg, _ in gongwen_lines}
    assert all((round(pg.width), round(pg.height)) == (595, 842) for pg in pages.values())  # A4
    body = [(p, line) for p, _, line in gongwen_lines if in_type_area(line, "gongwen")]
    assert min(line.x0 for _, line in body) == pytest.approx(28 * MM, abs=1 * MM)
    for p in pages:
        tops = [line.y1 for q, line in body if q == p]
        assert (pages[p].height - max(tops)) == pytest.approx(37 * MM, abs=1 * MM)
        # Every line sits on the grid, and no page holds more than 22.
        slots = {round((pages[p].height - 37 * MM - top) / pitch_y, 2) for top in tops}
        assert all(slot == int(slot) for slot in slots), slots
        assert len(slots) <= 22
    per_page = Counter(p for p, _ in body)
    assert 22 in per_page.values()  # full pages hold exactly 22 lines
    # Lines reaching the right edge, all in Chinese (digits are narrower than the grid).
    full = [
        line for _, line in body
        if line.x1 > (page.margin_left + page.type_width) * MM - pitch_x and all(ord(c.get_text()) > 0x2000 for c in chars(line))
    ]
    counts = Counter(len(chars(line)) for line in full)
    assert counts.most_common(1)[0][0] == 28 and max(counts) == 28, counts
    for line in full:
        cs = chars(line)
        if len(cs) == 28:
            assert [b.x0 - a.x0 for a, b in zip(cs, cs[1:])] == pytest.approx([pitch_x] * 27, abs=0.01)


def test_gongwen_page_numbers_outside_one_character_in(gongwen_lines: list) -> None:
    theme = load_theme("gongwen")
    page, size = theme.page, theme.style("page_number").size
    left, right = page.margin_left * MM, (page.width - page.margin_right) * MM
    numbers = {p: line for p, _, line in gongwen_lines if re.fullmatch(r"—\d+—", squash(line.get_text()))}
    assert len(numbers) >= 2
    for number, line in numbers.items():
        if number % 2:
            assert line.x1 == pytest.approx(right - size, abs=1)
        else:
            assert line.x0 == pytest.approx(left + size, abs=1)
        assert line.y1 == pytest.approx((page.margin_bottom - 7) * MM, abs=1 * MM)


# -- fonts outside the bundled sets ------------------------------------------------------

_RARE = """\
title: 生僻字测试
sections:
  - title: 表情与生僻字
    body:
      - "扩展B的𠮷与扩展A的䶮在此，𠀀也在此，表情😀在此，**加粗的字**也在此。"
"""


def _rare_doc(tmp_path: Path) -> tuple[Path, NumberedDocument]:
    source = tmp_path / "rare.yaml"
    source.write_text(_RARE, encoding="utf-8")
    return source, briefexport.number(briefexport.load(source))


def test_rare_ideographs_from_the_fallback_and_emoji_warned(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    source, doc = _rare_doc(tmp_path)
    out = render(doc, "pdf", tmp_path / "rare.pdf")
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("😀" in m and "U+1F600" in m and f"{source}:5" in m for m in warnings), warnings
    lines = text_lines(out)
    text = "".join(squash(line.get_text()) for _, _, line in lines)
    assert "扩展B的𠮷与扩展A的䶮在此" in text
    drawn_by = {c.get_text(): c.fontname.split("+")[-1] for _, _, line in lines for c in chars(line)}
    assert "Rare" in drawn_by["𠮷"] and "Rare" in drawn_by["䶮"]
    # U+20000 is in no bundled face (Noto CJK lacks it): it must then be named in a warning,
    # and still extract back (the ToUnicode map carries it even though it prints as a box).
    fonts = briefexport.builder.api.build_options(doc.doc).fonts
    if fonts.face_for(fonts.chain(["Noto Serif CJK SC"]), "𠀀") is None:
        assert any("U+20000" in m for m in warnings)
    else:
        assert "Rare" in drawn_by["𠀀"]
    assert "𠀀也在此" in text and "😀在此" in text
    assert set("加粗的字") <= {ch for ch, font in drawn_by.items() if "Bold" in font}


def test_uncovered_character_fails_under_strict(tmp_path: Path) -> None:
    _, doc = _rare_doc(tmp_path)
    opts = build_options(doc.doc, strict=True)
    with pytest.raises(BriefexportError, match="U\\+(1F600|20000)"):
        render(doc, "pdf", tmp_path / "strict.pdf", opts=opts)
    assert not (tmp_path / "strict.pdf").exists()


# -- labels exactly as numbering.py gives them ------------------------------------------

_ASCII_LABELS = """\
title: 标签测试
numbering: ["{cn}、", "（{cn}）", "{n})", none]
sections:
  - title: 一级
    items:
      - title: 二级
        items:
          - title: 三级
            body:
              - "正文里的半角标点,在中文之间:应当转换(全角)。"
            items:
              - title: 四级
"""


def test_labels_print_exactly_as_numbering_gives_them(tmp_path: Path) -> None:
    source = tmp_path / "labels.yaml"
    source.write_text(_ASCII_LABELS, encoding="utf-8")
    doc = briefexport.number(briefexport.load(source))
    assert doc.labels() == ["一、一级", "（一）二级", "1)三级", "四级"]
    out = render(doc, "pdf", tmp_path / "labels.pdf")
    lines = [re.sub(r"\s+", "", line.get_text()) for _, _, line in text_lines(out)]
    # The heading starts with its label as is: the ASCII ")" is not made full-width.
    headings = [line for line in lines if line.endswith("三级")]
    assert headings == ["1)三级"], lines
    assert not any("1）" in line for line in lines), lines
    # Body text between Chinese characters is still converted.
    assert any("正文里的半角标点，在中文之间：应当转换（全角）。" in line for line in lines), lines
    reader = PdfReader(out)
    assert "1)三级" in [entry.title for entry in _flatten(reader.outline)]


def _flatten(entries: list) -> list:
    out: list = []
    for entry in entries:
        out.extend(_flatten(entry) if isinstance(entry, list) else [entry])
    return out


# -- the line under the title ---------------------------------------------------------------


@pytest.mark.parametrize(("lang", "line"), [("zh-CN", "2024年1月14日\u3000研究室"), ("en", "14January2024·研究室")])
def test_meta_line_dates_by_language_like_docx_and_epub(tmp_path: Path, lang: str, line: str) -> None:
    source = tmp_path / "meta.yaml"
    source.write_text(f"title: 日期测试\nlang: {lang}\ndate: 2024-01-14\nauthor: 研究室\nsections:\n  - title: 一节\n", encoding="utf-8")
    doc = briefexport.number(briefexport.load(source))
    # pdfminer reads the Han–Latin gap as a space: drop ASCII spaces, keep the ideographic one.
    lines = [re.sub("[ \n]", "", line.get_text()) for _, _, line in text_lines(render(doc, "pdf", tmp_path / "meta.pdf"))]
    assert lines[1] == line == briefexport.text.meta_line(doc.doc.meta).replace(" ", ""), lines


def test_uncovered_characters_leave_reportlabs_shared_faces_alone(tmp_path: Path) -> None:
    """A character no face has extracts as itself, without entering the process-wide registered face."""
    from reportlab.pdfbase import pdfmetrics

    def claimed() -> set[str]:
        return {
            name for name in pdfmetrics.getRegisteredFontNames()
            if 0x1F600 in getattr(getattr(pdfmetrics.getFont(name), "face", None), "charToGlyph", {})
        }

    before = claimed()
    _, doc = _rare_doc(tmp_path)
    first = render(doc, "pdf", tmp_path / "first.pdf")
    assert claimed() == before
    second = render(doc, "pdf", tmp_path / "second.pdf")
    assert first.read_bytes() == second.read_bytes()
    text = "".join(squash(line.get_text()) for _, _, line in text_lines(second))
    assert "表情😀在此" in text and "\x00" not in text


def test_installed_cff_font_replaced_with_a_note(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from briefexport.fonts.fontset import FontSet

    fonts = FontSet()
    face = fonts.find("Noto Sans Mono CJK SC")
    if face is None or fonts.is_truetype(face):
        pytest.skip("needs Noto Sans Mono CJK SC installed with CFF outlines")
    theme = tmp_path / "mono.yaml"
    theme.write_text("extends: handout\nname: mono\nstyles:\n  body: {fonts: [Noto Sans Mono CJK SC, Noto Serif CJK SC]}\n", encoding="utf-8")
    source = tmp_path / "doc.yaml"
    source.write_text("title: 等宽\nsections:\n  - title: 一节\n    body:\n      - 正文。\n", encoding="utf-8")
    doc = briefexport.number(briefexport.load(source))
    with caplog.at_level(logging.INFO, logger="briefexport"):
        out = render(doc, "pdf", tmp_path / "mono.pdf", theme=theme)
    notes = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO and "Noto Sans Mono CJK SC" in r.getMessage()]
    assert notes == [
        "font Noto Sans Mono CJK SC (theme mono, body) is installed but has PostScript (CFF) outlines, "
        "which reportlab cannot embed; using Noto Serif CJK SC (bundled)"
    ], notes
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    drawn = {c.fontname.split("+")[-1] for _, _, line in text_lines(out) for c in chars(line) if c.get_text() == "正"}
    assert drawn and all("Serif" in name for name in drawn), drawn


def test_zero_width_characters_draw_nothing(tmp_path: Path) -> None:
    import subprocess

    import briefexport

    doc = briefexport.loads('title: 测试\nlead:\n  - "零宽\\u200b空格与\\u200d连接符\\u2060和\\ufeff"\n')
    path = briefexport.render(doc, "pdf", tmp_path / "zw.pdf")
    text = subprocess.run([require_tool("pdftotext"), "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "零宽空格与连接符和" in text


def test_text_taller_than_the_page_is_one_clear_error(tmp_path: Path, seed_doc) -> None:  # type: ignore[no-untyped-def]
    theme_file = tmp_path / "huge.yaml"
    theme_file.write_text("extends: handout\nstyles:\n  title: {size: 200}\n", encoding="utf-8")
    with pytest.raises(briefexport.RenderError, match="does not fit on one page"):
        briefexport.render(seed_doc, "pdf", tmp_path / "huge.pdf", theme=theme_file)
    assert list(tmp_path.iterdir()) == [theme_file]
