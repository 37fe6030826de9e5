"""Transform a document into a numbered document: every heading gets its label once."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from .model import Document, LabelTemplate, Node

__all__ = [
    "COUNTERS",
    "DEFAULT_LEVEL_TEMPLATES",
    "NumberedDocument",
    "NumberedNode",
    "TemplateError",
    "chinese_numeral",
    "format_counter",
    "number",
    "parse_template",
    "roman_numeral",
]

_DIGITS = "零一二三四五六七八九"
_SMALL_UNITS = ("", "十", "百", "千")
_BIG_UNITS = ("", "万", "亿", "万亿")


def _chinese_below_10000(n: int) -> str:
    digits = [int(d) for d in f"{n:04d}"]
    out: list[str] = []
    pending_zero = False
    for position, digit in enumerate(digits):
        unit = _SMALL_UNITS[3 - position]
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(_DIGITS[digit] + unit)
    return "".join(out)


def chinese_numeral(n: int) -> str:
    """Write a positive integer in Chinese counting numerals: 11 → 十一, 101 → 一百零一."""
    if n <= 0:
        raise ValueError(f"Chinese numerals start at 1 (got {n})")
    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    if len(groups) > len(_BIG_UNITS):
        raise ValueError("number too large for Chinese numerals")
    out = ""
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or group < 1000):
            out += "零"
        out += _chinese_below_10000(group) + _BIG_UNITS[index]
        need_zero = False
    # 10–19 read 十, 十一 … rather than 一十, 一十一 (as Word's chineseCounting does).
    if out.startswith("一十"):
        out = out[1:]
    return out


_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)


def roman_numeral(n: int) -> str:
    """Write a positive integer in upper-case Roman numerals."""
    if n <= 0:
        raise ValueError(f"Roman numerals start at 1 (got {n})")
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


COUNTERS: Mapping[str, Callable[[int], str]] = {
    "cn": chinese_numeral,
    "n": str,
    "roman": roman_numeral,
}

DEFAULT_LEVEL_TEMPLATES: tuple[str, ...] = ("{cn}、", "（{cn}）", "{n}.", "（{n}）")
"""GB/T 9704-2012 heading labels for levels 1–4."""


def format_counter(n: int, counter: str) -> str:
    """Format ``n`` with the named counter (``cn``, ``n`` or ``roman``)."""
    return COUNTERS[counter](n)


class TemplateError(ValueError):
    """A numbering template is malformed; the message says how."""


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def parse_template(source: str) -> LabelTemplate:
    """Parse ``第{cn}条`` into prefix, counter and suffix; raise TemplateError if malformed."""
    placeholders = list(_PLACEHOLDER.finditer(source))
    known = ", ".join(f"{{{name}}}" for name in COUNTERS)
    if not placeholders:
        raise TemplateError(f"numbering template {source!r} has no counter; use one of {known}, or none")
    if len(placeholders) > 1:
        raise TemplateError(f"numbering template {source!r} has more than one counter")
    match = placeholders[0]
    if match.group(1) not in COUNTERS:
        raise TemplateError(f"unknown placeholder {match.group(0)} in numbering template {source!r}; use one of {known}")
    prefix, suffix = source[: match.start()], source[match.end() :]
    if "{" in prefix + suffix or "}" in prefix + suffix:
        raise TemplateError(f"unbalanced brace in numbering template {source!r}")
    return LabelTemplate(prefix=prefix, counter=match.group(1), suffix=suffix)


def render_label(template: LabelTemplate, ordinal: int) -> str:
    """The label for the ``ordinal``-th item under ``template``."""
    return f"{template.prefix}{format_counter(ordinal, template.counter)}{template.suffix}"


@dataclass(frozen=True, slots=True)
class NumberedNode:
    """A node with its computed label; renderers print labels and never count."""

    node: Node
    label: str | None
    template: LabelTemplate | None
    """The template the label came from (None when unnumbered)."""
    ordinal: int
    """1-based position among its numbered siblings (0 when unnumbered)."""
    path: tuple[int, ...]
    """Index path from the root (0-based positions among all siblings); unique per node."""
    children: tuple[NumberedNode, ...]

    @property
    def level(self) -> int:
        return self.node.level

    @property
    def heading(self) -> str:
        """Label and title as one string, the way a reader sees the heading."""
        return f"{self.label or ''}{self.node.title.text}"

    def heading_with(self, separator: str) -> str:
        """Label, the theme's separator (only after a label) and title, as printed."""
        return f"{self.label}{separator}{self.node.title.text}" if self.label else self.node.title.text


@dataclass(frozen=True, slots=True)
class NumberedDocument:
    """A document whose headings carry their labels."""

    doc: Document
    sections: tuple[NumberedNode, ...]

    def walk(self) -> Iterator[NumberedNode]:
        """All numbered nodes in reading order (pre-order)."""
        stack = list(reversed(self.sections))
        while stack:
            item = stack.pop()
            yield item
            stack.extend(reversed(item.children))

    def labels(self) -> list[str]:
        """Headings as ``label + title``, in reading order."""
        return [item.heading for item in self.walk()]


def _template_for(level: int, parent_rule: LabelTemplate | str, doc: Document) -> LabelTemplate | None:
    if parent_rule == "none":
        return None
    if isinstance(parent_rule, LabelTemplate):
        return parent_rule
    defaults = doc.level_numbering
    return defaults[level - 1] if level - 1 < len(defaults) else None


def _number_siblings(
    nodes: tuple[Node, ...], rule: LabelTemplate | str, doc: Document, path: tuple[int, ...]
) -> tuple[NumberedNode, ...]:
    numbered: list[NumberedNode] = []
    ordinal = 0
    for index, node in enumerate(nodes):
        template = _template_for(node.level, rule, doc)
        label = None
        if template is not None:
            ordinal += 1
            label = render_label(template, ordinal)
        node_path = (*path, index)
        children = _number_siblings(node.children, node.child_numbering, doc, node_path)
        numbered.append(NumberedNode(node, label, template, ordinal if label else 0, node_path, children))
    return tuple(numbered)


def number(doc: Document) -> NumberedDocument:
    """Compute every heading's label; counters restart under each parent."""
    return NumberedDocument(doc=doc, sections=_number_siblings(doc.sections, "default", doc, ()))
