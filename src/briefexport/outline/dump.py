"""Write a numbered document as indented plain text: the format-free view used by tests."""

from __future__ import annotations

from ..model import Para
from ..numbering import NumberedDocument, NumberedNode

__all__ = ["dump"]


def _para_text(para: Para) -> str:
    return "".join(f"**{span.text}**" if span.bold else span.text for span in para.spans)


def _dump_node(item: NumberedNode, lines: list[str]) -> None:
    indent = "  " * (item.level - 1)
    kicker = f"[{item.node.kicker}] " if item.node.kicker else ""
    lines.append(f"{indent}{'#' * item.level} {kicker}{item.label or ''}{_para_text(item.node.title)}")
    lines.extend(f"{indent}  {_para_text(para)}" for para in item.node.body)
    for child in item.children:
        _dump_node(child, lines)


def dump(doc: NumberedDocument) -> str:
    """The document as text: metadata, lead, then headings with labels and indented paragraphs."""
    meta = doc.doc.meta
    lines = [f"title: {meta.title}"]
    for name in ("subtitle", "author", "date", "lang", "source"):
        value = getattr(meta, name)
        if value:
            lines.append(f"{name}: {value}")
    if meta.keywords:
        lines.append(f"keywords: {', '.join(meta.keywords)}")
    lines.extend(_para_text(para) for para in doc.doc.lead)
    for section in doc.sections:
        _dump_node(section, lines)
    return "\n".join(lines) + "\n"
