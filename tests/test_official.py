"""The official: block: reading it, its schema, and the GB/T 9704 pre-flight checks of ``briefexport check``."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from briefexport import OutlineError, load, loads
from briefexport.cli import main
from briefexport.outline.preflight import preflight
from briefexport.outline.schema import outline_schema

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "notice.yaml"


def _outline(official: str, body: str = "") -> str:
    return "title: 关于开展检查的通知\ndate: 2024-01-14\nofficial:\n" + textwrap.indent(textwrap.dedent(official), "  ") + body


def test_the_example_has_every_element() -> None:
    official = load(EXAMPLE).official
    assert official is not None
    assert official.copy_number == "000123" and official.secrecy == "秘密★1年" and official.urgency == "特急"
    assert official.organs == ("江城市人民政府办公室",) and official.mark_lines == official.organs and official.mark_suffix == "文件"
    assert official.number == "江政办发〔2024〕3号"
    assert official.recipients and official.recipients.endswith("：")
    assert [bool(a.body) for a in official.attachments] == [True, False]
    assert official.signed_by == official.organs and official.seal
    assert official.date == "2024年1月14日" and official.print_date == "2024年1月15日"
    assert official.note and official.copy_to and official.printer


def test_defaults_and_date_forms() -> None:
    doc = loads(_outline("""\
        organs: [甲部, 乙部]
        signature: 甲部
        date: 2024年3月8日
        print_date: 2024-03-09
        seal: false
        attachments: [清单]
    """))
    official = doc.official
    assert official is not None
    assert official.mark_lines == ("甲部", "乙部") and official.mark_suffix == "文件"
    assert official.signed_by == ("甲部",) and not official.seal
    assert official.date == "2024年3月8日" and official.print_date == "2024年3月9日"
    assert official.attachments[0].name == "清单" and official.attachments[0].body == ()
    given_mark = loads(_outline("organs: 甲部\nmark: 甲部文件处\n")).official
    assert given_mark is not None and given_mark.mark_lines == ("甲部文件处",) and given_mark.mark_suffix == ""
    no_date = loads("title: T\nofficial:\n  organs: 甲部\n").official
    assert no_date is not None and no_date.date is None


def test_the_outline_date_is_the_default_date() -> None:
    official = loads(_outline("organs: 甲部\n")).official
    assert official is not None and official.date == "2024年1月14日"


@pytest.mark.parametrize(
    ("official", "where", "message"),
    [
        ("seal: maybe\n", ":4:9:", "seal must be true or false"),
        ("sael: true\n", ":4:3:", "unknown key 'sael' in official; did you mean 'seal'?"),
        ("date: 2024/1/14\n", ":4:9:", "date '2024/1/14' is not a date; write it as YYYY-MM-DD or 2024年1月14日"),
        ("attachments: 清单\n", ":4:16:", "attachments must be a list"),
        ("attachments:\n  - title: 无名\n", ":5:7:", "an attachment needs a 'name'"),
    ],
)
def test_bad_official_blocks_are_located(official: str, where: str, message: str) -> None:
    with pytest.raises(OutlineError) as caught:
        loads(_outline(official), "o.yaml")
    assert str(caught.value).startswith("o.yaml" + where)
    assert message in str(caught.value)


def test_the_schema_describes_the_block_and_validates_the_example() -> None:
    schema = outline_schema()
    official = schema["properties"]["official"]
    assert official["additionalProperties"] is False
    assert official["properties"]["number"]["description"].startswith("发文字号")
    outline = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    outline["date"] = str(outline["date"])
    outline["official"]["print_date"] = str(outline["official"]["print_date"])
    jsonschema.validate(outline, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"title": "T", "official": {"seal": "yes"}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"title": "T", "official": {"organ": "甲"}}, schema)
    assert isinstance(dt.date.fromisoformat(outline["date"]), dt.date)


# -- pre-flight ----------------------------------------------------------------------


def test_the_example_passes_the_preflight() -> None:
    assert preflight(load(EXAMPLE)) == []


@pytest.mark.parametrize(
    ("official", "body", "where", "message"),
    [
        ("number: 某发[2024]5号\n", "", "4:11", "put the year in 六角括号 〔〕"),
        ("number: 某发〔2024〕第5号\n", "", "4:11", "drop '第'"),
        ("number: 某发〔2024〕05号\n", "", "4:11", "no leading zeros in the sequence number"),
        ("number: 某发〔24〕5号\n", "", "4:11", "write the full year"),
        ("copy_number: '123'\n", "", "4:16", "份号 '123' should be 6 Arabic digits"),
        ("date: 2024年01月05日\n", "", "4:9", "GB/T 9704 writes '2024年1月5日'"),
        ("print_date: 2024年1月05日\n", "", "4:15", "GB/T 9704 writes '2024年1月5日'"),
        ("recipients: 各单位\n", "", "4:15", "should end with a full-width colon '：'"),
        ("recipients: '各单位:'\n", "", "4:15", "(not the ASCII ':')"),
        ("attachments: [清单。]\n", "", "4:17", "附件说明 '清单。' ends with punctuation"),
        ("attachments:\n  - {name: 清单, title: 名单, body: 内容}\n", "", "5:14", "attachment title '名单' differs"),
        ("attachments: [甲, 乙]\n", "lead: 详见附件3。\n", "5:7", "refers to 附件3 but the 附件说明 lists 2 attachments"),
        ("attachments: [甲]\n", "lead: 详见附件1。\n", "5:7", "a single attachment is 附件, without a number"),
        ("copy_to: 甲部，乙部\n", "", "4:12", "抄送 ends with '。'"),
        ("organs: 甲部\n", "lead: 请于2024年02月20日前报送。\n", "5:7", "date '2024年02月20日' has leading zeros; GB/T 9704 writes '2024年2月20日'"),
    ],
)
def test_preflight_findings_are_located(official: str, body: str, where: str, message: str) -> None:
    findings = preflight(loads(_outline(official, body), "o.yaml"))
    assert [f"{f.where.line}:{f.where.col}" for f in findings] == [where], [f.message for f in findings]
    assert message in findings[0].message


def test_preflight_finds_skipped_levels_and_ascii_brackets() -> None:
    doc = loads(textwrap.dedent("""\
        title: T
        numbering: ["{cn}、", "({cn})"]
        sections:
          - title: 第一部分
            items:
              - title: 正常
          - title: 第二部分
            numbering: "{n}."
            items:
              - title: 跳级
    """), "o.yaml")
    messages = {f"{f.where.line}:{f.where.col} {f.message}" for f in preflight(doc)}
    assert "1:1 label '({cn})' has ASCII brackets; write full-width ones: '（{cn}）'" in messages
    assert any(m.startswith("10:9 heading level skipped: '1.' directly under '二、'") for m in messages), messages
    assert len(messages) == 2


@pytest.mark.parametrize(
    ("parent", "child", "skipped"),
    [
        ("第{cn}章", "（{n}）", True),  # 一、-like straight to （1）
        ("第{cn}章", "（{cn}）", False),
        ("重点任务{cn}：", "{n}、", True),  # 1.-like under 一、-like
        ("（{cn}）", "{n}、", False),
        ("第{cn}条", "第{cn}款", False),  # the same rank
        ("（{cn}）", "(第{n}项)", False),  # 1.-like: the brackets do not hold the counter alone
        ("（{cn}）", "({n})", True),  # ASCII brackets rank as the full-width ones
        ("第{cn}章", "({n})", True),
        ("{roman}.", "（{n}）", False),  # no rank, no finding
    ],
)
def test_preflight_ranks_custom_label_templates(parent: str, child: str, skipped: bool) -> None:
    doc = loads(textwrap.dedent(f"""\
        title: T
        sections:
          - title: 第一部分
            numbering: "{parent}"
            items:
              - title: 甲
                numbering: "{child}"
                items:
                  - title: 乙
    """), "o.yaml")
    found = [f for f in preflight(doc) if f.message.startswith("heading level skipped")]
    assert bool(found) == skipped, found
    if skipped:
        assert (found[0].where.line, found[0].where.col) == (9, 13)


def test_recipients_in_record_need_no_colon_and_leave_the_heading() -> None:
    doc = load(Path(__file__).resolve().parent / "data" / "official-record.yaml")
    assert doc.official is not None and doc.official.recipients_in_record
    assert doc.official.heading_recipients is None
    assert [label for label, _ in doc.official.record_lists] == ["主送：", "抄送："]
    assert doc.official.record_lists[0][1].endswith("市检察院。")
    assert preflight(doc) == []  # no colon asked of a 主送 in the 版记


def test_the_bundled_outline_passes_the_preflight(seed_outline_path: Path) -> None:
    assert preflight(load(seed_outline_path)) == []


def test_check_warns_and_strict_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outline = tmp_path / "notice.yaml"
    outline.write_text(_outline("number: 某发〔2024〕第5号\nrecipients: 各单位\n"), encoding="utf-8")
    assert main(["check", str(outline)]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"{outline}:4:11: warning: 发文字号 '某发〔2024〕第5号' is not in the form 机关代字〔2024〕3号: drop '第'",
        f"{outline}:5:15: warning: 主送 '各单位' should end with a full-width colon '：'",
    ]
    assert captured.out == f"{outline}: ok (0 sections, 0 headings, 2 warnings)\n"
    assert main(["check", "--strict", str(outline)]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        f"{outline}:4:11: error: 发文字号 '某发〔2024〕第5号' is not in the form 机关代字〔2024〕3号: drop '第' "
        "(a warning, made an error by --strict)\n"
    )
    assert captured.out == ""


def test_check_of_the_example_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--strict", str(EXAMPLE)]) == 0
    assert capsys.readouterr().err == ""
    assert json.dumps(outline_schema()["properties"]["official"], ensure_ascii=False).count("印发") >= 2
