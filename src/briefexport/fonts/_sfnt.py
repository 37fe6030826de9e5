"""Read sfnt font files (TrueType, OpenType, collections): names, weight, outline kind, cmap.

Just enough of the table directory and the ``name``, ``OS/2`` and ``cmap`` tables to find
faces by name and to know which characters they have, without fontTools or reportlab.
``fonts`` turns the records into faces.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

__all__ = ["FaceRecord", "check_cmap", "cmap_ranges", "norm_name", "read_at", "read_faces"]


@dataclass(frozen=True, slots=True)
class FaceRecord:
    """What one face of a font file says about itself."""

    index: int
    """Sub-font index in a collection, 0 otherwise."""
    family: str
    """Typographic family (name ID 16), else the family (ID 1)."""
    ps_name: str
    """PostScript name (ID 6), else one made from the family."""
    keys: frozenset[str]
    """Normalised names with IDs 1, 4, 6, 16 in every language, for look-up by name."""
    weight: int
    """OS/2 weight class (400 regular, 700 bold)."""
    italic: bool
    outlines: str
    """``"truetype"``, ``"cff"`` or ``"none"``."""
    cmap: tuple[int, int]
    """Absolute offset and length of the cmap table, (0, 0) if none."""
    collection: bool
    """True if the file is a collection (.ttc/.otc)."""


def norm_name(name: str) -> str:
    """A family or face name for comparison: whitespace collapsed, case folded."""
    return " ".join(name.split()).casefold()


_MAC_CODECS = {0: "mac_roman", 1: "shift_jis", 2: "big5", 3: "euc_kr", 25: "gbk"}
_WIN_LEGACY = {2: "shift_jis", 3: "gbk", 4: "big5", 5: "cp949", 6: "johab"}


def _decode_name(platform: int, encoding: int, raw: bytes) -> str | None:
    try:
        if platform == 0 or (platform == 3 and encoding in (0, 1, 10)):
            return raw.decode("utf-16-be", "replace")
        if platform == 3 and encoding in _WIN_LEGACY:
            # Legacy CJK encodings are stored as 16-bit units; drop the zero high bytes.
            return raw.replace(b"\x00", b"").decode(_WIN_LEGACY[encoding], "replace")
        if platform == 1:
            return raw.decode(_MAC_CODECS.get(encoding, "latin-1"), "replace")
    except LookupError:  # pragma: no cover - codec missing
        return None
    return None


def read_at(f: BinaryIO, offset: int, length: int) -> bytes:
    """``length`` bytes at ``offset``; ValueError if the file ends before."""
    f.seek(offset)
    data = f.read(length)
    if len(data) != length:
        raise ValueError("truncated font file")
    return data


def _table_dir(f: BinaryIO, offset: int) -> tuple[bytes, dict[bytes, tuple[int, int]]]:
    """The sfnt version tag and ``{tag: (offset, length)}`` of the font starting at ``offset``."""
    header = read_at(f, offset, 12)
    version, num_tables = header[:4], struct.unpack(">H", header[4:6])[0]
    entries = read_at(f, offset + 12, 16 * num_tables)
    tables: dict[bytes, tuple[int, int]] = {}
    for tag, _checksum, table_offset, length in struct.iter_unpack(">4sIII", entries):
        tables[tag] = (table_offset, length)
    return version, tables


def _read_names(f: BinaryIO, table: tuple[int, int]) -> list[tuple[int, int, int, int, str]]:
    """(nameID, platform, encoding, language, text) for IDs 1, 2, 4, 6, 16, 17."""
    offset, length = table
    data = read_at(f, offset, length)
    _fmt, count, string_offset = struct.unpack(">HHH", data[:6])
    out: list[tuple[int, int, int, int, str]] = []
    for i in range(count):
        platform, encoding, language, name_id, n_len, n_off = struct.unpack(">6H", data[6 + 12 * i: 18 + 12 * i])
        if name_id not in (1, 2, 4, 6, 16, 17):
            continue
        start = string_offset + n_off
        text = _decode_name(platform, encoding, data[start:start + n_len])
        if text:
            out.append((name_id, platform, encoding, language, text.strip("\x00").strip()))
    return out


def _pick_name(names: list[tuple[int, int, int, int, str]], name_id: int) -> str | None:
    best: tuple[int, str] | None = None
    for nid, platform, _enc, language, text in names:
        if nid != name_id or not text:
            continue
        rank = 0 if (platform == 3 and language == 0x409) else 1 if platform == 3 else 2 if platform == 0 else 3
        if platform == 1 and language != 0:
            rank = 4
        if best is None or rank < best[0]:
            best = (rank, text)
    return best[1] if best else None


def read_faces(path: Path) -> list[FaceRecord]:
    """Every face of a font file (several for a collection); [] for what is no sfnt font."""
    out: list[FaceRecord] = []
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12:
            return out
        collection = head[:4] == b"ttcf"
        if collection:
            num = struct.unpack(">I", head[8:12])[0]
            if not 0 < num < 1000:
                return out
            offsets: tuple[int, ...] = struct.unpack(f">{num}I", read_at(f, 12, 4 * num))
        elif head[:4] in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
            offsets = (0,)
        else:
            return out
        for index, offset in enumerate(offsets):
            version, tables = _table_dir(f, offset)
            if b"name" not in tables:
                continue
            names = _read_names(f, tables[b"name"])
            family = _pick_name(names, 16) or _pick_name(names, 1)
            ps_name = _pick_name(names, 6)
            if not family:
                continue
            if not ps_name:
                ps_name = re.sub(r"[^A-Za-z0-9-]", "", family.replace(" ", "")) or f"Face{index}"
            weight, italic = 400, False
            subfamily = (_pick_name(names, 17) or _pick_name(names, 2) or "").casefold()
            if b"OS/2" in tables and tables[b"OS/2"][1] >= 64:
                os2 = read_at(f, tables[b"OS/2"][0], 64)
                weight = struct.unpack(">H", os2[4:6])[0] or 400
                italic = bool(struct.unpack(">H", os2[62:64])[0] & 0x01)
            else:
                if "bold" in subfamily or "black" in subfamily or "heavy" in subfamily:
                    weight = 700
                italic = "italic" in subfamily or "oblique" in subfamily
            if weight < 100:  # some old fonts use 1..9
                weight *= 100
            if b"glyf" in tables and b"loca" in tables:
                outlines = "truetype"
            elif b"CFF " in tables or b"CFF2" in tables or version == b"OTTO":
                outlines = "cff"
            else:
                outlines = "none"
            keys = frozenset(norm_name(text) for nid, *_rest, text in names if nid in (1, 4, 6, 16))
            out.append(FaceRecord(index, family, ps_name, keys, weight, italic, outlines, tables.get(b"cmap", (0, 0)), collection))
    return out



_CMAP_PREFERENCE = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


def cmap_ranges(data: bytes) -> Iterator[tuple[int, int]]:
    """Code point ranges that ``data`` (a whole cmap table) maps to a glyph other than .notdef.

    Reads the most complete Unicode subtable of format 12/13, 4, 6 or 0; the ranges may
    overlap and come in subtable order.
    """
    _version, num = struct.unpack(">HH", data[:4])
    subtables: dict[tuple[int, int], int] = {}
    for i in range(num):
        platform, encoding, offset = struct.unpack(">HHI", data[4 + 8 * i: 12 + 8 * i])
        subtables.setdefault((platform, encoding), offset)
    for key in _CMAP_PREFERENCE:
        if key not in subtables:
            continue
        off = subtables[key]
        fmt = struct.unpack(">H", data[off:off + 2])[0]
        if fmt in (12, 13):
            n_groups = struct.unpack(">I", data[off + 12:off + 16])[0]
            for start, end, glyph in struct.iter_unpack(">III", data[off + 16:off + 16 + 12 * n_groups]):
                if glyph == 0:
                    if fmt == 13:
                        continue
                    start += 1
                if start <= end:
                    yield start, end
            return
        if fmt == 4:
            seg_count = struct.unpack(">H", data[off + 6:off + 8])[0] // 2
            ends_at = off + 14
            starts_at = ends_at + 2 * seg_count + 2
            deltas_at = starts_at + 2 * seg_count
            ranges_at = deltas_at + 2 * seg_count
            ends = struct.unpack(f">{seg_count}H", data[ends_at:ends_at + 2 * seg_count])
            starts = struct.unpack(f">{seg_count}H", data[starts_at:starts_at + 2 * seg_count])
            deltas = struct.unpack(f">{seg_count}H", data[deltas_at:deltas_at + 2 * seg_count])
            range_offsets = struct.unpack(f">{seg_count}H", data[ranges_at:ranges_at + 2 * seg_count])
            covered = -1  # the spec sorts segments by end code; overlapping ones (crafted
            # fonts: thousands of segments spanning 0-FFFF) are skipped, so that no code is
            # walked twice and the work stays bounded by 65,536 codes
            for i in range(seg_count):
                start, end, delta, range_offset = starts[i], ends[i], deltas[i], range_offsets[i]
                if start > end or start == 0xFFFF or start <= covered:
                    continue
                covered = end
                if range_offset == 0:
                    zero = (-delta) & 0xFFFF  # the code whose glyph would be 0
                    if start <= zero <= end:
                        if start < zero:
                            yield start, zero - 1
                        if zero < end:
                            yield zero + 1, end
                    else:
                        yield start, end
                    continue
                base = ranges_at + 2 * i + range_offset
                run_start: int | None = None
                for code in range(start, end + 1):
                    pos = base + 2 * (code - start)
                    glyph = struct.unpack(">H", data[pos:pos + 2])[0] if pos + 2 <= len(data) else 0
                    if glyph:
                        glyph = (glyph + delta) & 0xFFFF
                    if glyph:
                        if run_start is None:
                            run_start = code
                    elif run_start is not None:
                        yield run_start, code - 1
                        run_start = None
                if run_start is not None:
                    yield run_start, end
            return
        if fmt == 6:
            first, count = struct.unpack(">HH", data[off + 6:off + 10])
            glyphs = struct.unpack(f">{count}H", data[off + 10:off + 10 + 2 * count])
            for i, glyph in enumerate(glyphs):
                if glyph:
                    yield first + i, first + i
            return
        if fmt == 0:
            for code, glyph in enumerate(data[off + 6:off + 6 + 256]):
                if glyph:
                    yield code, code
            return
        # another format: try the next preferred subtable


#: Most code points the segments of one cmap subtable may span: format 4 maps 16-bit codes,
#: format 12 all of Unicode. Overlapping segments beyond that are a crafted font.
_SPAN_LIMITS = {4: 0x10000, 12: 0x110000}


def check_cmap(data: bytes) -> None:
    """ValueError if a format 4 or 12 subtable's segments span more codes than exist.

    reportlab walks every code of every segment: a format-4 table of 8,000 segments each
    spanning 0–FFFF would take it half a billion steps, so such a font is refused first.
    """
    _version, num = struct.unpack(">HH", data[:4])
    for i in range(num):
        _platform, _encoding, off = struct.unpack(">HHI", data[4 + 8 * i : 12 + 8 * i])
        fmt = struct.unpack(">H", data[off : off + 2])[0]
        if fmt == 4:
            seg_count = struct.unpack(">H", data[off + 6 : off + 8])[0] // 2
            ends = struct.unpack(f">{seg_count}H", data[off + 14 : off + 14 + 2 * seg_count])
            at = off + 16 + 2 * seg_count
            starts = struct.unpack(f">{seg_count}H", data[at : at + 2 * seg_count])
            span = sum(end - start + 1 for start, end in zip(starts, ends) if end >= start)
        elif fmt == 12:
            n_groups = struct.unpack(">I", data[off + 12 : off + 16])[0]
            span = sum(end - start + 1 for start, end, _ in struct.iter_unpack(">III", data[off + 16 : off + 16 + 12 * n_groups]) if end >= start)
        else:
            continue
        if span > _SPAN_LIMITS[fmt]:
            raise ValueError(f"malformed character map: format {fmt} segments overlap ({span} codes)")
