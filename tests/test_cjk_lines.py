"""The Chinese line breaker, rule by rule, on narrow measures (pure: no PDF involved)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from briefexport.render.pdf._cjk_lines import CLOSING, OPENING, Line, Measure, Run, break_lines, fullwidth_punctuation

SIZE = 10.0


def width(text: str, font: str, size: float) -> float:
    """Metrics of a model face: CJK 1 em, Latin 0.5 em, space 0.25 em (bold is no wider)."""
    total = 0.0
    for ch in text:
        if ch == " ":
            total += 0.25
        elif unicodedata.east_asian_width(ch) in "WF" or ch in "“”‘’…—":
            total += 1.0
        else:
            total += 0.5
    return total * size


def lay(text: str, ems: float, **kw: object) -> list[Line]:
    return break_lines([Run(text, "F", SIZE)], Measure(ems * SIZE, **kw), width)  # type: ignore[arg-type]


def texts(lines: list[Line]) -> list[str]:
    return [line.text for line in lines]


def positions(line: Line) -> list[tuple[str, float]]:
    """Every drawn character with its x, reconstructed from the pieces as a PDF viewer would."""
    out = []
    for piece in line.pieces:
        x = piece.x
        for ch in piece.text:
            out.append((ch, x))
            x += width(ch, piece.font, piece.size) + piece.char_space
    return out


HAN = "今年是新中国成立周年实现规划目标任务的关键一会议在京召开认真总结过去工作分析当前形势研究部署"


# -- the kinsoku rules ---------------------------------------------------------


@pytest.mark.parametrize("mark", sorted("，。、；：？！）》」』’”〉】"))
@pytest.mark.parametrize("ems", [4, 5, 6, 7])
def test_no_line_starts_with_a_closing_mark(mark: str, ems: int) -> None:
    text = "".join(HAN[i] + (mark if i % 3 == 2 else "") for i in range(24))
    lines = lay(text, ems)
    assert "".join(texts(lines)) == text
    assert all(line.text[0] not in CLOSING for line in lines), texts(lines)


@pytest.mark.parametrize("mark", sorted("（《「『‘“〈【"))
@pytest.mark.parametrize("ems", [4, 5, 6, 7])
def test_no_line_ends_with_an_opening_mark(mark: str, ems: int) -> None:
    text = "".join((mark if i % 3 == 2 else "") + HAN[i] for i in range(24))
    lines = lay(text, ems)
    assert "".join(texts(lines)) == text
    assert all(line.text[-1] not in OPENING for line in lines), texts(lines)


@pytest.mark.parametrize("ems", [5, 6, 7])
def test_ascii_closing_and_opening_marks_follow_the_same_rules(ems: int) -> None:
    text = "abc, def. (ghi) jkl; mno: pqr? stu! " * 3
    lines = lay(text, ems)
    assert all(line.text[0] not in CLOSING and line.text[-1] not in OPENING for line in lines)


@pytest.mark.parametrize("pair", ["……", "——"])
@pytest.mark.parametrize("offset", range(6))
def test_an_ellipsis_or_dash_pair_is_never_split(pair: str, offset: int) -> None:
    text = HAN[:offset] + "他说" + pair + "好的" + HAN[:8]
    for line in lay(text, 5):
        assert not line.text.startswith(pair[0]), "a pair must not start a line"
        assert line.text.count(pair[0]) in (0, 2)


def test_a_closing_mark_is_squeezed_onto_the_line_when_marks_can_give_room() -> None:
    # Ten ems: "一二，三四五六七八九" (the comma can give half an em) then "。"; two characters
    # follow, as one alone on the last line would pull 九 down.
    lines = lay("一二，三四五六七八九。十一", 10)
    assert texts(lines)[0] == "一二，三四五六七八九。"
    assert lines[0].end <= 10 * SIZE + 1e-6


def test_otherwise_the_previous_character_is_pulled_down() -> None:
    lines = lay("一二三四五六七八九十。后面", 10)
    assert texts(lines) == ["一二三四五六七八九", "十。后面"]
    # The shortened line is still justified to the full measure.
    assert lines[0].end == pytest.approx(10 * SIZE)


# -- justification ---------------------------------------------------------------


def test_justified_lines_spread_the_slack_over_their_characters() -> None:
    lines = lay("一二三四五六七八九十。后面的字还有一些", 10)
    first = positions(lines[0])
    assert lines[0].end == pytest.approx(10 * SIZE)
    steps = [b[1] - a[1] for a, b in zip(first, first[1:])]
    assert max(steps) - min(steps) < 1e-6, "slack is spread evenly, not pushed to the end"
    assert steps[0] > SIZE


def test_the_last_line_is_not_justified() -> None:
    lines = lay("一二三四五六七八九十十一二三", 10)
    last = positions(lines[-1])
    assert [b[1] - a[1] for a, b in zip(last, last[1:])] == pytest.approx([SIZE] * (len(last) - 1))
    assert lines[-1].end < 10 * SIZE


def test_a_line_end_comma_hangs_its_blank_half_so_ink_meets_the_edge() -> None:
    lines = lay("一二三四五六七八九，十一二三四五六七八", 10)
    assert texts(lines)[0] == "一二三四五六七八九，"
    assert lines[0].end == pytest.approx(10 * SIZE)  # 9.5 ems of ink justified to 10
    comma_x = positions(lines[0])[-1][1]
    assert comma_x + 0.5 * SIZE == pytest.approx(10 * SIZE)


def test_adjacent_marks_are_compressed() -> None:
    line = lay("他说：“好。”然后", 20)[0]
    xs = dict(positions(line))
    assert xs["“"] - xs["："] == pytest.approx(0.5 * SIZE)  # ： gives up its blank half
    assert xs["”"] - xs["。"] == pytest.approx(0.5 * SIZE)


@pytest.mark.parametrize("align, expected_start", [("left", 0.0), ("center", 3 * SIZE), ("right", 6 * SIZE)])
def test_alignment_of_short_lines(align: str, expected_start: float) -> None:
    line = lay("一二三四", 10, align=align)[0]
    assert positions(line)[0][1] == pytest.approx(expected_start)


def test_first_line_indent() -> None:
    lines = lay(HAN[:25], 10, indent=2 * SIZE)
    assert positions(lines[0])[0][1] == pytest.approx(2 * SIZE)
    assert len(lines[0].text) == 8
    assert all(positions(line)[0][1] == 0 for line in lines[1:])


# -- Latin text ------------------------------------------------------------------


def test_latin_words_and_numbers_are_never_split() -> None:
    text = "深化110与12345高效对接联动，支持Python和JavaScript开发"
    for ems in range(6, 14):
        lines = lay(text, ems)
        joined = "|".join(texts(lines))
        for token in ("110", "12345", "Python", "JavaScript"):
            assert token in joined, (ems, joined)


def test_words_break_at_spaces_and_spaces_vanish_at_line_ends() -> None:
    lines = lay("alpha beta gamma delta epsilon", 6)
    assert texts(lines) == ["alpha beta", "gamma delta", "epsilon"]


def test_a_token_longer_than_the_measure_is_broken_rather_than_overflowing() -> None:
    url = "https://example.com/" + "a" * 2000
    lines = lay("访问" + url + "。", 12)
    assert "".join(texts(lines)) == "访问" + url + "。"
    assert all(line.end <= 12 * SIZE + 1e-6 for line in lines)
    assert len(lines) > 80
    assert lines[0].text.startswith("访问https:"), "the token starts right after the Chinese, filling the line"


def test_on_a_grid_a_run_longer_than_the_measure_fills_every_line_it_crosses() -> None:
    # The gongwen case: digits between Han characters are snapped to whole cells, and a run wider
    # than the line is cut (in one pass) into lines of as many letters as fit.
    pitch, run = 16.0, "1234567890" * 30
    lines = break_lines([Run("前文" + run + "后文。", "F", 16.0)], Measure(10 * pitch, char_pitch=pitch, squeeze=False), width)
    assert "".join(texts(lines)) == "前文" + run + "后文。"
    assert texts(lines)[0] == "前文" + run[:16]  # two cells of Han, then 8 cells of 0.5 em digits
    assert all(len(line.text) == 20 for line in lines[1:-1]), texts(lines)
    assert all(line.end <= 10 * pitch + 1e-6 for line in lines)


def test_a_line_may_end_after_a_hyphen_or_slash_inside_a_word() -> None:
    text = "use the state-of-the-art and/or well-known tools"
    for ems in range(4, 12):
        lines = lay(text, ems)
        assert " ".join(texts(lines)).replace("- ", "-").replace("/ ", "/") == text, (ems, texts(lines))
        assert not any(line.text[0] in "-/" for line in lines), (ems, texts(lines))
        assert all(line.end <= ems * SIZE + 1e-6 for line in lines), (ems, texts(lines))
    assert texts(lay(text, 6)) == ["use the", "state-of-", "the-art and/", "or well-", "known tools"]


def test_a_word_is_not_cut_before_a_hyphen_nor_after_a_leading_one() -> None:
    assert texts(lay("x --flag -5 a--b", 3)) == ["x", "--flag", "-5 a--", "b"]


def test_justification_adds_no_space_inside_a_hyphenated_word() -> None:
    line = lay("aaaa well-known bbbb cccc", 10)[0]
    assert line.text == "aaaa well-known bbbb"
    assert line.end == pytest.approx(10 * SIZE)
    xs = dict(positions(line))
    assert xs["k"] - xs["-"] == pytest.approx(0.5 * SIZE)  # the hyphen's own width
    assert xs["w"] - xs["a"] > 0.25 * SIZE + 0.5 * SIZE  # the word gap took the slack


def test_a_long_hyphenated_word_no_longer_stretches_the_line_before_it() -> None:
    lines = lay("a line of Latin text: well-established-practice", 14)
    first = positions(lines[0])
    assert texts(lines) == ["a line of Latin text: well-", "established-practice"]
    assert lines[0].end == pytest.approx(14 * SIZE)  # filled to the edge: justified, with small gaps
    gaps = [b[1] - a[1] - 0.5 * SIZE for a, b in zip(first, first[1:]) if a[0] != " " and b[0] == " "]
    assert gaps and max(gaps) < 1.25 * SIZE, gaps


def test_a_line_whose_word_gaps_would_exceed_an_em_is_set_ragged() -> None:
    lines = lay("line of Latin text: incomprehensibilities and more", 14)
    assert texts(lines)[0] == "line of Latin text:"
    xs = positions(lines[0])
    assert [x for ch, x in xs if ch != " "][4] == pytest.approx(2.25 * SIZE)  # "of" one natural space after "line"
    assert lines[0].end == pytest.approx(8.75 * SIZE)
    # A line a little short is still justified.
    justified = lay("aaaa bbbb cccc dddd eeee", 10)
    assert texts(justified)[0] == "aaaa bbbb cccc dddd" and justified[0].end == pytest.approx(10 * SIZE)


def test_a_chinese_line_is_not_letter_spaced_wide_to_make_room_for_a_latin_word() -> None:
    lines = lay(HAN[:14] + "JavaScriptFramework" + HAN[:10], 20)
    assert texts(lines)[0] == HAN[:14]
    steps = [b[1] - a[1] for a, b in zip(positions(lines[0]), positions(lines[0])[1:])]
    assert steps == pytest.approx([SIZE] * 13)  # 6 ems short: ragged, not 0.46 em between characters
    assert lines[0].end == pytest.approx(14 * SIZE)


def test_han_and_latin_are_separated_by_the_latin_gap() -> None:
    line = lay("成立75周年", 20, latin_gap=0.25)[0]
    xs = dict(positions(line))
    assert xs["7"] - xs["立"] == pytest.approx(1.25 * SIZE)
    assert xs["周"] - xs["5"] == pytest.approx(0.75 * SIZE)
    no_gap = dict(positions(lay("成立75周年", 20)[0]))
    assert no_gap["7"] - no_gap["立"] == pytest.approx(SIZE)


def test_no_latin_gap_next_to_punctuation() -> None:
    xs = dict(positions(lay("“5G”网络", 20, latin_gap=0.25)[0]))
    assert xs["5"] - xs["“"] == pytest.approx(SIZE)


def test_ascii_punctuation_between_chinese_is_typeset_full_width() -> None:
    assert fullwidth_punctuation(["中文,中文:", "是的;真的?好!", "一村(格)一警"]) == ["中文，中文：", "是的；真的？好！", "一村（格）一警"]
    assert fullwidth_punctuation(["ratio 3:2, see (a) and 2,000"]) == ["ratio 3:2, see (a) and 2,000"]
    assert fullwidth_punctuation(["见(a)项", "时间:2024"]) == ["见（a）项", "时间：2024"]


# -- runs, faces and the grid -----------------------------------------------------


def test_runs_in_different_faces_keep_their_face() -> None:
    runs = [Run("普通的字", "Regular", SIZE), Run("加粗的字", "Bold", SIZE), Run("普通", "Regular", SIZE)]
    lines = break_lines(runs, Measure(5 * SIZE), width)
    drawn = [(piece.font, ch) for line in lines for piece in line.pieces for ch in piece.text]
    assert "".join(ch for _, ch in drawn) == "普通的字加粗的字普通"
    assert {ch for font, ch in drawn if font == "Bold"} == set("加粗的字")


def test_a_word_split_across_faces_is_still_one_word() -> None:
    runs = [Run("中文 abc", "Regular", SIZE), Run("def", "Bold", SIZE), Run(" 中文", "Regular", SIZE)]
    joined = "|".join(line.text for line in break_lines(runs, Measure(4 * SIZE), width))
    assert "abcdef" in joined


def test_on_a_grid_every_cjk_character_advances_by_the_pitch() -> None:
    pitch = 15.793
    text = "坚定不移走改革强警之路，为公安工作现代化提供不竭动力。" * 4
    lines = break_lines([Run(text, "F", 16.0)], Measure(28 * pitch, char_pitch=pitch, squeeze=False), width)
    full = [line for line in lines[:-1] if len(line.text) == 28]
    assert full, [line.text for line in lines]
    for line in full:
        xs = [x for _, x in positions(line)]
        assert [b - a for a, b in zip(xs, xs[1:])] == pytest.approx([pitch] * 27)
    assert all(len(line.text) <= 28 for line in lines)


# -- properties -----------------------------------------------------------------

_MARKS = ["，", "。", "、", "；", "：", "？", "！", "……", "——", "，“", "”。"]
_TOKENS = st.sampled_from(list(HAN[:20]) + _MARKS + ["“引号”", "《书名》", "（括号）", "110", "2024年", "Python", " word ", "5G"])


@settings(max_examples=150, deadline=None)
@given(tokens=st.lists(_TOKENS, min_size=1, max_size=60), ems=st.integers(min_value=8, max_value=30),
       indent=st.sampled_from([0, 2]))
def test_properties_on_random_paragraphs(tokens: list[str], ems: int, indent: int) -> None:
    # Real text never strings marks together without limit; such a chain cannot be broken legally.
    assume(not any(a in _MARKS and b in _MARKS for a, b in zip(tokens, tokens[1:])))
    text = "".join(tokens)
    lines = lay(text, ems, indent=indent * SIZE, latin_gap=0.25)
    assert "".join(texts(lines)).replace(" ", "") == text.replace(" ", "")
    for index, line in enumerate(lines):
        assert line.text[0] not in CLOSING or index == 0, (index, texts(lines))
        assert line.text[-1] not in OPENING or index == len(lines) - 1, (index, texts(lines))
        assert line.end <= ems * SIZE + 1e-6, (index, texts(lines))
        xs = [x for _, x in positions(line)]
        assert xs == sorted(xs) and xs[0] >= 0, "no glyph starts left of the margin or of its predecessor"
    for pair in ("……", "——"):
        assert all(line.text.count(pair[0]) % 2 == 0 for line in lines)


# -- hard text (issue #15) ---------------------------------------------------------


def test_no_break_after_a_hyphen_before_a_digit() -> None:
    # "COVID-" fits the first line, "19" would not: the word moves down whole.
    lines = lay("一二三四五六七COVID-19。", 10)
    assert not any(line.text.endswith("-") for line in lines)
    assert any("COVID-19" in line.text for line in lines)


def test_a_url_breaks_after_its_slashes_dots_underscores_and_hyphens_only() -> None:
    url = "https://www.example.gov.cn/path_segment/another-long-segment/index_2024.htm"
    lines = lay("详见" + url + "。", 12)
    assert "".join(texts(lines)) == "详见" + url + "。"
    for line in lines[:-1]:
        assert line.text[-1] in "/_.-", texts(lines)


def test_a_url_line_justifies_by_spacing_its_letters_evenly() -> None:
    url = "https://www.example.gov.cn/path_segment/another-long-segment/index_2024.htm"
    lines = lay("详见" + url + "。", 12)
    assert abs(lines[0].end - 12 * SIZE) < 1e-6  # "详见https://www." is flush right, not ragged
    spacings = {round(piece.char_space, 6) for line in lines[:-1] for piece in line.pieces if len(piece.text) > 1}
    assert all(space <= 0.25 * SIZE for space in spacings)


def test_a_date_is_never_broken_and_has_no_gap_inside() -> None:
    lines = lay("会议于二〇二三年召开，时间为2024年1月14日。", 15, latin_gap=0.25)
    joined = [line.text for line in lines]
    assert any("2024年1月14日" in text for text in joined), joined
    inside = [x for line in lines for x in positions(line)]
    xs = dict(inside)
    assert xs  # the date's characters follow each other at their natural advances (no 0.25 em gap)
    date = next(line for line in lines if "2024年" in line.text)
    pos = positions(date)
    k = [ch for ch, _ in pos].index("年")
    assert pos[k][1] - pos[k - 1][1] == pytest.approx(0.5 * SIZE)


def test_the_percent_sign_takes_the_gap_after_the_number() -> None:
    (line,) = lay("增速为5%左右", 20, latin_gap=0.25)
    pos = positions(line)
    chars = [ch for ch, _ in pos]
    after = pos[chars.index("左")][1] - pos[chars.index("%")][1]
    before = pos[chars.index("5")][1] - pos[chars.index("为")][1]
    assert after - 0.5 * SIZE == pytest.approx(before - SIZE)  # 0.25 em on both sides


def test_no_single_character_alone_on_the_last_line() -> None:
    lines = lay("一二三四五六七八九十壹。", 10)
    assert len(lines[-1].text.rstrip("。")) >= 2, texts(lines)


def test_quotes_dashes_and_ellipses_take_full_cells() -> None:
    # The model face's marks are 1 em wide already; a narrow face's are widened to a cell.
    def narrow(text: str, font: str, size: float) -> float:
        return sum(0.35 * size if ch in "“”" else width(ch, font, size) for ch in text)

    (line,) = break_lines([Run("含“引号”与", "F", SIZE)], Measure(20 * SIZE), narrow)
    assert line.end == pytest.approx(6 * SIZE)


def test_a_grid_compresses_consecutive_marks_and_lends_the_space_to_the_line() -> None:
    text = "深化“一网通办”、“一窗通办”，深化改革"
    strict = lay(text, 8, char_pitch=SIZE, squeeze=False)
    lent = lay(text, 8, char_pitch=SIZE, squeeze=False, grid_squeeze=True)
    assert texts(strict) == texts(lent)  # the grid gives each line the same characters
    assert lent[1].end == pytest.approx(8 * SIZE)  # still flush: the saved half ems are lent back
    chars = positions(lent[1])
    k = [ch for ch, _ in chars].index("、")
    assert chars[k + 1][1] - chars[k - 1][1] < 2 * SIZE


def test_titles_balance_their_lines_and_break_at_phrases() -> None:
    title = "关于推进数字经济高质量发展和新时代“枫桥经验”创新实践的工作方案"
    greedy = lay(title, 20, align="center")
    balanced = lay(title, 20, align="center", balance=True)
    assert len(balanced) == len(greedy) == 2
    assert [len(line.text) for line in greedy] == [20, 12]
    assert abs(len(balanced[0].text) - len(balanced[1].text)) <= 3
    assert balanced[1].text.startswith("“")  # a phrase boundary, not 新时|代


@pytest.mark.parametrize(
    "layout",
    [{"align": "center"}, {"align": "justify", "char_pitch": SIZE, "squeeze": False, "grid_squeeze": True}],
    ids=["centred", "justified-on-a-grid"],
)
def test_a_heading_of_three_lines_breaks_at_its_phrases(layout: dict[str, object]) -> None:
    # First fit on an even measure cut the quoted term (新时代“枫桥经 / 验”，); the phrase search
    # that two-line justified headings had now covers any count and centred titles too.
    heading = "坚持和发展新时代“枫桥经验”，推动矛盾纠纷多元化解，提升基层治理的法治化水平"
    lines = lay(heading, 16, balance=True, **layout)
    assert texts(lines) == ["坚持和发展新时代“枫桥经验”，", "推动矛盾纠纷多元化解，", "提升基层治理的法治化水平"]
    assert len(lay(heading, 16, **layout)) == 3  # as many lines as first fit gives


def test_wrapped_lines_hang_under_the_text() -> None:
    lines = lay("（十三）措施十三：加快推进数字政府建设和互联网政务服务深度融合", 12, align="left", hang=4 * SIZE)
    assert len(lines) >= 2
    assert all(positions(line)[0][1] == pytest.approx(4 * SIZE) for line in lines[1:])


def test_on_a_grid_the_line_giving_company_stays_on_the_grid() -> None:
    lines = lay("一二三四五六七八九十壹。", 10, char_pitch=SIZE, squeeze=False, grid_squeeze=True)
    assert texts(lines) == ["一二三四五六七八九", "十壹。"]
    assert [x for _, x in positions(lines[0])] == pytest.approx([k * SIZE for k in range(9)])


def test_on_a_grid_a_number_takes_whole_cells_and_the_rest_stays_on_the_grid() -> None:
    (line,) = lay("深化110与12345高效", 12, char_pitch=SIZE, squeeze=False, grid_squeeze=True)
    pos = positions(line)
    xs = {ch: x for ch, x in pos}
    # 110 is 1.5 cells wide: it takes two, centred; 12345 (2.5 cells) takes three.
    assert xs["与"] == pytest.approx(4 * SIZE) and xs["高"] == pytest.approx(8 * SIZE)
    digits = [x for ch, x in pos if ch.isdigit()][:3]
    assert digits[0] == pytest.approx(2 * SIZE + 0.25 * SIZE)
    assert [b - a for a, b in zip(digits, digits[1:])] == pytest.approx([0.5 * SIZE] * 2)  # not letter-spaced


@pytest.mark.parametrize(
    ("title", "ems", "expected"),
    [
        # No punctuation: after 机关 and before the 的 of the kind, not mid-word (全市机 / 关).
        ("关于开展全市机关安全生产检查工作的情况报告", 10, ["关于开展全市机关", "安全生产检查工作", "的情况报告"]),
        # The kind keeps its 的: never 的 / 情况报告.
        ("关于开展全市机关安全生产检查工作的情况报告", 6, ["关于开展全市", "机关安全生产", "检查工作", "的情况报告"]),
        # After the organ's 关于 (not 关于下 / 达).
        ("江城市财政局关于下达专项资金的批复", 12, ["江城市财政局关于", "下达专项资金的批复"]),
        # After 人民政府 (not 办 / 公室).
        ("江城市人民政府办公室关于做好全市防汛工作的通知", 10, ["江城市人民政府", "办公室关于做好全市", "防汛工作的通知"]),
        # A boundary the even measure does not reach is not bought with a wider one (…进一步加 / 强).
        ("江城市人民政府办公室关于进一步加强城市基层社会治理工作的通知", 16, ["江城市人民政府办公室关于进一步", "加强城市基层社会治理工作的通知"]),
    ],
    ids=["word-ends", "kind-keeps-de", "after-guanyu", "after-organ", "no-wider-measure"],
)
def test_official_titles_break_between_their_parts(title: str, ems: float, expected: list[str]) -> None:
    assert texts(lay(title, ems, align="center", balance=True)) == expected


@pytest.mark.parametrize("ems", [6, 9])
def test_a_bold_word_cut_across_lines_stays_bold_on_every_line(ems: int) -> None:
    word = "https://www.example.gov.cn/" + "abcdefgh" * 6
    lines = break_lines([Run("详见", "F", SIZE), Run(word, "F", SIZE, bold=True), Run("。", "F", SIZE)],
                        Measure(ems * SIZE), width)  # type: ignore[arg-type]
    assert "".join(texts(lines)) == "详见" + word + "。"
    assert len(lines) > 3
    drawn_bold = "".join(piece.text for line in lines for piece in line.pieces if piece.bold)
    assert drawn_bold == word
