"""The official document in the PDF, measured with pdfminer against GB/T 9704-2012 (gongwen: 156 × 225 mm at 37/28 mm)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from briefexport import load, loads, number
from briefexport.builder.api import render
from pdfgeometry import Page, TextLine, pages

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "notice.yaml"
TOP, LEFT, RIGHT, BOTTOM = 37.0, 28.0, 184.0, 262.0
CHAR = 156 / 28
"""The grid's character pitch in mm."""
PITCH = 225 / 22
"""The grid's line pitch in mm."""
PT = 25.4 / 72
RED, BLACK = (1.0, 0.0, 0.0), (0.0, 0.0, 0.0)
NEAR = 0.25
"""Tolerance in mm of positions the renderer computes (pdfminer rounds glyph boxes a little)."""


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], list[Page]]:
    """Render outline text with the gongwen preset to a PDF and read its pages back (cached per text)."""
    folder = tmp_path_factory.mktemp("official-pdf")
    cache: dict[str, list[Page]] = {}

    def _build(text: str) -> list[Page]:
        if text not in cache:
            out = render(number(loads(text, "o.yaml")), "pdf", folder / f"o{len(cache)}.pdf", theme="gongwen")
            cache[text] = pages(out)
        return cache[text]

    return _build


@pytest.fixture(scope="module")
def notice(build: Callable[[str], list[Page]]) -> list[Page]:
    return build(EXAMPLE.read_text(encoding="utf-8"))


def _centre(line: TextLine) -> float:
    return (line.x0 + line.x1) / 2


def _page_number(page: Page) -> str | None:
    below = [line.text for line in page.lines if line.top > BOTTOM]
    return below[0] if below else None


# -- 版头 -----------------------------------------------------------------------------


def test_copy_number_secrecy_and_urgency_top_left_in_hei(notice: list[Page]) -> None:
    first = notice[0]
    hei = first.find("一、提高思想认识").fonts
    for index, text in enumerate(("000123", "秘密★1年", "特急")):
        line = first.lines[index]
        assert line.text == text
        assert line.top == pytest.approx(TOP + index * PITCH, abs=NEAR)
        assert line.x0 == pytest.approx(LEFT, abs=NEAR)
        assert line.size == 16 and line.fonts == hei and line.colors == {BLACK}


def test_mark_is_red_xiaobiaosong_centred_35_mm_below_the_type_area(notice: list[Page]) -> None:
    first = notice[0]
    mark = first.find("江城市人民政府办公室文件")
    assert mark.text == "江城市人民政府办公室文件"
    assert mark.top == pytest.approx(TOP + 35, abs=NEAR)
    assert _centre(mark) == pytest.approx((LEFT + RIGHT) / 2, abs=NEAR)
    assert mark.x0 >= LEFT - NEAR and mark.x1 <= RIGHT + NEAR
    assert mark.colors == {RED}
    assert mark.fonts == first.find("安全生产检查工作的通知").fonts  # the title's face: 小标宋 first, else the bundled serif bold
    assert 22 < mark.size <= 48


def test_number_two_lines_below_the_mark_and_the_red_rule_4_mm_below_it(notice: list[Page]) -> None:
    first = notice[0]
    mark, number_line = first.find("文件"), first.find("江政办发")
    assert number_line.text == "江政办发〔2024〕3号"
    assert number_line.top == pytest.approx(mark.top + mark.size * PT + 2 * PITCH, abs=NEAR)
    assert _centre(number_line) == pytest.approx((LEFT + RIGHT) / 2, abs=NEAR)
    assert number_line.size == 16 and number_line.fonts == first.find("为切实做好").fonts and number_line.colors == {BLACK}
    (rule,) = [rule for rule in first.rules if rule.color == RED]
    assert rule.y == pytest.approx(number_line.bottom + 4, abs=NEAR)
    assert (rule.x0, rule.x1) == (pytest.approx(LEFT, abs=0.05), pytest.approx(RIGHT, abs=0.05))


def test_title_two_lines_below_the_rule_in_balanced_lines(notice: list[Page]) -> None:
    first = notice[0]
    (rule,) = [rule for rule in first.rules if rule.color == RED]
    one, two = first.find("关于做好"), first.find("检查工作的通知")
    assert one.top == pytest.approx(rule.y + 2 * PITCH, abs=NEAR)
    assert two.top == pytest.approx(one.top + PITCH, abs=NEAR)
    assert one.size == two.size == 22 and one.colors == two.colors == {BLACK}
    assert abs(len(one.text) - len(two.text)) <= 1  # 关于做好2024年度机关 / 安全生产检查工作的通知
    for line in (one, two):
        assert _centre(line) == pytest.approx((LEFT + RIGHT) / 2, abs=NEAR)


def test_recipients_one_line_below_the_title_flush_left_with_a_colon(notice: list[Page]) -> None:
    first = notice[0]
    recipients = first.find("各区人民政府")
    assert recipients.top == pytest.approx(first.find("检查工作的通知").top + 2 * PITCH, abs=NEAR)
    assert recipients.x0 == pytest.approx(LEFT, abs=NEAR)
    assert recipients.text.endswith("：")


def test_upward_document_puts_the_number_left_and_the_signers_right_in_kai(build: Callable[[str], list[Page]]) -> None:
    first = build(_outline("organs: 江城市人民政府\nnumber: 江政〔2024〕12号\nsigners: [张三, 李四, 王五]\n", "sections:\n  - title: 一节\n    items: [{title: 楷体的二级标题}]\n"))[0]
    rows = [line for line in first.lines if "签发人" in line.text or "王五" in line.text]
    assert [line.text for line in rows] == ["签发人：张三李四", "江政〔2024〕12号王五"]
    signer_row, number_row = rows
    assert number_row.top == pytest.approx(signer_row.top + PITCH, abs=NEAR)
    assert number_row.x0 == pytest.approx(LEFT + CHAR, abs=NEAR)  # the 文号 one character in
    assert signer_row.x1 == pytest.approx(RIGHT - CHAR, abs=NEAR)  # the names one character from the right
    kai = first.find("楷体的二级标题").fonts
    names = {g.font.split("+")[-1] for g in signer_row.glyphs if g.char in "张三李四"}
    label = {g.font.split("+")[-1] for g in signer_row.glyphs if g.char in "签发人"}
    number_font = {g.font.split("+")[-1] for g in number_row.glyphs if g.char in "江政号"}
    assert names == kai and label == number_font and label != kai
    wang = next(g for g in number_row.glyphs if g.char == "王")
    zhang = next(g for g in signer_row.glyphs if g.char == "张")
    assert wang.x0 == pytest.approx(zhang.x0, abs=NEAR)  # the next row's names align with the first name


def test_joint_mark_stacks_the_organs_with_wenjian_beside_them(build: Callable[[str], list[Page]]) -> None:
    first = build(_outline("organs: [江城市教育局, 江城市卫生健康委员会]\nnumber: 江教发〔2024〕2号\n"))[0]
    one, two = first.find("江城市教育局"), first.find("江城市卫生健康委员会")
    assert one.top == pytest.approx(TOP + 35, abs=NEAR) and two.top > one.top
    assert (one.x0, one.x1) == (pytest.approx(two.x0, abs=NEAR), pytest.approx(two.x1, abs=NEAR))  # spread to one width
    wenjian = [g for line in first.lines for g in line.glyphs if g.char in "文件" and g.color == RED]
    assert len(wenjian) == 2 and min(g.x0 for g in wenjian) > one.x1
    middle = (wenjian[0].top + wenjian[0].bottom) / 2
    assert middle == pytest.approx((one.top + two.bottom) / 2, abs=0.5)
    assert {g.color for line in (one, two) for g in line.glyphs} == {RED}


# -- 主体 -----------------------------------------------------------------------------


def test_attachment_list_indented_numbered_and_aligned(notice: list[Page]) -> None:
    page = notice[1]
    first, second, wrapped = page.find("附件："), page.find("2.安全生产"), page.find("报送市政府办公室综合处")
    assert first.top == pytest.approx(page.find("具体抓落实").top + 2 * PITCH, abs=NEAR)  # one empty line after the body
    assert first.x0 == pytest.approx(LEFT + 2 * CHAR, abs=NEAR)
    assert first.text.startswith("附件：1.2024年度")
    name_x = next(g.x0 for g in first.glyphs[3:] if g.char == "2")  # the name after "1."
    number_x = next(g.x0 for g in first.glyphs if g.char == "1")
    assert second.x0 == pytest.approx(number_x, abs=NEAR)
    assert next(g.x0 for g in second.glyphs if g.char == "安") == pytest.approx(name_x, abs=NEAR)
    assert wrapped.x0 == pytest.approx(name_x, abs=NEAR)
    assert not first.text.rstrip().endswith(("。", "；"))


def test_sealed_signature_centred_over_a_date_four_characters_from_the_right(notice: list[Page]) -> None:
    page = notice[1]
    signature, date = page.find("江城市人民政府办公室"), page.find("2024年1月14日")
    assert date.x1 == pytest.approx(RIGHT - 4 * CHAR, abs=NEAR)
    assert _centre(signature) == pytest.approx(_centre(date), abs=NEAR)
    assert date.top == pytest.approx(signature.top + PITCH, abs=NEAR)
    listed = page.find("报送市政府办公室综合处")
    assert signature.top == pytest.approx(listed.top + 3 * PITCH, abs=NEAR)  # two empty lines for the seal


def test_note_below_the_date_indented_two_characters_in_brackets(notice: list[Page]) -> None:
    page = notice[1]
    note = page.find("联系人")
    assert note.text == "（联系人：王明，电话：12345678）"
    assert note.top == pytest.approx(page.find("2024年1月14日").top + PITCH, abs=NEAR)
    assert note.x0 == pytest.approx(LEFT + 2 * CHAR, abs=NEAR)


def test_body_elements_in_3hao_fangsong_and_the_imprint_in_4hao(notice: list[Page]) -> None:
    fang = notice[0].find("为切实做好2024年度").fonts  # the body's face, digits included
    second, last = notice[1], notice[-1]
    signature = next(line for line in second.lines if line.text == "江城市人民政府办公室")
    body = [notice[0].find("各区人民政府"), second.find("附件："), second.find("2.安全生产"), signature, second.find("2024年1月14日"), second.find("（联系人")]
    imprint = [last.find("抄送："), last.find("市检察院"), last.find("印发")]
    for line, size in [*((line, 16) for line in body), *((line, 14) for line in imprint)]:
        assert (line.text, line.size, line.fonts, line.colors) == (line.text, size, fang, {BLACK})
    assert {rule.color for rule in last.rules} == {BLACK}


@pytest.mark.parametrize(("signature", "date"), [("江城市人民政府办公室", "2024年1月14日"), ("江城市局", "2024年12月31日")])
def test_unsealed_signature_two_characters_from_the_right(build: Callable[[str], list[Page]], signature: str, date: str) -> None:
    page = build(_outline(f"organs: {signature}\nseal: false\ndate: {date}\n", "lead: [正文。]\n"))[0]
    name, when = (next(line for line in page.lines if line.text == text) for text in (signature, date))
    assert name.top == pytest.approx(page.find("正文").top + 2 * PITCH, abs=NEAR)  # one empty line
    assert when.top == pytest.approx(name.top + PITCH, abs=NEAR)
    if when.x1 - when.x0 <= name.x1 - name.x0 - 2 * CHAR:
        assert name.x1 == pytest.approx(RIGHT - 2 * CHAR, abs=NEAR)
        assert when.x0 == pytest.approx(name.x0 + 2 * CHAR, abs=NEAR)  # the date starts two characters further right
    else:  # a date longer than the 署名: the date two characters from the right, the 署名 two characters left of it
        assert when.x1 == pytest.approx(RIGHT - 2 * CHAR, abs=NEAR)
        assert name.x0 == pytest.approx(when.x0 - 2 * CHAR, abs=NEAR)


def test_attachment_pages(notice: list[Page]) -> None:
    page = notice[2]
    label, title = page.lines[0], page.lines[1]
    assert label.text == "附件1" and label.top == pytest.approx(TOP, abs=NEAR) and label.x0 == pytest.approx(LEFT, abs=NEAR)
    assert label.size == 16 and label.fonts == notice[0].find("一、提高思想认识").fonts
    assert title.text == "2024年度机关安全生产检查重点事项清单"
    assert title.top == pytest.approx(TOP + 2 * PITCH, abs=NEAR)  # the third line
    assert title.size == 22 and _centre(title) == pytest.approx((LEFT + RIGHT) / 2, abs=NEAR)
    assert "一是消防设施" in page.lines[2].text
    assert not any("附件2" == line.text for p in notice for line in p.lines)  # the listed-only attachment has no pages


# -- 版记 and page numbers ---------------------------------------------------------------


def test_imprint_on_the_last_even_page_with_its_rules(notice: list[Page]) -> None:
    assert len(notice) % 2 == 0
    last = notice[-1]
    assert [rule.weight for rule in last.rules] == [pytest.approx(0.35, abs=0.01), pytest.approx(0.25, abs=0.01), pytest.approx(0.35, abs=0.01)]
    for rule in last.rules:
        assert (rule.x0, rule.x1) == (pytest.approx(LEFT, abs=0.05), pytest.approx(RIGHT, abs=0.05))
        assert rule.color == BLACK
    assert last.rules[-1].y == pytest.approx(BOTTOM, abs=0.05)  # the last rule on the type area's bottom edge
    printed = last.find("印发")
    assert printed.bottom <= BOTTOM and printed.top > BOTTOM - PITCH  # the last element on the last line
    assert printed.x0 == pytest.approx(LEFT + 14 * PT, abs=NEAR)  # one 4号 character from the left
    assert printed.x1 == pytest.approx(RIGHT - 14 * PT, abs=NEAR)  # and from the right
    assert printed.text == "江城市人民政府办公室2024年1月15日印发" and printed.size == 14


def test_copy_to_in_4hao_fangsong_wrapped_after_the_colon(notice: list[Page]) -> None:
    last = notice[-1]
    first, wrapped = last.find("抄送："), last.find("市检察院")
    assert first.x0 == pytest.approx(LEFT + 14 * PT, abs=NEAR)
    assert first.x1 <= RIGHT - 14 * PT + NEAR
    assert wrapped.x0 == pytest.approx(first.glyphs[3].x0, abs=NEAR)  # aligned with the first organ after the colon
    assert wrapped.text.endswith("。") and first.size == 14
    assert first.fonts == notice[0].find("为切实做好").fonts
    assert last.rules[0].y < first.top and last.rules[1].y == pytest.approx(wrapped.bottom + (PITCH - 14 * PT) / 2, abs=NEAR)


RECORD = Path(__file__).resolve().parent / "data" / "official-record.yaml"


def check_recipients_in_record(result: list[Page], near: float) -> None:
    """The 主送 not under the title but in the 版记, right above the 抄送 (no rule between), ending with 。."""
    assert not any(line.text.startswith("各区人民政府") for line in result[0].lines)
    last = result[-1]
    listed, wrapped, copy_to, printed = last.find("主送："), last.lines[last.lines.index(last.find("抄送：")) - 1], last.find("抄送："), last.find("印发")
    assert listed.x0 == pytest.approx(LEFT + 14 * PT, abs=near) and listed.size == 14
    assert wrapped.text.endswith("察院。") and wrapped.x0 == pytest.approx(listed.glyphs[3].x0, abs=near)
    assert copy_to.top - wrapped.top == pytest.approx(PITCH, abs=near)  # the next line
    rules = [rule.y for rule in last.rules]
    assert len(rules) == 3 and rules[0] < listed.top and copy_to.bottom < rules[1] < printed.top  # none between 主送 and 抄送
    assert rules[2] == pytest.approx(BOTTOM, abs=0.5)


def test_recipients_in_record(build: Callable[[str], list[Page]]) -> None:
    check_recipients_in_record(build(RECORD.read_text(encoding="utf-8")), NEAR)


def test_no_page_number_on_the_imprint_page(notice: list[Page]) -> None:
    assert [_page_number(page) for page in notice] == ["— 1 —", "— 2 —", "— 3 —", None]
    assert notice[-1].find("印发") and "附件" not in notice[-1].text


LINE = "各单位要充分认识做好机关安全生产工作的重要性坚持人。"
"""One full line of the grid with its two-character indent."""


def _outline(official: str, body: str = "") -> str:
    return "title: 关于开展检查的通知\ndate: 2024-01-14\nofficial:\n" + textwrap.indent(official, "  ") + body


def _imprint_outline(lines: int) -> str:
    lead = "".join(f"  - {LINE}\n" for _ in range(lines))
    official = "organs: 甲部\nnumber: 甲发〔2024〕1号\nseal: false\ncopy_to: 乙部。\nprinter: 甲部办公室\nprint_date: 2024-01-15\n"
    return _outline(official, "lead:\n" + lead)


@pytest.mark.parametrize(
    ("lines", "numbers", "imprint_alone"),
    [
        (26, ["— 1 —", "— 2 —"], False),  # the text ends on an even page with room: the 版记 below it
        (28, ["— 1 —", "— 2 —", None, None], True),  # an even page too full: a blank page, then the 版记
        (40, ["— 1 —", "— 2 —", "— 3 —", None], True),  # the text ends on an odd page: the 版记 on the next
    ],
)
def test_imprint_page_parity(build: Callable[[str], list[Page]], lines: int, numbers: list[str | None], imprint_alone: bool) -> None:
    result = build(_imprint_outline(lines))
    assert [_page_number(page) for page in result] == numbers
    last = result[-1]
    assert last.rules[-1].y == pytest.approx(BOTTOM, abs=0.05) and last.find("印发")
    assert (LINE not in last.text) is imprint_alone
    if len(result) == 4 and numbers[2] is None:
        assert result[2].lines == () and result[2].rules == ()  # the blank page


LONG = ("各单位要充分认识做好机关安全生产工作的重要性，坚持人民至上、生命至上，把安全生产摆在突出位置，切实增强责任感和紧迫感，"
        "以高度负责的态度抓紧抓实抓细各项工作，确保不发生重大事故，保障机关工作正常开展。") * 2
"""A last paragraph of eight lines."""


def kept_outline(lines: int) -> str:
    """A sealed document whose last paragraph ends where the 署名 and date no longer fit under it (21 lines before it)."""
    lead = "".join(f"  - {LINE}\n" for _ in range(lines)) + f"  - {LONG}\n"
    official = "organs: 甲部\nnumber: 甲发〔2024〕1号\ncopy_to: 乙部。\nprinter: 甲部办公室\nprint_date: 2024-01-15\n"
    return _outline(official, "lead:\n" + lead)


def check_signature_kept_with_text(result: list[Page]) -> None:
    """The 署名 never opens a page: the paragraph above it went over whole (the seal presses on text)."""
    page = next(p for p in result if "2024年1月14日" in p.text)
    texts = [line.text for line in page.lines if line.top < BOTTOM]
    assert texts[0].startswith("各单位要充分认识做好机关安全生产工作的重要性，坚持")  # the last paragraph's first line
    assert texts[-2:] == ["甲部", "2024年1月14日"] and len(texts) == 8 + 2
    before = result[result.index(page) - 1]
    assert not any("人民至上" in line.text for line in before.lines)


def test_signature_kept_with_the_text(build: Callable[[str], list[Page]]) -> None:
    result = build(kept_outline(21))
    check_signature_kept_with_text(result)
    assert [_page_number(page) for page in result] == ["— 1 —", "— 2 —", "— 3 —", None]


def test_example_outline_is_reproducible(tmp_path: Path) -> None:
    doc = number(load(EXAMPLE))
    one = render(doc, "pdf", tmp_path / "a.pdf", theme="gongwen").read_bytes()
    two = render(doc, "pdf", tmp_path / "b.pdf", theme="gongwen").read_bytes()
    assert one == two


def test_seal_grid_puts_the_last_organ_over_the_date() -> None:
    from briefexport.render._gongwen import seal_grid

    assert seal_grid(2) == [(0, "left"), (0, "right")]
    assert seal_grid(3) == [(0, "right"), (1, "left"), (1, "right")]
    assert seal_grid(4) == [(0, "left"), (0, "right"), (1, "left"), (1, "right")]


def test_joint_sealed_signatures_two_a_row_a_seal_apart(build: Callable[[str], list[Page]]) -> None:
    organs = ["江城市教育局", "江城市卫生健康委员会", "江城市市场监督管理局"]
    result = build(_outline(f"organs: [{', '.join(organs)}]\ndate: 2024-03-08\n", "lead: [正文。]\n"))
    page = next(p for p in result if "2024年3月8日" in p.text)
    date = page.find("2024年3月8日")
    first = next(line for line in page.lines if line.text == organs[0] and line.colors == {BLACK})
    second_row = page.find(organs[1] + organs[2])
    left = [g for g in second_row.glyphs if g.x0 < (LEFT + RIGHT) / 2]
    right = [g for g in second_row.glyphs if g.x0 > (LEFT + RIGHT) / 2]
    assert date.x1 == pytest.approx(RIGHT - 4 * CHAR, abs=NEAR)
    right_centre = (right[0].x0 + right[-1].x1) / 2
    assert right_centre == pytest.approx((date.x0 + date.x1) / 2, abs=NEAR)  # the last seal presses 署名 and date
    assert (first.x0 + first.x1) / 2 == pytest.approx(right_centre, abs=NEAR)
    assert (left[0].x0 + left[-1].x1) / 2 == pytest.approx(LEFT + RIGHT - right_centre, abs=NEAR)  # mirrored
    assert second_row.top == pytest.approx(first.top + 5 * PITCH, abs=NEAR)  # seals 42 mm across never touch
    assert date.top == pytest.approx(second_row.top + PITCH, abs=NEAR)
