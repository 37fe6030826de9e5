"""Subset a font file to the glyphs of some text, renaming it when its licence reserves its name.

fontTools is imported only here, and only when a subset is asked for (EPUB font embedding).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import FontError

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

__all__ = ["subset_font"]

_RESERVED_RE = re.compile(r"Reserved\s+Font\s+Names?\s*(.*)", re.IGNORECASE | re.DOTALL)
_QUOTED_RE = re.compile(r"[\"“'‘]([^\"”'’]{2,40})[\"”'’]")
# Reserved names known although the font's own name table does not state them.
_KNOWN_RESERVED = ("LXGW", "霞鹜")
# Preferred replacement names (checked before the generic token replacement).
_RENAMES = (("LXGW WenKai", "BriefKai"), ("LXGWWenKai", "BriefKai"), ("霞鹜文楷", "简报楷体"))


def subset_options(*, flavor: str | None = None, drop: frozenset[str] = frozenset(), recalc_bounds: bool = False) -> Any:
    """fontTools subsetting options for embedding: all names kept, no layout tables, no hinting.

    ``fonts/tools/build_fonts.py`` uses the same options for the bundled fonts (dropping MATH too).
    """
    from fontTools import subset

    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.name_legacy = True
    options.notdef_glyph = True
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = False
    options.legacy_kern = False
    options.recalc_timestamp = False
    if recalc_bounds:
        options.recalc_bounds = True
    options.prune_unicode_ranges = True
    options.drop_tables = sorted(set(options.drop_tables) | {"BASE", "GSUB", "GPOS", "GDEF", "JSTF", "DSIG"} | drop)
    if flavor is not None:
        options.flavor = flavor
    return options


def subset_font(path: Path, font_number: int, chars: str, *, flavor: str | None) -> bytes:
    """The font at ``path`` (sub-font ``font_number`` of a collection, -1 for a single font)
    with only the glyphs of ``chars`` plus .notdef and the space; see ``FontSet.subset_bytes``.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(path, fontNumber=font_number, recalcTimestamp=False, lazy=True)
    except (OSError, TTLibError) as exc:
        raise FontError(f"{path}: cannot read font: {exc}") from None
    options = subset_options(flavor=flavor)
    out = io.BytesIO()
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted({ord(c) for c in chars} | {0x20}))
        subsetter.subset(font)
        _rename_reserved(font)
        font.flavor = flavor
        font.save(out)
    except ImportError as exc:  # brotli missing for woff2
        raise FontError(f"cannot write {flavor}: {exc}") from None
    finally:
        font.close()
    return out.getvalue()


def _rename_reserved(font: TTFont) -> bool:
    """Rename a fontTools font whose licence reserves (part of) its name; True if renamed."""
    name = font["name"]
    notice = " ".join(r.toUnicode() for r in name.names if r.nameID in (0, 13))
    tokens: list[str] = []
    for match in _RESERVED_RE.finditer(notice):
        tail = match.group(1)[:200]
        quoted = _QUOTED_RE.findall(tail.split(".")[0]) or _QUOTED_RE.findall(tail)
        tokens += quoted[:4]
    tokens += _KNOWN_RESERVED
    ids = (1, 3, 4, 6, 16, 18, 21)
    records = [r for r in name.names if r.nameID in ids]
    if not any(t.casefold() in r.toUnicode().casefold() for t in tokens for r in records):
        return False
    for record in records:
        text = record.toUnicode()
        for old, new in _RENAMES:
            text = text.replace(old, new)
        for token in tokens:
            replacement = "Brief" if token.isascii() else "简报"
            text = re.sub(re.escape(token), replacement, text, flags=re.IGNORECASE)
        if record.nameID == 6:
            text = re.sub(r"[^A-Za-z0-9-]", "", text)[:63] or "BriefSubset"
        try:
            record.string = text
            record.toBytes()
        except (UnicodeEncodeError, UnicodeDecodeError):
            record.string = re.sub(r"[^\x20-\x7e]", "", text) or "Brief"
    return True
