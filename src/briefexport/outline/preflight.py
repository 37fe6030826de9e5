"""Pre-flight checks of an outline against GB/T 9704-2012: located warnings, made errors by ``--strict``.

``briefexport check`` runs them. They catch what the standard prescribes and an office often
gets wrong: the 发文字号's form, dates with leading zeros, a 附件说明 that does not match the
attachments, a 主送 without its colon, heading levels skipped (二、 directly followed by 1.),
and ASCII brackets in labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import SourcePos
from ..model import Document, LabelTemplate, Official
from ..numbering import NumberedNode, number

__all__ = ["Finding", "preflight"]

_NUMBER = re.compile(r"[^〔〕\[\]()（）【】]+〔(\d{4})〕([1-9]\d*)号")
_LEADING_ZERO_DATE = re.compile(r"(?:年|^)0\d|月0\d")
_DATE_IN_TEXT = re.compile(r"\d{4}年\d{1,2}月(?:\d{1,2}日)?")
_ASCII_BRACKETS = re.compile(r"[()\[\]]")
_ATTACHMENT_REFERENCE = re.compile(r"附件(\d+)")
_FINAL_PUNCTUATION = "。，；：、.,;:"
_OPENING, _CLOSING = ("（", "("), ("）", ")")


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: where it is and what to change."""

    where: SourcePos
    message: str


def preflight(doc: Document) -> list[Finding]:
    """Every finding in the outline, in reading order of the checks."""
    where = SourcePos(doc.path, 1, 1)
    findings = list(_headings(doc, where))
    if doc.official is not None:
        findings.extend(_official(doc, doc.official, where))
    return findings


# -- headings ----------------------------------------------------------------------


def _rank(template: LabelTemplate) -> int | None:
    """A label's GB/T 9704 rank, 一、 1, （一） 2, 1. 3, （1） 4 (``DEFAULT_LEVEL_TEMPLATES``), by its
    counter and whether the counter is bracketed, so that an office's own labels rank too: 第{cn}章
    and 重点任务{cn}： as 一、, {n}、 as 1., (1) as （1）. Roman numerals have no rank."""
    if template.counter not in ("cn", "n"):
        return None
    bracketed = template.prefix.endswith(_OPENING) and template.suffix.startswith(_CLOSING)
    return (1 if template.counter == "cn" else 3) + bracketed


def _headings(doc: Document, where: SourcePos) -> Iterator[Finding]:
    numbered = number(doc)
    for template in {t.source for t in doc.level_numbering if t is not None}:
        if _ASCII_BRACKETS.search(template):
            yield Finding(where, _bracket_message(template))
    for item in numbered.walk():
        yield from _node_findings(item)


def _node_findings(item: NumberedNode) -> Iterator[Finding]:
    node = item.node
    pos = node.pos or SourcePos("<outline>", 1, 1)
    rule = node.child_numbering
    if not isinstance(rule, str) and _ASCII_BRACKETS.search(rule.source):
        yield Finding(pos, _bracket_message(rule.source))
    parent_rank = _rank(item.template) if item.template else None
    for child in item.children:
        child_rank = _rank(child.template) if child.template else None
        if parent_rank is not None and child_rank is not None and child_rank > parent_rank + 1:
            child_pos = child.node.pos or pos
            yield Finding(
                child_pos,
                f"heading level skipped: '{child.label}' directly under '{item.label}'; GB/T 9704 goes "
                "一、 → （一） → 1. → （1）",
            )
            break  # one finding per parent


def _bracket_message(template: str) -> str:
    fixed = template.replace("(", "（").replace(")", "）").replace("[", "〔").replace("]", "〕")
    return f"label '{template}' has ASCII brackets; write full-width ones: '{fixed}'"


# -- the official block --------------------------------------------------------------


def _official(doc: Document, official: Official, where: SourcePos) -> Iterator[Finding]:

    def at(key: str) -> SourcePos:
        return official.place(key) or where

    if official.number and not _NUMBER.fullmatch(official.number):
        yield Finding(at("number"), _number_message(official.number))
    if official.copy_number and not re.fullmatch(r"\d{6}", official.copy_number):
        yield Finding(at("copy_number"), f"份号 '{official.copy_number}' should be 6 Arabic digits, e.g. 000001")
    for key, value in (("date", official.date), ("print_date", official.print_date)):
        if value and _LEADING_ZERO_DATE.search(value):
            fixed = re.sub(r"(?<=[年月])0(\d)", r"\1", value)
            yield Finding(at(key), f"date '{value}' has leading zeros; GB/T 9704 writes '{fixed}'")
    if official.recipients and not official.recipients_in_record and not official.recipients.endswith("："):
        ascii_colon = official.recipients.endswith(":")
        yield Finding(
            at("recipients"),
            f"主送 '{official.recipients}' should end with a full-width colon '：'"
            + (" (not the ASCII ':')" if ascii_colon else ""),
        )
    yield from _attachments(doc, official, at("attachments"))
    yield from _dates_in_text(doc, official, where)
    if official.copy_to and not official.copy_to.endswith("。"):
        yield Finding(at("copy_to"), "抄送 ends with '。' after the last organ (added when printed)")


def _dates_in_text(doc: Document, official: Official, where: SourcePos) -> Iterator[Finding]:
    """Dates with leading zeros in the body and the attachments' pages (2024年02月20日)."""
    paras = [*doc.paragraphs(), *(para for attachment in official.attachments for para in attachment.body)]
    for para in paras:
        for match in _DATE_IN_TEXT.finditer(para.text):
            if _LEADING_ZERO_DATE.search(match.group(0)):
                fixed = re.sub(r"(?<=[年月])0(\d)", r"\1", match.group(0))
                yield Finding(para.pos or where, f"date '{match.group(0)}' has leading zeros; GB/T 9704 writes '{fixed}'")


def _number_message(value: str) -> str:
    checks = (
        ("第" in value, "drop '第'"),
        (bool(re.search(r"[\[\]()（）【】]", value)), "put the year in 六角括号 〔〕"),
        (bool(re.search(r"(?<!\d)0\d+号", value)), "no leading zeros in the sequence number"),
        (bool(re.search(r"[〔\[(（【]\d{2}[〕\])）】]", value)), "write the full year"),
        (not value.endswith("号"), "end with 号"),
    )
    hints = [hint for wrong, hint in checks if wrong] or ["write it as 机关代字〔年份〕序号号"]
    return f"发文字号 '{value}' is not in the form 机关代字〔2024〕3号: {'; '.join(hints)}"


def _attachments(doc: Document, official: Official, where: SourcePos) -> Iterator[Finding]:
    count = len(official.attachments)
    for attachment in official.attachments:
        pos = attachment.pos or where
        if attachment.name.endswith(tuple(_FINAL_PUNCTUATION)):
            yield Finding(pos, f"附件说明 '{attachment.name}' ends with punctuation; attachment names take none")
        if attachment.title and attachment.title != attachment.name:
            yield Finding(pos, f"attachment title '{attachment.title}' differs from its 附件说明 entry '{attachment.name}'")
    for para in doc.paragraphs():
        for match in _ATTACHMENT_REFERENCE.finditer(para.text):
            if int(match.group(1)) > count or count == 1:
                listed = f"{count} attachment{'s' if count != 1 else ''}"
                hint = " (a single attachment is 附件, without a number)" if count == 1 else ""
                yield Finding(para.pos or where, f"the text refers to {match.group(0)} but the 附件说明 lists {listed}{hint}")
