"""The PDF a reader gets: fonts, text, outline, TOC, Chinese line breaks, GB/T 9704 geometry."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import require_tool
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTPage, LTTextLine
from pypdf import PdfReader
from pdfgeometry import ink_box, page_ink

import briefexport
from briefexport.builder.api import build_options, render
from briefexport.render import HeadingPages
from briefexport.render.pdf import heading_pages
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
    pages = _bookmark_pages(render_seed("pdf"))
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
    marks = set("，。、；：）》」』’”〉】（《「『‘“〈【")
    lent = 0
    for line in full:
        cs = chars(line)
        text = "".join(c.get_text() for c in cs)
        if any(a in marks and b in marks for a, b in zip(text, text[1:])):
            # Consecutive marks (”、“) are compressed and the space lent to the line (clreq): still flush.
            assert line.x1 == pytest.approx((page.margin_left + page.type_width) * MM, abs=pitch_x * 0.6)
            lent += 1
        elif len(cs) == 28:
            assert [b.x0 - a.x0 for a, b in zip(cs, cs[1:])] == pytest.approx([pitch_x] * 27, abs=0.01)
    assert lent  # the briefing has such lines (“一网通办”、“一窗通办”)


def test_gongwen_page_numbers_outside_one_character_in(gongwen_lines: list) -> None:
    theme = load_theme("gongwen")
    page, size = theme.page, theme.style("page_number").size
    left, right = page.margin_left * MM, (page.width - page.margin_right) * MM
    numbers = {p: line for p, _, line in gongwen_lines if re.fullmatch(r"—\d+—", squash(line.get_text()))}
    assert len(numbers) >= 2
    for number, line in numbers.items():
        if number % 2:
            assert line.x1 == pytest.approx(right - size, abs=2)  # boxes; the ink is measured below
        else:
            assert line.x0 == pytest.approx(left + size, abs=2)
        assert line.y1 < page.margin_bottom * MM - 7 * MM + size  # the ink is measured in test_gongwen_page_number_7_mm_…


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
    with pytest.raises(briefexport.RenderError, match="does not fit on one page") as caught:
        briefexport.render(seed_doc, "pdf", tmp_path / "huge.pdf", theme=theme_file)
    assert list(tmp_path.iterdir()) == [theme_file]
    # Located at the key responsible: the title's size (line 3, column 11), not the theme as a whole.
    assert str(caught.value).startswith(f"{theme_file}:3:11: error: theme "), str(caught.value)
    assert "title's" in str(caught.value)


# -- hard text (issue #15): tests/data/typography/hard.yaml -----------------------------

HARD = Path(__file__).resolve().parent / "data" / "typography" / "hard.yaml"


@pytest.fixture(scope="module")
def hard_pdf(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The hard outline's PDF in a preset, rendered once per preset."""
    made: dict[str, Path] = {}
    doc = briefexport.number(briefexport.load(HARD))

    def _get(theme: str) -> Path:
        if theme not in made:
            made[theme] = render(doc, "pdf", tmp_path_factory.mktemp(f"hard-{theme}") / "hard.pdf", theme=theme)
        return made[theme]

    return _get


def content_ops(pdf: Path, page: int = 0) -> str:
    """The page's content stream, decompressed."""
    data = PdfReader(pdf).pages[page].get_contents()
    assert data is not None
    return data.get_data().decode("latin-1")


def hard_lines(pdf: Path, theme: str) -> list[str]:
    return [squash(line.get_text()) for _, _, line in text_lines(pdf) if in_type_area(line, theme) and line.get_text().strip()]


def test_emphasis_is_visible_in_every_preset(hard_pdf: Callable[[str], Path]) -> None:
    # gongwen: FangSong has no bold, so **bold** is filled and stroked (render mode 2).
    ops = content_ops(hard_pdf("gongwen"))
    assert re.search(r"[\d.]+ w 2 Tr", ops) and "0 Tr" in ops
    bold_chars = []
    for _, _, line in text_lines(hard_pdf("handout")):
        bold_chars += [c.get_text() for c in chars(line) if "Bold" in c.fontname]
    assert "要把握“稳中求进”的总基调" in "".join(bold_chars)  # the handout's bold Song face


def test_kai_quotes_sit_in_their_cells_like_chinese_marks(hard_pdf: Callable[[str], Path]) -> None:
    # The bundled Kai face's quotes are narrow glyphs at the left of a 0.35 em advance.
    for theme in ("gongwen",):  # the presets whose quoting roles are set in the Kai face
        for _, _, line in text_lines(hard_pdf(theme)):
            text = line.get_text()
            if "副标题含" not in text:
                continue
            cs = chars(line)
            k = [c.get_text() for c in cs].index("“")
            size = cs[k].size
            assert "Kai" in cs[k].fontname
            opening, before = cs[k], cs[k - 1]
            closing, after = cs[k + 3], cs[k + 4]
            assert closing.get_text() == "”"
            assert opening.x0 - before.x1 > 0.5 * size  # the opening mark hugs 引, leaving its cell's left open
            assert closing.x0 - cs[k + 2].x1 < 0.05 * size  # the closing mark hugs 号
            assert after.x0 - closing.x0 == pytest.approx(size, abs=0.15 * size)  # in a full cell
            break
        else:
            raise AssertionError(f"{theme}: subtitle not found")


def test_dashes_are_one_rule_two_cells_wide(hard_pdf: Callable[[str], Path]) -> None:
    for theme in ("handout", "gongwen"):
        pdf = hard_pdf(theme)
        page = next(n for n, lines in enumerate(extract_pages(pdf)) if "——" in "".join(c.get_text() for c in _all_chars(lines)))
        assert re.search(r"\d+(\.\d+)? Tz", content_ops(pdf, page)), theme  # the halves are stretched
        dashes = [c for c in _all_chars(list(extract_pages(pdf))[page]) if c.get_text() == "—" and c.y0 > 100]
        first, second = dashes[0], dashes[1]
        size = first.size
        # Each half is stretched (its box wider than its advance) and starts one cell after the other;
        # the ink's continuity and width are measured in test_dash_ink_is_continuous.
        assert second.x0 - first.x0 == pytest.approx(size, abs=0.02 * size)  # a cell: the em, or the grid pitch
        assert first.x1 - first.x0 > 0.99 * size


def _all_chars(item: object) -> list[LTChar]:
    if isinstance(item, LTChar):
        return [item]
    return [c for child in item for c in _all_chars(child)] if hasattr(item, "__iter__") else []  # type: ignore[attr-defined]


def test_dash_ink_is_continuous(hard_pdf: Callable[[str], Path]) -> None:
    # pdftoppm: along the middle row of ——, the ink runs without a gap (Noto's dash is 0.89 em
    # of ink with bearings) for exactly two cells.
    pdf = hard_pdf("handout")
    number, page = next((n, p) for n, p in enumerate(extract_pages(pdf), 1) if "——" in "".join(c.get_text() for c in _all_chars(p)))
    first, second = [c for c in _all_chars(page) if c.get_text() == "—"][:2]
    size, height = first.size, page.height
    image = page_ink(pdf, number)
    inner = ink_box(image, ((first.x0 + 0.3 * size) / MM, (height - first.y1) / MM, (second.x0 + 0.7 * size) / MM, (height - first.y0) / MM))
    assert inner is not None  # the rule's band, from inside the two cells only
    width, _, pixels = image
    px = 300 / 25.4
    row = round((inner[1] + inner[3]) / 2 * px)
    centre = round((first.x1 + second.x0) / 2 / MM * px)
    left = right = centre
    while pixels[row * width + left - 1] < 160:
        left -= 1
    while pixels[row * width + right + 1] < 160:
        right += 1
    assert left < round(first.x0 / MM * px) + 0.2 * size / MM * px  # one run from the first cell...
    assert (right - left + 1) / px * MM == pytest.approx(2 * size, abs=0.06 * size)  # ...two cells long


def test_ellipsis_dots_are_a_third_of_a_cell_apart(hard_pdf: Callable[[str], Path]) -> None:
    # pdftoppm: …… is six dots 1/3 em apart across its two cells, whatever the face's own dot
    # pitch (FandolFang's is 0.28 em, which left the six dots bunched in the middle).
    pdf = hard_pdf("gongwen")
    number, page = next((n, p) for n, p in enumerate(extract_pages(pdf), 1) if "……" in "".join(c.get_text() for c in _all_chars(p)))
    first = next(c for c in _all_chars(page) if c.get_text() == "…")
    cell = load_theme("gongwen").body_char_pitch()
    assert cell is not None
    image = page_ink(pdf, number)
    # The two cells from the first glyph's origin (a widened glyph's box reaches past its cell).
    band = ink_box(image, (first.x0 / MM, (page.height - first.y1) / MM, (first.x0 + 2 * cell) / MM, (page.height - first.y0) / MM))
    assert band is not None
    width, _, pixels = image
    px = 300 / 25.4

    def runs_in(row: int) -> list[list[int]]:
        runs: list[list[int]] = []
        for x in range(round(band[0] * px), round(band[2] * px) + 1):
            if pixels[row * width + x] >= 128:
                continue
            if runs and x == runs[-1][-1] + 1:
                runs[-1].append(x)
            else:
                runs.append([x])
        return runs

    # The row through the dots: the one crossing the most pieces of ink (a neighbour's stroke may reach in).
    runs = max((runs_in(row) for row in range(round(band[1] * px), round(band[3] * px))), key=len)
    centres = [(run[0] + run[-1]) / 2 / px for run in runs]
    assert len(centres) == 6
    for left, right in zip(centres, centres[1:]):
        assert (right - left) * MM == pytest.approx(cell / 3, abs=0.4)
    # Centred in the two cells (1/6 em in from each end): the cells end where the next character's
    # origin is (the grid), since a widened glyph's own origin may lie left of its cell.
    chars = _all_chars(page)
    after = chars[chars.index(first) + 2]
    assert after.get_text() not in "…" and after.y0 == pytest.approx(first.y0)
    start, end = (after.x0 - 2 * cell) / MM, after.x0 / MM
    assert centres[0] - start == pytest.approx(cell / 6 / MM, abs=0.04 * cell / MM)
    assert end - centres[-1] == pytest.approx(cell / 6 / MM, abs=0.04 * cell / MM)
    # The widened glyphs start in their own cells: the text still reads back as one line.
    text = subprocess.run([require_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "线”……必须严格执行。" in text


def test_latin_words_and_urls_break_only_where_they_may(hard_pdf: Callable[[str], Path]) -> None:
    for theme in ("handout", "gongwen", "ebook"):
        lines = hard_lines(hard_pdf(theme), theme)
        assert not any(line.endswith("COVID-") for line in lines), theme
        text = "\n".join(lines)
        for url in re.findall(r"https?://[\w./-]+(?:\n[\w./-]+)*", text):
            for part in url.split("\n")[:-1]:
                assert part[-1] in "/_.-", (theme, url)


def test_a_date_is_never_broken(hard_pdf: Callable[[str], Path]) -> None:
    for theme in ("handout", "gongwen", "ebook"):
        lines = hard_lines(hard_pdf(theme), theme)
        for before, after in zip(lines, lines[1:]):
            joined = before + after
            for found in re.finditer(r"\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}日", joined):
                assert not found.start() < len(before) < found.end(), (theme, before, after)


def test_dates_have_no_gap_inside_but_digits_keep_theirs(hard_pdf: Callable[[str], Path]) -> None:
    theme = load_theme("handout")
    size = theme.style("body").size
    for _, _, line in text_lines(hard_pdf("handout")):
        cs = chars(line)
        text = "".join(c.get_text() for c in cs)
        found = re.search(r"2024年1月14日", text)
        if found:
            date = cs[found.start() : found.end()]
            gaps = [b.x0 - a.x1 for a, b in zip(date, date[1:])]
            assert max(gaps) < 0.05 * size, gaps
            return
    raise AssertionError("no date found")


def test_url_lines_justify_within_the_limits(hard_pdf: Callable[[str], Path]) -> None:
    theme = load_theme("gongwen")
    right = (theme.page.width - theme.page.margin_right) * MM
    size = theme.style("body").size
    lines = [line for _, _, line in text_lines(hard_pdf("gongwen")) if "https" in line.get_text()]
    assert lines
    for line in lines:
        cs = chars(line)
        if line.x1 > right - 2 * size:  # not a paragraph's last line
            assert line.x1 == pytest.approx(right, abs=0.6 * size)
            latin = [(a, b) for a, b in zip(cs, cs[1:]) if a.get_text().isascii() and b.get_text().isascii()]
            assert all(b.x0 - a.x1 < 0.25 * size for a, b in latin)


def test_gongwen_title_block_follows_gb_t_9704(hard_pdf: Callable[[str], Path]) -> None:
    theme = load_theme("gongwen")
    page = theme.page
    pitch_x = page.type_width * MM / 28
    pitch_y = page.type_height * MM / 22
    right = (page.width - page.margin_right) * MM
    lines = text_lines(hard_pdf("gongwen"))
    texts = [squash(line.get_text()) for _, _, line in lines]
    subtitle = next(line for _, _, line in lines if "副标题含" in line.get_text())
    first_body = next(line for _, _, line in lines if line.get_text().startswith("2024年1月14日，"))
    assert subtitle.y0 - first_body.y1 > pitch_y  # a blank line between the title block and the body
    assert not any(text.startswith("2024年1月14日某某") for text in texts)  # no meta line under the title
    date = next(line for _, _, line in reversed(lines) if squash(line.get_text()) == "2024年1月14日")
    author = next(line for _, _, line in reversed(lines) if squash(line.get_text()) == "某某市人民政府办公室")
    assert date.x1 == pytest.approx(right - 4 * pitch_x, abs=1)  # 成文日期 four characters from the right
    assert (author.x0 + author.x1) / 2 == pytest.approx((date.x0 + date.x1) / 2, abs=1)  # 署名 centred over it
    assert author.y0 > date.y1
    last_body = max(k for k, text in enumerate(texts) if "全面完成各项任务" in text)
    assert texts.index("某某市人民政府办公室") > last_body  # at the document's end


def test_gongwen_kicker_does_not_outrank_the_heading(hard_pdf: Callable[[str], Path]) -> None:
    lines = text_lines(hard_pdf("gongwen"))
    kicker = next(line for _, _, line in lines if squash(line.get_text()) == "关键点")
    heading = next(line for _, _, line in lines if squash(line.get_text()).startswith("一、"))
    assert kicker.x0 == pytest.approx(heading.x0, abs=1)  # at the heading's indent, not the margin
    assert "Kai" in chars(kicker)[0].fontname and "Sans" in chars(heading)[0].fontname


def test_gongwen_page_number_7_mm_below_the_type_area_to_the_dash(hard_pdf: Callable[[str], Path]) -> None:
    theme = load_theme("gongwen")
    page = theme.page
    bottom = page.height - page.margin_bottom  # the type area's bottom edge, mm from the top
    image = page_ink(hard_pdf("gongwen"), 1)
    found = ink_box(image, (page.margin_left, bottom + 1, page.width - page.margin_right, page.height - 5))
    assert found is not None  # "— 1 —" on page 1, odd: right-aligned one character in
    assert found[2] == pytest.approx(page.width - page.margin_right - theme.style("page_number").size / MM, abs=0.4)
    dash = ink_box(image, (found[0], bottom + 1, found[0] + 3, page.height - 5))  # the first dash alone
    assert dash is not None
    assert dash[1] - bottom == pytest.approx(7.0, abs=0.25)  # to the top of the dash line


def test_handout_level_4_headings_look_like_headings(hard_pdf: Callable[[str], Path]) -> None:
    line = next(line for _, _, line in text_lines(hard_pdf("handout")) if squash(line.get_text()) == "（1）四级标题一")
    assert all("Bold" in c.fontname for c in chars(line) if c.get_text().strip())


def test_wrapped_toc_entries_hang_under_their_text(hard_pdf: Callable[[str], Path]) -> None:
    lines = [line for p, _, line in text_lines(hard_pdf("handout")) if p == 1]
    first = next(k for k, line in enumerate(lines) if squash(line.get_text()).startswith("（十三）措施十三"))
    head, wrapped = chars(lines[first]), lines[first + 1]
    text_start = next(c for c in head if c.get_text() == "措")
    assert wrapped.x0 == pytest.approx(text_start.x0, abs=0.5)


def test_titles_break_balanced_at_a_phrase(hard_pdf: Callable[[str], Path]) -> None:
    for theme in ("handout", "gongwen"):
        lines = hard_lines(hard_pdf(theme), theme)
        k = next(k for k, line in enumerate(lines) if line.startswith("关于推进"))
        first, second = lines[k], lines[k + 1]
        assert first + second == "关于推进数字经济高质量发展和新时代“枫桥经验”创新实践的工作方案"
        assert second.startswith("“") and abs(len(first) - len(second)) <= 3, (theme, first, second)


def test_gongwen_wrapped_headings_break_at_a_phrase_ragged_on_the_grid(hard_pdf: Callable[[str], Path]) -> None:
    # pdf.balance_justified: the justified （十三） heading breaks after 和, before the quoted term,
    # and its first line keeps the grid's pitch (ragged), not spaced out to the measure.
    pdf = hard_pdf("gongwen")
    found = [(p, line) for p, _, line in text_lines(pdf) if squash(line.get_text()).startswith("（十三）措施十三")]
    assert len(found) == 1
    page, first = found[0]
    after = [line for p, _, line in text_lines(pdf) if p == page and line.y1 < first.y0][0]
    assert squash(first.get_text()) == "（十三）措施十三：加快推进数字政府建设和"
    assert squash(after.get_text()).startswith("“互联网")
    cells = chars(first)
    pitch = load_theme("gongwen").body_char_pitch()
    assert all(b.x0 - a.x0 == pytest.approx(pitch, abs=0.05) for a, b in zip(cells, cells[1:]))  # on the grid, not spaced out


def test_page_number_format_with_the_page_count(tmp_path: Path, seed_doc: NumberedDocument) -> None:
    import dataclasses

    theme = load_theme("handout")
    spec = dataclasses.replace(theme.page_number, format="第 {page} 页 共 {pages} 页 {{x}}", first_page=False)
    pdf = render(seed_doc, "pdf", tmp_path / "count.pdf", theme=dataclasses.replace(theme, page_number=spec))
    pages = len(PdfReader(pdf).pages)
    footers = [line.get_text().strip() for _, _, line in text_lines(pdf) if line.get_text().startswith("第 ")]
    assert footers == [f"第 {n} 页 共 {pages} 页 {{x}}" for n in range(2, pages + 1)]


def _bookmark_pages(pdf: Path) -> dict[str, int]:
    """Each bookmark's title (squashed) and the page it opens, as a reader's outline pane shows them."""
    reader = PdfReader(pdf)
    pages: dict[str, int] = {}
    stack = list(reader.outline)
    while stack:
        entry = stack.pop()
        if isinstance(entry, list):
            stack.extend(entry)
        else:
            pages[squash(entry.title)] = reader.get_destination_page_number(entry) + 1
    return pages


@pytest.mark.parametrize("theme_name", ["handout", "gongwen", "ebook"])
def test_heading_pages_laid_out_without_drawing_are_the_pdfs(tmp_path: Path, seed_doc: NumberedDocument, theme_name: str) -> None:
    # The DOCX's TOC numbers come from a layout pass that draws nothing, or from the same build's PDF.
    theme = load_theme(theme_name)
    shared = HeadingPages()
    pdf = render(seed_doc, "pdf", tmp_path / "seed.pdf", theme=theme, opts=replace(build_options(seed_doc.doc), layout=shared))
    laid_out = heading_pages(seed_doc, theme, opts=build_options(seed_doc.doc))
    titles = {item.path: squash(item.heading) for item in seed_doc.walk()}
    assert len(laid_out) == len(titles) == 18
    assert {titles[path]: page for path, page in laid_out.items()} == _bookmark_pages(pdf)
    assert shared.pages(seed_doc, theme) == laid_out
    assert max(laid_out.values()) > 2  # the headings spread over pages


def test_page_number_in_chinese_numerals(tmp_path: Path, seed_doc: NumberedDocument) -> None:
    import dataclasses

    from briefexport.numbering import chinese_numeral

    theme = load_theme("handout")
    spec = dataclasses.replace(theme.page_number, format="第{page_cn}页 共{pages}页")
    pdf = render(seed_doc, "pdf", tmp_path / "cn.pdf", theme=dataclasses.replace(theme, page_number=spec))
    pages = len(PdfReader(pdf).pages)
    footers = [line.get_text().strip() for _, _, line in text_lines(pdf) if line.get_text().startswith("第")]
    assert pages > 1 and footers == [f"第{chinese_numeral(n)}页 共{pages}页" for n in range(1, pages + 1)]


def test_a_warm_process_measures_an_edited_paragraph_only_in_characters_it_has_not_set(
    seed_outline_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A live preview re-breaks the paragraph being typed; its characters' widths are known from the last build.
    from reportlab.pdfbase import pdfmetrics

    from briefexport.render import WarmMemo

    text = seed_outline_path.read_text(encoding="utf-8")
    sentence = "今年是新中国成立75周年"
    assert sentence in text
    seed = briefexport.number(briefexport.loads(text, "seed.yaml"))
    edited = briefexport.number(briefexport.loads(text.replace(sentence, sentence + "年", 1), "seed.yaml"))
    theme, memo = load_theme("handout"), WarmMemo()
    measured: Counter[str] = Counter()
    width = pdfmetrics.stringWidth
    monkeypatch.setattr(pdfmetrics, "stringWidth", lambda text, *args: measured.update([text]) or width(text, *args))
    counts = {}
    for doc, name in ((seed, "seed"), (seed, "again"), (edited, "edited")):
        measured.clear()
        memo.next_build()
        render(doc, "pdf", tmp_path / f"{name}.pdf", theme=theme, opts=replace(build_options(doc.doc), warm=memo))
        counts[name] = dict(measured)
    assert counts["edited"] == counts["again"]  # what every build measures (TOC labels), and nothing of the edit
    cold = tmp_path / "cold.pdf"
    render(edited, "pdf", cold, theme=theme, opts=build_options(edited.doc))
    assert _without_id(tmp_path / "edited.pdf") == _without_id(cold)


def _without_id(path: Path) -> bytes:
    """A PDF's bytes before its trailer's /ID, which reportlab derives from the file name."""
    data = path.read_bytes()
    return data[: data.rindex(b"/ID")]


def test_a_warm_process_takes_heading_pages_from_a_layout_of_the_same_shape(
    seed_outline_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A live preview's DOCX needs its TOC pages after every keystroke; an edit that keeps every
    # paragraph's line count keeps every page, and one that adds lines is laid out again.
    from briefexport.render import WarmMemo
    from briefexport.render.pdf import writer

    text = seed_outline_path.read_text(encoding="utf-8")
    sentence = "今年是新中国成立75周年"
    docs = {name: briefexport.number(briefexport.loads(edit, "seed.yaml")) for name, edit in (
        ("seed", text), ("typed", text.replace(sentence, sentence + "（1）", 1)),
        ("longer", text.replace(sentence, sentence + "，" + "新的一句话" * 200, 1)),
    )}
    cold = {name: heading_pages(doc, load_theme("handout"), opts=build_options(doc.doc)) for name, doc in docs.items()}
    assert cold["longer"] != cold["seed"] == cold["typed"]
    laid_out: list[int] = []
    build = writer._build
    monkeypatch.setattr(writer, "_build", lambda *args, **kwargs: laid_out.append(1) or build(*args, **kwargs))
    memo, theme = WarmMemo(), load_theme("handout")
    counts = {}
    for name in ("seed", "typed", "longer", "seed"):
        memo.next_build()
        doc = docs[name]
        assert heading_pages(doc, theme, opts=replace(build_options(doc.doc), warm=memo)) == cold[name], name
        counts.setdefault(name, []).append(len(laid_out))
    # The last seed is laid out again: the memo keeps what the build before used, and that was "longer".
    assert counts == {"seed": [1, 3], "typed": [1], "longer": [2]}


def _reportlab_line(canv: object, line: object, x: float, y: float) -> None:
    """``draw_line`` as reportlab's own text object writes it (public API only): the reference it must equal."""
    from reportlab.pdfbase import pdfmetrics

    text = canv.beginText()  # type: ignore[attr-defined]
    font, spacing, scale = None, 0.0, 100.0
    for piece in line.pieces:  # type: ignore[attr-defined]
        if font != (piece.font, piece.size):
            font = (piece.font, piece.size)
            text.setFont(piece.font, piece.size)
        if abs(piece.char_space - spacing) > 1e-6:
            spacing = piece.char_space
            text.setCharSpace(spacing)
        if piece.scale != scale:
            scale = piece.scale
            text.setHorizScale(scale)
        origin = x + piece.x
        if not spacing:
            text.setTextOrigin(origin, y)
            text.textOut(piece.text)
            continue
        rl_font, start = pdfmetrics.getFont(piece.font), 0
        for _, encoded in rl_font.splitString(piece.text, canv._doc):  # type: ignore[attr-defined]
            chunk = piece.text[start : start + len(encoded)]
            start += len(chunk)
            text.setTextOrigin(origin, y)
            text.textOut(chunk)
            origin += rl_font.stringWidth(chunk, piece.size) + spacing * len(chunk)
    if spacing:
        text.setCharSpace(0)
    if scale != 100.0:
        text.setHorizScale(100)
    canv.drawText(text)  # type: ignore[attr-defined]


def test_drawn_lines_are_the_operators_reportlabs_text_object_writes() -> None:
    # draw_line writes a line's operators itself (codes noted per face, one fp_str call per
    # piece, widths summed from the face's advances): byte for byte what reportlab writes, over
    # several 256-glyph subsets, character spacing, scaling and sizes. Fails if reportlab changes.
    import io
    import random

    from reportlab.pdfgen.canvas import Canvas

    from briefexport.fonts.fontset import FontSet
    from briefexport.render.pdf._cjk_lines import Line, Piece
    from briefexport.render.pdf._flow import FlowCache, draw_line

    fonts = FontSet(system=False)
    names = [fonts.reportlab_name(fonts.find(family)) for family in ("FandolFang", "Noto Serif CJK SC")]  # type: ignore[arg-type]
    han = [chr(code) for code in range(0x4E00, 0x4E00 + 900)]
    alphabet = han + list("abc XYZ 123，。“”\u00a0")
    rng = random.Random(20)
    lines = []
    for _ in range(400):
        pieces, at = [], 0.0
        for _ in range(rng.randint(1, 3)):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0 if pieces else 1, 30)))
            pieces.append(Piece(text, rng.choice(names), rng.choice([10.5, 11.0, 15.75, 16.0]), at,
                                char_space=rng.choice([0.0, 0.0, 0.37, 1.5, 2.0 / 3.0]), scale=rng.choice([100.0, 100.0, 127.0237])))
            at += rng.uniform(10, 200)
        lines.append(Line(tuple(pieces), at, 16.0))
    ours, theirs = Canvas(io.BytesIO()), Canvas(io.BytesIO())
    cache = FlowCache()
    for index, line in enumerate(lines):
        x, y = rng.uniform(0, 100), 800.0 - index * 1.7
        draw_line(ours, line, x, y, cache if index % 5 else None)
        _reportlab_line(theirs, line, x, y)
    assert ours._code == theirs._code
    # fp_str rounds, so the origins are compared unformatted too: the very floats stringWidth gives.
    for (doc, name), encoder in cache.encoders.items():
        assert doc is ours._doc
        face = encoder.font
        for line in lines:
            for piece in line.pieces:
                if piece.font != name or not piece.char_space or not piece.text:
                    continue
                parts = encoder.split(piece.text)
                want, origin, start = [], 3.25, 0
                for _, encoded in parts:
                    want.append(origin)
                    chunk = piece.text[start : start + len(encoded)]
                    start += len(chunk)
                    origin += face.stringWidth(chunk, piece.size) + piece.char_space * len(chunk)
                assert encoder.origins(piece.text, parts, 3.25, piece.size, piece.char_space) == want


def test_a_toc_entrys_form_has_the_bytes_reportlab_writes_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # TOC forms are formatted directly (_PlainForm), not by reportlab's generic formatting:
    # the whole file must be the one reportlab writes. Fails if reportlab changes its format.
    import io

    from reportlab import rl_config
    from reportlab.pdfgen.canvas import Canvas

    from briefexport.render.pdf._flow import plain_form

    def build(plain: bool) -> bytes:
        canv = Canvas(io.BytesIO(), invariant=1)
        for index, box in enumerate([(-296.8584, -11.0, 0, 22.0), (0, 0, 595.2756, 841.8898), (-1e-9, -3, 12.5, 1e5)]):
            canv.beginForm(f"f{index}", *box)
            canv.setFillColorRGB(0.2, 0.4, 0.6)
            canv.drawString(-20, 0, f"{index + 7}")
            canv.setDash([0, 3.3])
            canv.line(-19.8, 0.55, -285.8584, 0.55)
            canv.endForm()
            if plain:
                plain_form(canv, f"f{index}")
            canv.doForm(f"f{index}")
        canv.showPage()
        return canv.getpdfdata()  # type: ignore[no-any-return]

    monkeypatch.setattr(rl_config, "useA85", 0)  # as the writer saves (_flate_only)
    assert build(plain=True) == build(plain=False)


def test_a_toc_entrys_link_has_the_bytes_reportlab_writes_for_it() -> None:
    # TOC links are formatted directly (_PlainLink): the file must be the one reportlab writes.
    import io

    from reportlab.pdfgen.canvas import Canvas

    from briefexport.render.pdf._flow import plain_link

    def build(plain: bool) -> bytes:
        canv = Canvas(io.BytesIO(), invariant=1)
        for index, rect in enumerate([(0, 0, 445.0394, 17.6), (1e-9, -3, 12.5, 1e5)]):
            canv.translate(79.37008, 700.25 - index)
            canv.linkRect("", f"h{index}", rect, relative=1, thickness=0, name=f"toc-h{index}")
            if plain:
                plain_link(canv, f"toc-h{index}")
        canv.showPage()
        for index in range(2):
            canv.bookmarkHorizontal(f"h{index}", 0, 300.5 + index)
        canv.showPage()
        return canv.getpdfdata()  # type: ignore[no-any-return]

    assert build(plain=True) == build(plain=False)


def test_the_written_document_is_freed_when_the_render_returns(seed_doc: NumberedDocument, tmp_path: Path) -> None:
    """A build of all three formats writes the DOCX in the process that wrote the PDF: reportlab's
    document (every page of it) must not wait for the cyclic collector while the DOCX peaks."""
    import gc

    from reportlab.pdfbase.pdfdoc import PDFDocument

    gc.collect()
    gc.disable()
    try:
        render(seed_doc, "pdf", tmp_path / "seed.pdf")
        alive = sum(isinstance(thing, PDFDocument) for thing in gc.get_objects())
    finally:
        gc.enable()
    assert alive == 0
