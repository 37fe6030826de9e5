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
    subtitle: str | None = None
    author: str | None = None
    date: dt.date | None = None
    lang: str = "zh-CN"
    keywords: tuple[str, ...] = ()
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A whole outline: metadata, lead paragraphs and top-level sections."""

    meta: Meta
    lead: tuple[Para, ...] = ()
    sections: tuple[Node, ...] = ()
    level_numbering: tuple[LabelTemplate | None, ...] = field(default=())
    """Default label template per level (index 0 = level 1); ``None`` = unnumbered."""
    path: str = "<outline>"

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
