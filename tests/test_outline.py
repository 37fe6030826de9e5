"""Loading outlines: the seed, text folding, emphasis, and every refusal as one located line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from briefexport import OutlineError, load, loads
from briefexport.model import Span
from briefexport.outline.reader import parse_inline

JUNK = re.compile(r"(?:[!-~]{1,3} ){3,}[!-~]{1,3}")  # short ASCII runs separated by spaces
ENUMERATION = re.compile(r"[一二三四五六七八九十]是|重点任务[一二三四五六七八九十][:：]")


def _content_chars(text: str) -> str:
    """Letters, digits and ideographs only: punctuation width and spacing are editorial."""
    return "".join(char for char in text if char.isalnum())


def test_every_sentence_of_the_article_is_in_the_outline(data_dir: Path, seed_doc) -> None:  # type: ignore[no-untyped-def]
    raw = (data_dir / "seed_briefing.txt").read_text(encoding="utf-8")
    lines = [JUNK.sub("", line) for line in raw.splitlines()]
    article = "\n".join(line for line in lines if line.strip() not in ("", "|"))
    assert not re.search(r"[A-Za-z]", article), "junk left in the reference text"
    labels = [item.label for item in seed_doc.walk() if item.label and not item.label.endswith("、")]
    assert ENUMERATION.findall(article) == [label.replace("：", ":") for label in labels]
    expected = _content_chars(ENUMERATION.sub("", article))
    doc = seed_doc.doc
    parts = [doc.meta.title, doc.meta.subtitle or "", *(p.text for p in doc.lead)]
    for item in seed_doc.walk():
        parts += [item.node.kicker or "", item.node.title.text, *(p.text for p in item.node.body)]
    assert _content_chars("".join(parts)) == expected


def test_seed_structure(seed_doc) -> None:  # type: ignore[no-untyped-def]
    assert [len(section.children) for section in seed_doc.sections] == [6, 0, 8, 0]
    assert seed_doc.doc.meta.title == "今年公安工作怎么干？"
    assert str(seed_doc.doc.meta.date) == "2024-01-14"


def test_seed_outline_uses_full_width_punctuation(seed_outline_path: Path) -> None:
    text = "".join(line for line in seed_outline_path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    assert not re.search(r"[\u4e00-\u9fff”][,:;?()]|[,:;?()][\u4e00-\u9fff“]", text)


def test_folded_lines_join_without_space_between_chinese() -> None:
    doc = loads("title: T\nlead:\n  - 第一行\n    第二行 and\n    Latin words\n\n    新段落\n")
    assert [p.text for p in doc.lead] == ["第一行第二行 and Latin words", "新段落"]


def test_literal_block_lines_are_paragraphs() -> None:
    doc = loads("title: T\nsections:\n  - title: A\n    body: |\n      一段\n      二段\n")
    assert [p.text for p in doc.sections[0].body] == ["一段", "二段"]


def test_a_literal_block_title_keeps_its_breaks_as_data() -> None:
    doc = loads("title: |\n  关于推进数字经济\n  和新时代工作方案\nsections:\n  - title: A\n")
    assert doc.meta.title_lines == ("关于推进数字经济", "和新时代工作方案")
    assert doc.meta.title == "关于推进数字经济和新时代工作方案"  # metadata, TOC, bookmarks: one line, no space in Chinese
    english = loads("title: |\n  Annual\n  Report\n")
    assert english.meta.title == "Annual Report" and english.meta.title_shown == ("Annual", "Report")
    plain = loads("title: 一行\n  的标题\n")
    assert plain.meta.title == "一行的标题" and plain.meta.title_lines == () and plain.meta.title_shown == ("一行的标题",)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("title: T\nsections:\n  - title: |\n      数字经济\n      发展要点\n", "3:12"),  # a literal block
        ('title: T\nsections:\n  - title: A\n    items:\n      - title: "甲\\n乙"\n', "5:16"),  # an escaped newline
        ("title: T\nsections:\n  - title: A\n    kicker: |\n      关键\n      点\n", "4:13"),
        ("title: T\nofficial:\n  attachments:\n    - name: |\n        清单\n        一\n", "4:13"),
    ],
)
def test_a_line_break_outside_the_document_title_is_refused_where_it_is(text: str, where: str) -> None:
    # Kept, it would print in the PDF and EPUB body but not in the TOC, bookmarks or the DOCX
    # navigation pane; joined with a space (as before), it put a gap between Chinese characters.
    with pytest.raises(OutlineError, match=rf"^outline.yaml:{where}: error: \w+ has a line break; only the document's title"):
        loads(text, "outline.yaml")


def test_a_heading_wrapped_in_the_yaml_is_one_line() -> None:
    doc = loads("title: T\nsections:\n  - title: 数字经济\n      发展要点\n  - title: >\n      数字\n      经济\n")
    assert [node.title.text for node in doc.sections] == ["数字经济发展要点", "数字经济"]


def test_markup_like_text_is_literal() -> None:
    text = "<para> &amp; </w:t> ]]> * a*b ** c"
    doc = loads(f"title: T\nlead: '{text}'\n")
    assert doc.lead[0].spans == (Span(text),)


def test_bold() -> None:
    assert parse_inline("前**重点**后") == (Span("前"), Span("重点", bold=True), Span("后"))


def test_numbers_in_text_fields_stay_text() -> None:
    assert loads("title: 110\n").meta.title == "110"


def _bad_cases() -> list[tuple[str, str]]:
    table = Path(__file__).parent / "data" / "bad" / "expected.tsv"
    rows = [line.split("\t", 1) for line in table.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return [(name, message) for name, message in rows]


def test_every_bad_file_has_an_expected_message(data_dir: Path) -> None:
    listed = {name for name, _ in _bad_cases()}
    assert listed == {path.name for path in (data_dir / "bad").glob("*.yaml")}
    assert len(listed) >= 30


@pytest.mark.parametrize(("name", "message"), _bad_cases())
def test_bad_outline(data_dir: Path, name: str, message: str) -> None:
    path = data_dir / "bad" / name
    with pytest.raises(OutlineError) as caught:
        load(path)
    assert str(caught.value) == f"{path}:{message}"


@pytest.mark.parametrize(("name", "message"), _bad_cases()[:3])
def test_bad_outline_cli(data_dir: Path, name: str, message: str) -> None:
    path = data_dir / "bad" / name
    result = subprocess.run([sys.executable, "-m", "briefexport", "check", str(path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr == f"{path}:{message}\n"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bom", "\ufefftitle: 标题\n".encode("utf-8")),
        ("crlf", "title: 标题\r\nlead:\r\n  - 第一行\r\n    第二行\r\n".encode("utf-8")),
        ("gb18030", "title: 标题\n".encode("gb18030")),
        ("utf16", "title: 标题\n".encode("utf-16")),
    ],
)
def test_encodings_and_line_ends_are_read(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(data)
    doc = load(path)
    assert doc.meta.title == "标题"
    if name == "crlf":
        assert doc.lead[0].text == "第一行第二行"


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: costs no disk, and must not be read
    with pytest.raises(OutlineError, match=r"huge.yaml:1:1: error: file is 50 MiB; outlines and themes are limited to 8 MiB"):
        load(path)


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("title: T\nlead: " + "[" * 10000 + "]" * 10000 + "\n", encoding="utf-8")
    with pytest.raises(OutlineError, match=r"deep.yaml:2:\d+: error: nesting deeper than 64 levels"):
        load(path)


def test_large_valid_outline(tmp_path: Path) -> None:
    items = "".join(f"      - title: 条目{i}\n        body: 内容{i}\n" for i in range(5000))
    path = tmp_path / "big.yaml"
    path.write_text(f"title: T\nsections:\n  - title: A\n    numbering: 第{{cn}}条\n    items:\n{items}", encoding="utf-8")
    from briefexport import number

    labels = [child.label for child in number(load(path)).sections[0].children]
    assert labels[-1] == "第五千条" and len(labels) == 5000
