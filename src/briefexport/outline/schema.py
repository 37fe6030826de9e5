"""The JSON Schema of outline files, derived from the loader's own key tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import MAX_LEVEL
from .reader import ATTACHMENT_KEYS, DOCUMENT_KEYS, NODE_KEYS, OFFICIAL_KEYS, KeySpec

__all__ = ["outline_schema"]

_TEXT: dict[str, Any] = {"type": ["string", "number"]}
_PARAS: dict[str, Any] = {"anyOf": [_TEXT, {"type": "array", "items": _TEXT}]}
_TEMPLATE: dict[str, Any] = {"type": "string", "pattern": r"^(none|[^{}]*\{(cn|n|roman)\}[^{}]*)$"}


def _node_schema(level: int) -> dict[str, Any]:
    properties = {key: _property(spec, level) for key, spec in NODE_KEYS.items() if key != "items" or level < MAX_LEVEL}
    return {
        "type": "object",
        "title": f"Level {level} {'section' if level == 1 else 'item'}",
        "required": [key for key, spec in NODE_KEYS.items() if spec.required],
        "additionalProperties": False,
        "properties": properties,
    }


def _property(spec: KeySpec, level: int) -> dict[str, Any]:
    if spec.required and spec.kind == "text":
        return {**_TEXT, "pattern": r"\S", "description": spec.description}
    kinds: dict[str, dict[str, Any]] = {
        "text": _TEXT,
        "date": {"type": "string", "format": "date"},
        "texts": {"anyOf": [_TEXT, {"type": "array", "items": _TEXT}]},
        "paras": _PARAS,
        "bool": {"type": "boolean"},
        "date_text": {"type": "string", "pattern": r"^(\d{4}-\d{2}-\d{2}|\d{4}年\d{1,2}月\d{1,2}日)$"},
        "template": _TEMPLATE,
        "level_numbering": {
            "anyOf": [
                {"const": "none"},
                {"type": "array", "items": _TEMPLATE, "maxItems": MAX_LEVEL},
                {"type": "object", "propertyNames": {"enum": [str(n) for n in range(1, MAX_LEVEL + 1)]},
                 "additionalProperties": _TEMPLATE},
            ]
        },
    }
    if spec.kind == "official":
        return _object(OFFICIAL_KEYS, spec.description, "official")
    if spec.kind == "attachments":
        item = _object(ATTACHMENT_KEYS, "附件 An attachment", "attachment")
        return {"type": "array", "description": spec.description, "items": {"anyOf": [_TEXT, item]}}
    if spec.kind == "nodes":
        return {"type": "array", "description": spec.description, "items": {"$ref": f"#/$defs/level{level + 1}"}}
    return {**kinds[spec.kind], "description": spec.description}


def _object(keys: Mapping[str, KeySpec], description: str, title: str) -> dict[str, Any]:
    return {
        "type": "object",
        "title": title,
        "description": description,
        "required": [key for key, spec in keys.items() if spec.required],
        "additionalProperties": False,
        "properties": {key: _property(spec, 0) for key, spec in keys.items()},
    }


def outline_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) that editors can use to validate and complete outlines."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://briefexport.invalid/outline.schema.json",
        "title": "briefexport outline",
        "type": "object",
        "required": [key for key, spec in DOCUMENT_KEYS.items() if spec.required],
        "additionalProperties": False,
        "properties": {key: _property(spec, 0) for key, spec in DOCUMENT_KEYS.items()},
        "$defs": {f"level{level}": _node_schema(level) for level in range(1, MAX_LEVEL + 1)},
    }
