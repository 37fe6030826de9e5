"""Plan Word list numbering that prints exactly the labels numbering.py computed.

Design: one abstract list (``w:abstractNum``) per distinct (level, label template), and one
list instance (``w:num``, restarting at 1) per parent whose children are numbered, so the
six 一是 … 六是 and the eight 重点任务一： … 重点任务八： each count from 一. A heading's
``ilvl`` is its level − 1, and its ``lvlText`` is the template with ``%<ilvl+1>`` in place
of the counter (``{cn}是`` at level 2 → ``%2是``).

Where Word numbering cannot express a template, the heading is written with its label as
literal text in the heading run and no list (``numId`` 0 when its style is numbered):

* the template's own text contains ``%`` (Word reads it as a level placeholder);
* a ``{cn}`` list runs past 99 items (``chineseCounting`` is only checked against
  :func:`numbering.chinese_numeral` up to 99);
* the theme says ``docx: {native_numbering: false}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...model import MAX_LEVEL, LabelTemplate
from ...numbering import NumberedDocument, NumberedNode
from ._oxml import WORD_FORMATS, ListDef, ListLevel

if TYPE_CHECKING:
    from ...theme.loader import Theme
    from ._geometry import Geometry

__all__ = ["HeadingNumber", "NumberingPlan", "level_text", "plan_numbering"]

CHINESE_COUNTING_CHECKED_UP_TO = 99


@dataclass(frozen=True, slots=True)
class HeadingNumber:
    """The list a heading paragraph belongs to; ``num_id`` 0 switches a style's numbering off."""

    num_id: int
    ilvl: int


@dataclass(frozen=True, slots=True)
class NumberingPlan:
    """What to write into numbering.xml, the heading styles and each heading paragraph."""

    lists: tuple[ListDef, ...] = ()
    nums: tuple[tuple[int, int, int], ...] = ()
    """(numId, abstractNumId, ilvl that restarts at 1)."""
    headings: Mapping[tuple[int, ...], HeadingNumber] = field(default_factory=dict)
    """By node path; a path missing here has no numPr (and no numbered style)."""
    style_nums: Mapping[int, int] = field(default_factory=dict)
    """Heading level → numId linked to that Heading style (the level's default template)."""


def level_text(template: LabelTemplate, ilvl: int) -> str | None:
    """``w:lvlText`` for a template at ``ilvl`` (``（{cn}）`` at 1 → ``（%2）``), or None if inexpressible."""
    if "%" in template.prefix + template.suffix:
        return None
    return f"{template.prefix}%{ilvl + 1}{template.suffix}"


def _expressible(template: LabelTemplate, count: int) -> bool:
    if template.counter == "cn" and count > CHINESE_COUNTING_CHECKED_UP_TO:
        return False
    return level_text(template, 0) is not None


class _Planner:
    """Collects abstract lists and instances while walking the tree (ids allocated in reading order)."""

    def __init__(self, doc: NumberedDocument, theme: Theme, geometry: Geometry, abstract_id: int, num_id: int) -> None:
        self.doc, self.theme, self.geometry = doc, theme, geometry
        self.next_abstract, self.next_num = abstract_id, num_id
        self.abstract_ids: dict[tuple[int, LabelTemplate], int] = {}
        self.lists: list[ListDef] = []
        self.nums: list[tuple[int, int, int]] = []
        self.first_num: dict[tuple[int, LabelTemplate], int] = {}

    def default(self, level: int) -> LabelTemplate | None:
        defaults = self.doc.doc.level_numbering
        return defaults[level - 1] if level - 1 < len(defaults) else None

    def _level(self, ilvl: int, template: LabelTemplate | None) -> ListLevel:
        style = self.theme.style(self.theme.heading_role(ilvl + 1))
        text = level_text(template, ilvl) if template else None
        indent_twips = round(style.indent * self.geometry.char_width(style) * 20)
        if template is None or text is None:
            return ListLevel(ilvl, "none", "", style.fonts[0], style.indent, indent_twips)
        return ListLevel(ilvl, WORD_FORMATS[template.counter], text, style.fonts[0], style.indent, indent_twips)

    def abstract(self, level: int, template: LabelTemplate) -> int:
        """The abstract list for ``template`` at ``level``; its other levels use the default templates."""
        key = (level, template)
        if key not in self.abstract_ids:
            levels = tuple(self._level(k, template if k == level - 1 else self.default(k + 1)) for k in range(MAX_LEVEL))
            self.abstract_ids[key] = self.next_abstract
            self.lists.append(ListDef(self.next_abstract, levels))
            self.next_abstract += 1
        return self.abstract_ids[key]

    def instance(self, level: int, template: LabelTemplate) -> int:
        """A fresh list instance that counts from 1."""
        num_id = self.next_num
        self.next_num += 1
        self.nums.append((num_id, self.abstract(level, template), level - 1))
        self.first_num.setdefault((level, template), num_id)
        return num_id


def _sibling_groups(doc: NumberedDocument) -> list[list[NumberedNode]]:
    """Children of the root and of each node, split by template: each group is one list."""
    groups: list[list[NumberedNode]] = []
    parents: list[tuple[NumberedNode, ...]] = [doc.sections, *(item.children for item in doc.walk())]
    for children in parents:
        by_template: dict[LabelTemplate, list[NumberedNode]] = {}
        for child in children:
            if child.template is not None and child.label is not None:
                by_template.setdefault(child.template, []).append(child)
        groups.extend(by_template.values())
    return groups


def plan_numbering(doc: NumberedDocument, theme: Theme, geometry: Geometry, abstract_id: int, num_id: int) -> NumberingPlan:
    """Decide every heading's list membership; see the module docstring for the design."""
    if (theme.docx or {}).get("native_numbering") is False:
        return NumberingPlan()
    planner = _Planner(doc, theme, geometry, abstract_id, num_id)
    headings: dict[tuple[int, ...], HeadingNumber] = {}
    for group in _sibling_groups(doc):
        template, level = group[0].template, group[0].level
        assert template is not None
        if not _expressible(template, len(group)):
            continue
        num = planner.instance(level, template)
        headings.update({item.path: HeadingNumber(num, level - 1) for item in group})
    style_nums: dict[int, int] = {}
    for level in range(1, MAX_LEVEL + 1):
        default = planner.default(level)
        if default is not None and _expressible(default, 0):
            style_nums[level] = planner.first_num.get((level, default)) or planner.instance(level, default)
    for item in doc.walk():
        if item.path not in headings and min(item.level, MAX_LEVEL) in style_nums:
            headings[item.path] = HeadingNumber(0, 0)  # switch the style's numbering off
    return NumberingPlan(tuple(planner.lists), tuple(planner.nums), headings, style_nums)
