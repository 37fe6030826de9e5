"""Themes: presets, user themes that extend them, and refusals with line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefexport import BriefexportError, ThemeError, load_theme
from briefexport.theme.loader import ROLES, preset_names


@pytest.mark.parametrize("name", ["handout", "gongwen", "ebook"])
def test_presets_style_every_role(name: str) -> None:
    theme = load_theme(name)
    assert set(theme.styles) == set(ROLES)
    assert all(style.fonts and style.size > 0 for style in theme.styles.values())


def test_preset_names() -> None:
    assert preset_names() == ["ebook", "gongwen", "handout"]


def test_gongwen_geometry_follows_gb_t_9704() -> None:
    theme = load_theme("gongwen")
    page = theme.page
    assert (page.width, page.height) == (210, 297)
    assert (page.margin_top, page.margin_left) == (37, 28)
    assert (round(page.type_width), round(page.type_height)) == (156, 225)
    assert theme.grid is not None and (theme.grid.lines, theme.grid.chars) == (22, 28)
    assert theme.body_line_pitch() == pytest.approx(225 / 22 / 25.4 * 72)
    assert theme.body_char_pitch() == pytest.approx(156 / 28 / 25.4 * 72)
    assert theme.styles["body"].size == 16 and theme.styles["title"].size == 22
    assert theme.styles["page_number"].size == 14
    assert theme.page_number.format == "— {page} —" and theme.page_number.align == "outside"
    assert theme.styles["h1"].fonts[0] == "黑体" and theme.styles["h2"].fonts[0] == "楷体_GB2312"
    assert theme.styles["body"].fonts[0] == "仿宋_GB2312"


def test_user_theme_extends_a_preset(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("extends: handout\nstyles:\n  body: {size: 14}\npage:\n  margin: {left: 30}\n", encoding="utf-8")
    theme = load_theme(path)
    handout = load_theme("handout")
    assert theme.styles["body"].size == 14
    assert theme.styles["body"].fonts == handout.styles["body"].fonts
    assert theme.page.margin_left == 30 and theme.page.margin_top == handout.page.margin_top


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("extends: handout\nstyles:\n  body: {sise: 14}\n", r"mine.yaml:3:10: error: unknown theme key 'sise' in 'body'; did you mean 'size'\?"),
        ("extends: handout\npage:\n  size: A3\n", r"mine.yaml:3:9: error: 'size' must be one of A4, A5, B5, Letter \(got 'A3'\)"),
        ("extends: handout\nstyles:\n  h1: {bold: maybe}\n", r"mine.yaml:3:14: error: 'bold' must be true or false \(got 'maybe'\)"),
        ("extends: handout\ngrid: {lines: 0, chars: 28}\n", r"mine.yaml:2:15: error: 'lines' must be above 1 and at most 200 \(got 0\)"),
        ("extends: handout\nstyles:\n  body: {size: 0}\n", r"mine.yaml:3:16: error: 'size' must be above 0 and at most 1000 \(got 0\)"),
        ("extends: handout\nstyles:\n  body: {size: nan}\n", r"mine.yaml:3:16: error: 'size' must be above 0"),
        ("extends: handout\nstyles:\n  body: {size: 1e9}\n", r"mine.yaml:3:16: error: 'size' must be above 0 and at most 1000"),
        ('extends: handout\ntoc: {title: "目\\uFFFE录"}\n', r"mine.yaml:2:14: error: 'title' contains U\+FFFE, which is not a character"),
        ("extends: handout\nstyles:\n  body: {color: '#GGGGGG'}\n", r"mine.yaml:3:17: error: 'color' must be #RRGGBB"),
        ("extends: handout\nstyles:\n  body: {indent: 50}\n", r"mine.yaml:3:18: error: 'indent' must be at least 0 and at most 10"),
        ("extends: handout\nstyles:\n  body: {fonts: []}\n", r"mine.yaml:3:17: error: 'fonts' needs at least one font family"),
        ("extends: handout\npage:\n  margin: {left: 150, right: 100}\n", r"mine.yaml:1:1: error: the margins leave a type area of -40 × 247 mm"),
        ("extends: handout\npage_number: {format: '第{page}页{x}'}\n", r"mine.yaml:2:23: error: page_number format may hold only \{page\} and \{pages\} .*not '\{x\}'"),
        ("extends: handout\npage_number: {format: '{page:>99999999}'}\n", r"mine.yaml:2:23: error: page_number format may hold only .*not '\{page:>99999999\}'"),
        ("extends: handout\npage_number: {format: '{page:s}'}\n", r"mine.yaml:2:23: error: page_number format may hold only .*not '\{page:s\}'"),
        ("extends: handout\npage_number: {format: '{page:c}'}\n", r"mine.yaml:2:23: error: page_number format may hold only .*not '\{page:c\}'"),
        ("extends: handout\npage_number: {format: '{page!r}'}\n", r"mine.yaml:2:23: error: page_number format may hold only .*not '\{page!r\}'"),
        ("extends: handout\npage_number: {format: '{page} {'}\n", r"mine.yaml:2:23: error: page_number format may hold only .*not a lone '\{'"),
        ("extends: handout\npage_number: {format: '{page}{page}'}\n", r"mine.yaml:2:23: error: page_number format must hold \{page\} once"),
        ("extends: handout\npage_number: {format: '{page}{page_cn}'}\n", r"mine.yaml:2:23: error: page_number format must hold \{page\} once"),
        ("extends: handout\npage_number: {format: '{page_cn:>9}'}\n", r"mine.yaml:2:23: error: page_number format may hold only .*not '\{page_cn:>9\}'"),
        ("extends: handout\npage_number: {format: '" + "x" * 101 + "{page}'}\n", r"mine.yaml:2:23: error: page_number format is 107 characters long"),
        ('extends: ""\n', r"mine.yaml:1:10: error: 'extends' is empty; name a preset or a theme file"),
        ("extends: nosuch\n", r"mine.yaml:1:10: error: no theme named 'nosuch'; presets: ebook, gongwen, handout"),
        ("extends: other.yaml\n", r"other.yaml:1:1: error: no such file"),
        ("extends: mine.yaml\n", r"mine.yaml:1:10: error: themes extend each other in a loop"),
        ("styles:\n  body: {size: 12}\n", r"mine.yaml:1:1: error: styles .* need 'fonts' and 'size'"),
        ("extends: handout\npage_number: {format: 'p.'}\n", r"mine.yaml:2:23: error: page_number format must hold \{page\} once"),
    ],
)
def test_bad_theme(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ThemeError, match=message):
        load_theme(path)


def test_unknown_theme_name() -> None:
    with pytest.raises(BriefexportError, match="no theme named 'fancy'; presets: ebook, gongwen, handout"):
        load_theme("fancy")


def test_a_theme_extends_only_files_beside_it_unless_allowed(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "base.yaml").write_text("extends: handout\nstyles:\n  body: {size: 13}\n", encoding="utf-8")
    mine = tmp_path / "office" / "mine.yaml"
    mine.parent.mkdir()
    mine.write_text("extends: ../shared/base.yaml\n", encoding="utf-8")
    with pytest.raises(ThemeError, match=r"mine.yaml:1:10: error: '../shared/base.yaml' is outside the theme's folder"):
        load_theme(mine)
    assert load_theme(mine, allow_paths=[shared]).styles["body"].size == 13
