"""Counters, templates and the numbering pass."""

from __future__ import annotations

import pytest

from briefexport import loads, number
from briefexport.numbering import TemplateError, chinese_numeral, format_counter, parse_template, render_label, roman_numeral


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "一"), (9, "九"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (21, "二十一"),
        (99, "九十九"), (100, "一百"), (101, "一百零一"), (110, "一百一十"), (111, "一百一十一"),
        (1000, "一千"), (1001, "一千零一"), (1010, "一千零一十"), (1100, "一千一百"),
        (10000, "一万"), (10001, "一万零一"), (100000, "十万"), (100010000, "一亿零一万"),
    ],
)
def test_chinese_numerals(n: int, expected: str) -> None:
    assert chinese_numeral(n) == expected


@pytest.mark.parametrize(("n", "expected"), [(1, "I"), (4, "IV"), (9, "IX"), (14, "XIV"), (40, "XL"), (1994, "MCMXCIV")])
def test_roman_numerals(n: int, expected: str) -> None:
    assert roman_numeral(n) == expected


@pytest.mark.parametrize("n", [0, -1])
def test_counters_start_at_one(n: int) -> None:
    with pytest.raises(ValueError):
        chinese_numeral(n)


@pytest.mark.parametrize(
    ("template", "n", "label"),
    [
        ("{cn}、", 3, "三、"), ("（{cn}）", 11, "（十一）"), ("{n}.", 10, "10."), ("（{n}）", 2, "（2）"),
        ("{cn}是", 6, "六是"), ("重点任务{cn}：", 8, "重点任务八："), ("第{cn}条", 101, "第一百零一条"), ("{roman}.", 4, "IV."),
    ],
)
def test_templates(template: str, n: int, label: str) -> None:
    assert render_label(parse_template(template), n) == label


@pytest.mark.parametrize("bad", ["第{x}条", "{cn}{n}", "plain", "{cn", "}{cn}"])
def test_bad_templates(bad: str) -> None:
    with pytest.raises(TemplateError):
        parse_template(bad)


def test_format_counter_dispatch() -> None:
    assert [format_counter(12, c) for c in ("cn", "n", "roman")] == ["十二", "12", "XII"]


OUTLINE = """
title: T
numbering: {2: "{n})"}
sections:
  - title: A
    items:
      - title: a
        items:
          - title: x
          - title: y
      - title: b
  - title: B
    numbering: none
    items:
      - title: c
  - title: C
    numbering: 第{cn}条
    items:
      - title: d
      - title: e
"""


def test_defaults_overrides_and_restarts() -> None:
    assert number(loads(OUTLINE)).labels() == [
        "一、A", "1)a", "1.x", "2.y", "2)b", "二、B", "c", "三、C", "第一条d", "第二条e",
    ]


def test_seed_labels(seed_doc) -> None:  # type: ignore[no-untyped-def]
    labels = [item.label for item in seed_doc.walk()]
    assert labels[:8] == ["一、", "一是", "二是", "三是", "四是", "五是", "六是", "二、"]
    assert [item.label for item in seed_doc.sections[2].children] == [f"重点任务{c}：" for c in "一二三四五六七八"]


def test_numbering_none_leaves_every_level_unnumbered() -> None:
    doc = loads("title: T\nnumbering: none\nsections:\n  - title: A\n    items:\n      - title: a\n")
    assert number(doc).labels() == ["A", "a"]
