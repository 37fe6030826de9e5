"""The document tree: plain, frozen data that knows nothing about output formats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from .errors import SourcePos

__all__ = [
    "MAX_LEVEL",
    "Document",
    "LabelTemplate",
    "Meta",
    "Node",
    "Attachment",
    "Official",
    "Para",
    "Span",
    "SourcePos",
]

#: Deepest heading level an outline may use (一、 / (一) / 1. / (1)).
MAX_LEVEL = 4


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text with uniform emphasis."""

    text: str
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Para:
    """A paragraph (or a heading's text): a sequence of spans."""

    spans: tuple[Span, ...]
    pos: SourcePos | None = None

    @property
    def text(self) -> str:
        """The paragraph's plain text, emphasis dropped."""
        return "".join(span.text for span in self.spans)


@dataclass(frozen=True, slots=True)
class LabelTemplate:
    """A parsed numbering template such as ``重点任务{cn}：`` → prefix, counter, suffix."""

    prefix: str
    counter: str
    """One of ``cn`` (一 二 三), ``n`` (1 2 3), ``roman`` (I II III)."""
    suffix: str

    @property
    def source(self) -> str:
        """The template as the user writes it."""
        return f"{self.prefix}{{{self.counter}}}{self.suffix}"


@dataclass(frozen=True, slots=True)
class Node:
    """A section (level 1) or an item (levels 2–4): a heading, paragraphs, children."""

    title: Para
    level: int
    body: tuple[Para, ...] = ()
    children: tuple[Node, ...] = ()
    kicker: str | None = None
    """A small label shown with the heading, such as 关键点."""
    child_numbering: LabelTemplate | Literal["default", "none"] = "default"
    """How children are labelled: a template, unnumbered, or the level's default."""
    pos: SourcePos | None = None


@dataclass(frozen=True, slots=True)
class Meta:
    """Document metadata, carried into each format's own metadata."""

    title: str
    """The title as one line of text (metadata, TOC, bookmarks): explicit breaks joined away."""
    subtitle: str | None = None
    author: str | None = None
    date: dt.date | None = None
    lang: str = "zh-CN"
    keywords: tuple[str, ...] = ()
    source: str | None = None
    title_lines: tuple[str, ...] = ()
    """The title's lines where the outline breaks it explicitly (``title: |``); empty = no break,
    the renderers break the title where it does not fit."""

    @property
    def title_shown(self) -> tuple[str, ...]:
        """The title's lines as printed on the title page: the explicit ones, else the whole title."""
        return self.title_lines or (self.title,)


@dataclass(frozen=True, slots=True)
class Attachment:
    """One 附件: its name in the 附件说明 and, optionally, its own pages."""

    name: str
    """附件名称 as listed in the 附件说明 (no final punctuation)."""
    title: str | None = None
    """The title on the attachment's own pages; None = the name."""
    body: tuple[Para, ...] = ()
    """The attachment's text; empty = listed only (printed elsewhere or sent separately)."""
    pos: SourcePos | None = None


@dataclass(frozen=True, slots=True)
class Official:
    """The GB/T 9704-2012 elements of an official document (公文) beyond title, date and body.

    Every field is optional. Text is stored as written; renderers place it. ``places``
    records where each key was written, for located warnings.
    """

    copy_number: str | None = None
    """份号, 6 Arabic digits."""
    secrecy: str | None = None
    """密级和保密期限, e.g. 机密★1年."""
    urgency: str | None = None
    """紧急程度: 特急 or 加急."""
    organs: tuple[str, ...] = ()
    """发文机关, several for a joint document (主办机关 first)."""
    mark: tuple[str, ...] = ()
    """发文机关标志 lines; empty = the organs followed by 文件."""
    number: str | None = None
    """发文字号, e.g. 国办发〔2024〕3号."""
    signers: tuple[str, ...] = ()
    """签发人 of an upward document (上行文)."""
    recipients: str | None = None
    """主送机关, ending with a full-width colon."""
    recipients_in_record: bool = False
    """主送 printed in the 版记, above the 抄送, instead of under the title (GB/T 9704 7.4.2: for a
    纪要-like document, or when so many recipients would push the text off the first page)."""
    attachments: tuple[Attachment, ...] = ()
    """附件说明 entries, each with optional pages of its own."""
    signature: tuple[str, ...] = ()
    """发文机关署名; empty = the organs."""
    date: str | None = None
    """成文日期 as printed, e.g. 2024年1月14日 (from the outline's date when not given)."""
    seal: bool = True
    """印章: whether the organ seals the document (decides where 署名 and 成文日期 go)."""
    note: str | None = None
    """附注, printed in （）."""
    copy_to: str | None = None
    """抄送机关."""
    printer: str | None = None
    """印发机关."""
    print_date: str | None = None
    """印发日期 as printed, e.g. 2024年1月15日."""
    places: tuple[tuple[str, SourcePos], ...] = ()
    """Where each key was written (key, position)."""

    def place(self, key: str) -> SourcePos | None:
        """Where ``key`` was written, if it was."""
        return next((pos for name, pos in self.places if name == key), None)

    @property
    def mark_lines(self) -> tuple[str, ...]:
        """The 发文机关标志 as printed: given lines, else each organ (文件 set beside them by renderers)."""
        return self.mark or self.organs

    @property
    def mark_suffix(self) -> str:
        """文件 after the organs when the mark is derived from them, else nothing."""
        return "" if self.mark or not self.organs else "文件"

    @property
    def signed_by(self) -> tuple[str, ...]:
        """发文机关署名 as printed: given, else the organs."""
        return self.signature or self.organs

    @property
    def heading_recipients(self) -> str | None:
        """The 主送 line under the title, ending with ：, unless it moved to the 版记."""
        return None if self.recipients_in_record or not self.recipients else self.recipients.rstrip(":：") + "："

    @property
    def record_lists(self) -> tuple[tuple[str, str], ...]:
        """The 版记's lists as (label, organs ending with 。): 主送 (when moved there) above 抄送."""
        lists = [("主送：", self.recipients if self.recipients_in_record else None), ("抄送：", self.copy_to)]
        return tuple((label, text.rstrip("。.；;，,：:") + "。") for label, text in lists if text)

    @property
    def has_record(self) -> bool:
        """Whether there is a 版记 at all."""
        return bool(self.record_lists or self.printer or self.print_date)


@dataclass(frozen=True, slots=True)
class Document:
    """A whole outline: metadata, lead paragraphs and top-level sections."""

    meta: Meta
    lead: tuple[Para, ...] = ()
    sections: tuple[Node, ...] = ()
    level_numbering: tuple[LabelTemplate | None, ...] = field(default=())
    """Default label template per level (index 0 = level 1); ``None`` = unnumbered."""
    path: str = "<outline>"
    official: Official | None = None
    """The official-document (公文) elements; None = an ordinary handout."""

    def walk(self) -> Iterator[Node]:
        """All nodes in reading order (pre-order)."""
        stack = list(reversed(self.sections))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def paragraphs(self) -> Iterator[Para]:
        """Every paragraph and heading text in reading order."""
        yield from self.lead
        for node in self.walk():
            yield node.title
            yield from node.body
