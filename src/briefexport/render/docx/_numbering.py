"""Plan Word list numbering that prints exactly the labels numbering.py computed.

Design: numbering lives on the heading *styles*, so that a heading made the ordinary way
(picking its style in the style box, pasting, deleting, moving) is numbered by the word
processor like its neighbours.

* **One outline list for the levels' default templates.** One ``w:abstractNum`` whose level
  k is the default template of level k + 1 (``%1、``, ``（%2）``, ``%3.``, ``（%4）``), each
  ``w:lvl`` naming its style (``w:pStyle`` = Heading k + 1), and one ``w:num`` that the
  Heading 1…4 styles carry in their ``w:numPr``. Their paragraphs carry no ``w:numPr`` of
  their own: they are numbered through the style. A deeper level restarts whenever a higher
  level of the same list is used (``w:lvlRestart`` omitted), which is how （一） counts from
  一 again under every 一、.
* **One derived style per other template.** A section whose children use another template
  (``{cn}是``, ``重点任务{cn}：``) gives them a paragraph style *based on* the level's
  heading style, with the same outline level (navigation pane, TOC), named after the
  template ("Heading 2 · 一是"), linked to its own ``w:abstractNum`` (that level holds the
  template, with ``w:pStyle`` naming the derived style) and ``w:num``. So "the style of
  the heading above" numbers a new heading 七是 or 重点任务九：.
* **Where counting through styles would print another label** (the same template under
  two parents, a child of a heading that is not in the outline list, a list whose parent is
  unnumbered), the planner finds it by counting the way the word processors do (below), and
  gives that sibling group its own ``w:abstractNum`` and a ``w:num`` whose
  ``w:lvlOverride``/``w:startOverride`` restarts at 1, on the paragraphs' own ``w:numPr``.
  Such a group renumbers on paste and delete, but a heading added to it from the style
  box joins the style's list instead.

How the word processors count, and why the design holds in each:

* **Word** (ECMA-376 Part 1 §17.9, Microsoft's [MS-OI29500] notes): counters belong to
  the abstract list, and every ``w:num`` without overrides that points at it continues the
  same count; a ``w:num`` with ``w:startOverride`` starts its own count at that value.
  A level restarts when that level *or any higher level* of the list is used. Here every
  ``w:abstractNum`` has exactly one ``w:num``, so that sharing never comes into play; the
  outline list's restarts are the rule above.
* **LibreOffice** (verified with 7.4.7 through UNO, tests/test_docx_editing.py: style box,
  style set after body text, paste, cut and paste, delete, in handout and gongwen): each
  ``w:num`` becomes a list; a paragraph style with ``w:numPr`` becomes a style with that
  list, so applying it from the style box numbers the paragraph; deeper levels restart
  under a higher level of the same list.
* **WPS** (not verified: no WPS here) imports DOCX numbering after Word's model; the design
  uses only what Word itself writes for heading styles with outline numbering (style
  ``w:numPr`` plus ``w:pStyle`` on the list level), nothing LibreOffice-specific.

Labels Word numbering cannot express are written as literal text in the heading run, with
``numId`` 0 to switch the style's numbering off:

* the template's own text contains ``%`` (Word reads it as a level placeholder);
* the theme says ``docx: {native_numbering: false}``.

``{cn}`` lists up to 99 items use ``chineseCounting``; longer ones ``chineseCountingThousand``,
whose 一百, 一百零一 … 一千零一十 are numbering.py's :func:`chinese_numeral` (checked in
LibreOffice from 1 to 1,011; Word's digits for it rest on ECMA-376 §17.18.59).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...model import MAX_LEVEL, LabelTemplate
from ...numbering import NumberedDocument, NumberedNode
from ._oxml import ListDef, ListLevel, NumDef, word_format

if TYPE_CHECKING:
    from ...theme.loader import Theme
    from ._geometry import Geometry

__all__ = ["DerivedStyle", "HeadingNumber", "NumberingPlan", "heading_style_name", "level_text", "plan_numbering"]

HEADING_STYLE = "Heading {level}"


def heading_style_name(level: int) -> str:
    """The built-in Word heading style of a level (levels past 4 use Heading 4)."""
    return HEADING_STYLE.format(level=min(level, MAX_LEVEL))


@dataclass(frozen=True, slots=True)
class HeadingNumber:
    """The list a heading paragraph itself names; ``num_id`` 0 switches its style's numbering off."""

    num_id: int
    ilvl: int


@dataclass(frozen=True, slots=True)
class DerivedStyle:
    """A heading style for a template other than its level's default, numbered through ``num_id``."""

    name: str
    level: int
    num_id: int


@dataclass(frozen=True, slots=True)
class NumberingPlan:
    """What to write into numbering.xml, the heading styles and each heading paragraph."""

    lists: tuple[ListDef, ...] = ()
    nums: tuple[NumDef, ...] = ()
    headings: Mapping[tuple[int, ...], HeadingNumber] = field(default_factory=dict)
    """By node path: a ``w:numPr`` on the paragraph itself; a path missing here is numbered by its style."""
    styles: Mapping[tuple[int, ...], str] = field(default_factory=dict)
    """By node path: the paragraph style name, when it is a derived style."""
    style_nums: Mapping[int, int] = field(default_factory=dict)
    """Heading level → numId of the outline list, linked to that Heading style."""
    derived: tuple[DerivedStyle, ...] = ()
    listed: frozenset[tuple[int, ...]] = frozenset()
    """Paths of the headings Word numbers (through their style or their own ``w:numPr``)."""

    def numbered(self, item: NumberedNode) -> bool:
        """True when Word prints this heading's label; else the label is written as text."""
        return item.path in self.listed


def level_text(template: LabelTemplate, ilvl: int) -> str | None:
    """``w:lvlText`` for a template at ``ilvl`` (``（{cn}）`` at 1 → ``（%2）``), or None if inexpressible."""
    if "%" in template.prefix + template.suffix:
        return None
    return f"{template.prefix}%{ilvl + 1}{template.suffix}"


def _derived_name(level: int, template: LabelTemplate) -> str:
    """"Heading 2 · 一是": the level's style and the template's first label, as the style box lists it."""
    sample = template.source.replace("{cn}", "一").replace("{n}", "1").replace("{roman}", "I")
    return f"{heading_style_name(level)} · {sample.strip()}"


@dataclass(frozen=True, slots=True)
class _Group:
    """Siblings numbered by one template: one list's worth of labels."""

    level: int
    template: LabelTemplate
    items: tuple[NumberedNode, ...]


def _sibling_groups(doc: NumberedDocument) -> list[_Group]:
    """Children of the root and of each node, split by template, in reading order of their first item."""
    groups: list[_Group] = []
    parents: list[tuple[NumberedNode, ...]] = [doc.sections, *(item.children for item in doc.walk())]
    for children in parents:
        by_template: dict[LabelTemplate, list[NumberedNode]] = {}
        for child in children:
            if child.template is not None and child.label is not None:
                by_template.setdefault(child.template, []).append(child)
        groups.extend(_Group(items[0].level, template, tuple(items)) for template, items in by_template.items())
    return groups


class _Planner:
    """Allocates abstract lists, instances and derived styles (ids in reading order)."""

    def __init__(self, doc: NumberedDocument, theme: Theme, geometry: Geometry, abstract_id: int, num_id: int) -> None:
        self.doc, self.theme, self.geometry = doc, theme, geometry
        self.next_abstract, self.next_num = abstract_id, num_id
        self.lists: list[ListDef] = []
        self.nums: list[NumDef] = []
        self.longest: dict[tuple[int, LabelTemplate], int] = {}

    def default(self, level: int) -> LabelTemplate | None:
        defaults = self.doc.doc.level_numbering
        return defaults[level - 1] if level - 1 < len(defaults) else None

    def level(self, ilvl: int, template: LabelTemplate | None, style: str | None) -> ListLevel:
        """One ``w:lvl``: the template's text, the theme's separator, the heading's indent."""
        text_style = self.theme.style(self.theme.heading_role(ilvl + 1))
        text = level_text(template, ilvl) if template else None
        indent_twips = round(text_style.indent * self.geometry.char_width(text_style) * 20)
        separator = self.theme.label_separator(ilvl + 1)
        if template is None or text is None:
            return ListLevel(ilvl, "none", "", separator, text_style.indent, indent_twips, style)
        count = self.longest.get((ilvl + 1, template), 0)
        return ListLevel(ilvl, word_format(template.counter, count), text, separator, text_style.indent, indent_twips, style)

    def add_list(self, levels: Iterable[ListLevel], *, restart: int | None = None) -> int:
        """A new abstract list with one instance (restarting ``restart`` at 1 when given); its numId."""
        self.lists.append(ListDef(self.next_abstract, tuple(levels)))
        self.nums.append(NumDef(self.next_num, self.next_abstract, restart))
        self.next_abstract += 1
        self.next_num += 1
        return self.next_num - 1

    def outline_list(self) -> int:
        """The list of the levels' default templates, each level linked to its Heading style."""
        return self.add_list(self.level(k, self.default(k + 1), heading_style_name(k + 1)) for k in range(MAX_LEVEL))

    def template_list(self, level: int, template: LabelTemplate, style: str | None, *, restart: bool = False) -> int:
        """A list whose ``level`` holds ``template`` (linked to ``style``); its other levels are the defaults."""
        levels = (
            self.level(k, template, style) if k == level - 1 else self.level(k, self.default(k + 1), None)
            for k in range(MAX_LEVEL)
        )
        return self.add_list(levels, restart=level - 1 if restart else None)


def _expressible(template: LabelTemplate) -> bool:
    return level_text(template, 0) is not None


def _counted_labels(doc: NumberedDocument, membership: Mapping[tuple[int, ...], tuple[int, int]]) -> dict[tuple[int, ...], int]:
    """The ordinal each listed heading gets when counted per list: a level restarts under a higher one."""
    counters: dict[int, dict[int, int]] = {}
    out: dict[tuple[int, ...], int] = {}
    for item in doc.walk():
        if item.path not in membership:
            continue
        num_id, ilvl = membership[item.path]
        levels = counters.setdefault(num_id, {})
        levels[ilvl] = levels.get(ilvl, 0) + 1
        for deeper in [k for k in levels if k > ilvl]:
            del levels[deeper]
        out[item.path] = levels[ilvl]
    return out


Membership = dict[tuple[int, ...], tuple[int, int]]
"""Node path → (numId, ilvl) of the list that numbers the heading."""


def _through_styles(planner: _Planner, groups: list[_Group], outline: int) -> tuple[Membership, dict[tuple[int, LabelTemplate], DerivedStyle]]:
    """Every group on its style's list: the outline list for a level's default template, else a derived style's."""
    derived: dict[tuple[int, LabelTemplate], DerivedStyle] = {}
    membership: Membership = {}
    for group in groups:
        key = (min(group.level, MAX_LEVEL), group.template)
        if group.template == planner.default(key[0]):
            num = outline
        else:
            if key not in derived:
                name = _derived_name(*key)
                derived[key] = DerivedStyle(name, key[0], planner.template_list(key[0], group.template, name))
            num = derived[key].num_id
        membership.update({item.path: (num, key[0] - 1) for item in group.items})
    return membership, derived


def _restart_miscounted(doc: NumberedDocument, planner: _Planner, groups: list[_Group], membership: Membership) -> dict[tuple[int, ...], HeadingNumber]:
    """Give each group whose count through its style differs from numbering.py a restarting list of its own."""
    own: dict[tuple[int, ...], HeadingNumber] = {}
    for _ in groups:  # each pass moves at least one group; usually none or one pass
        counted = _counted_labels(doc, membership)
        # A group already on a list of its own counts 1…n there; only the others can be wrong.
        wrong = [g for g in groups if g.items[0].path not in own and any(counted[it.path] != it.ordinal for it in g.items)]
        if not wrong:
            break
        for group in wrong:
            ilvl = min(group.level, MAX_LEVEL) - 1
            num = planner.template_list(ilvl + 1, group.template, None, restart=True)
            for item in group.items:
                membership[item.path] = (num, ilvl)
                own[item.path] = HeadingNumber(num, ilvl)
    return own


def plan_numbering(doc: NumberedDocument, theme: Theme, geometry: Geometry, abstract_id: int, num_id: int) -> NumberingPlan:
    """Decide every heading's style and list membership; see the module docstring for the design."""
    if (theme.docx or {}).get("native_numbering") is False:
        return NumberingPlan()
    planner = _Planner(doc, theme, geometry, abstract_id, num_id)
    groups = [group for group in _sibling_groups(doc) if _expressible(group.template)]
    for group in groups:
        key = (group.level, group.template)
        planner.longest[key] = max(planner.longest.get(key, 0), len(group.items))
    outline = planner.outline_list()
    style_nums = {level: outline for level in range(1, MAX_LEVEL + 1) if planner.default(level) is not None}
    membership, derived = _through_styles(planner, groups, outline)
    own = _restart_miscounted(doc, planner, groups, membership)
    styles = {item.path: derived[key].name for g in groups if (key := (min(g.level, MAX_LEVEL), g.template)) in derived for item in g.items}
    for item in doc.walk():
        if item.path not in membership and min(item.level, MAX_LEVEL) in style_nums:
            own[item.path] = HeadingNumber(0, 0)  # switch the style's numbering off
    return NumberingPlan(tuple(planner.lists), tuple(planner.nums), own, styles, style_nums, tuple(derived.values()), frozenset(membership))
