"""The outline as the page edits it: a JSON tree with printed labels, and back to outline YAML.

The page never writes YAML itself: it sends the edited tree, :func:`outline_yaml` writes the
outline, and the reader validates that text like any file. So an edit in the tree and the
same edit typed in the YAML source give the same outline, and the same files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml

from ..errors import BriefexportError
from ..model import MAX_LEVEL, Para
from ..numbering import NumberedDocument, NumberedNode

__all__ = ["TreeError", "outline_yaml", "tree_of"]

#: Metadata keys the tree carries, in the order the YAML writes them.
META_KEYS = ("title", "subtitle", "author", "date", "lang", "keywords", "source")


class TreeError(BriefexportError):
    """The edited tree the page sent is not shaped like an outline."""


def _source(para: Para) -> str:
    """A paragraph as the user writes it: bold spans get their ``**`` back."""
    return "".join(f"**{span.text}**" if span.bold else span.text for span in para.spans)


def _node(item: NumberedNode) -> dict[str, Any]:
    node = item.node
    numbering = node.child_numbering
    return {
        "label": item.label or "",
        "title": _source(node.title),
        "kicker": node.kicker or "",
        "body": [_source(para) for para in node.body],
        "numbering": numbering if isinstance(numbering, str) else numbering.source,
        "line": node.pos.line if node.pos else None,
        "items": [_node(child) for child in item.children],
    }


#: Top-level keys the tree edits; any other (such as ``official:``) is carried through as its YAML text.
MODELLED = frozenset({*META_KEYS, "numbering", "lead", "sections"})


def kept_blocks(text: str) -> list[str]:
    """The YAML text of each top-level entry the tree does not edit, so that a tree edit keeps it as written."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return []
    blocks = []
    for key, value in root.value:
        if key.value not in MODELLED:
            start = text.rfind("\n", 0, key.start_mark.index) + 1  # from the start of the key's line
            blocks.append(text[start : value.end_mark.index].rstrip() + "\n")
    return blocks


def tree_of(numbered: NumberedDocument, source: str = "") -> dict[str, Any]:
    """The outline as JSON for the page: metadata, lead, every node with its printed label, untouched entries."""
    doc = numbered.doc
    meta = doc.meta
    return {
        "meta": {
            # The title's own line breaks (title: |) travel as "\n", which the writer below quotes back.
            "title": "\n".join(meta.title_shown), "subtitle": meta.subtitle or "", "author": meta.author or "",
            "date": meta.date.isoformat() if meta.date else "", "lang": meta.lang,
            "keywords": "，".join(meta.keywords), "source": meta.source or "",
        },
        "numbering": [template.source if template else "none" for template in doc.level_numbering],
        "lead": [_source(para) for para in doc.lead],
        "sections": [_node(item) for item in numbered.sections],
        "kept": kept_blocks(source) if source else [],
    }


# -- tree → YAML --------------------------------------------------------------


def _quoted(text: str) -> str:
    """A double-quoted YAML scalar (a JSON string is one), Unicode kept as is."""
    return json.dumps(text, ensure_ascii=False)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise TreeError(f"{where} must be text")
    return value


def _texts(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise TreeError(f"{where} must be a list of paragraphs")
    return [_text(item, where) for item in value]


def _paras(key: str, paras: list[str], indent: str) -> list[str]:
    paras = [para for para in paras if para.strip()]
    if not paras:
        return []
    if len(paras) == 1:
        return [f"{indent}{key}: {_quoted(paras[0])}"]
    return [f"{indent}{key}:", *(f"{indent}  - {_quoted(para)}" for para in paras)]


def _entry(node: Any, level: int, indent: str) -> list[str]:
    if not isinstance(node, Mapping):
        raise TreeError(f"an entry at level {level} must be an object")
    if level > MAX_LEVEL:
        raise TreeError(f"items go at most {MAX_LEVEL} levels deep")
    inner = indent + "  "
    lines = [f"{indent}- title: {_quoted(_text(node.get('title', ''), 'a title'))}"]
    kicker = _text(node.get("kicker") or "", "a kicker")
    if kicker.strip():
        lines.append(f"{inner}kicker: {_quoted(kicker)}")
    lines += _paras("body", _texts(node.get("body", []), "a body"), inner)
    items = node.get("items") or []
    if not isinstance(items, list):
        raise TreeError("items must be a list")
    numbering = _text(node.get("numbering") or "default", "a numbering template")
    if items and numbering != "default":
        lines.append(f"{inner}numbering: {_quoted(numbering)}")
    if items:
        lines.append(f"{inner}items:")
        for item in items:
            lines += _entry(item, level + 1, inner + "  ")
    return lines


def _meta_lines(meta: Any) -> list[str]:
    if not isinstance(meta, Mapping):
        raise TreeError("meta must be an object")
    lines = []
    for key in META_KEYS:
        value = _text(meta.get(key) or "", key)
        if value.strip() or key == "title":
            # A date stays unquoted so the reader parses it as a date (and checks it).
            lines.append(f"{key}: {value}" if key == "date" else f"{key}: {_quoted(value)}")
    return lines


def outline_yaml(tree: Any) -> str:
    """Write the page's edited tree as outline YAML (validated afterwards by the reader)."""
    if not isinstance(tree, Mapping):
        raise TreeError("the outline must be an object with meta, lead and sections")
    lines = _meta_lines(tree.get("meta", {}))
    numbering = tree.get("numbering")
    if numbering:
        lines.append(f"numbering: [{', '.join(_quoted(_text(item, 'a numbering template')) for item in numbering)}]")
    lead = [para for para in _texts(tree.get("lead", []), "the lead") if para.strip()]
    if lead:
        lines += ["lead:", *(f"  - {_quoted(para)}" for para in lead)]
    sections = tree.get("sections") or []
    if not isinstance(sections, list):
        raise TreeError("sections must be a list")
    if sections:
        lines.append("sections:")
        for section in sections:
            lines += _entry(section, 1, "  ")
    kept = "".join(_text(block, "a kept entry") for block in tree.get("kept") or [])
    return "\n".join(lines) + "\n" + kept
