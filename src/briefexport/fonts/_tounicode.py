"""Patch reportlab so its ToUnicode CMaps map characters outside the BMP correctly."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["fix_reportlab_tounicode"]


def _utf16_hex(cp: int) -> str:
    if 0xD800 <= cp <= 0xDFFF or cp > 0x10FFFF:
        return "%04X" % (cp & 0xFFFF)
    return chr(cp).encode("utf-16-be").hex().upper()


def fix_reportlab_tounicode() -> None:
    """Make reportlab's ToUnicode CMaps map characters outside the BMP correctly.

    reportlab (checked with 4.x and 5.1) writes ``<%04X>`` for every code point, so U+20BB7
    becomes ``<20BB7>``, which viewers read as U+20BB plus garbage: an Ext B ideograph drawn
    by the rare face would come back wrong from text extraction and search. PDF wants UTF-16BE,
    i.e. a surrogate pair (``<D842DFB7>``). The replacement writes exactly what reportlab writes
    for BMP characters. Applied once (idempotent) when a face is registered, and only if the
    installed reportlab still has the bug.
    """
    from reportlab.pdfbase import ttfonts

    original = ttfonts.makeToUnicodeCMap
    if getattr(original, "briefexport_utf16", False):
        return
    if "<D842DFB7>" in original("Probe", [0, 0x20BB7]).upper():  # fixed upstream
        return

    def makeToUnicodeCMap(fontname: str, subset: Sequence[int]) -> str:
        cmap = [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            "<< /Registry (%s)" % fontname,
            "/Ordering (%s)" % fontname,
            "/Supplement 0",
            ">> def",
            "/CMapName /%s def" % fontname,
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<00> <%02X>" % (len(subset) - 1),
            "endcodespacerange",
            "%d beginbfchar" % len(subset),
        ] + ["<%02X> <%s>" % (i, _utf16_hex(v)) for i, v in enumerate(subset)] + [
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
        return "\n".join(cmap)

    makeToUnicodeCMap.briefexport_utf16 = True  # type: ignore[attr-defined]
    makeToUnicodeCMap.__doc__ = original.__doc__
    ttfonts.makeToUnicodeCMap = makeToUnicodeCMap
