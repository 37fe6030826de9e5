"""Re-pack a zip-based package (DOCX, EPUB) so that the same input gives the same bytes.

python-docx and ebooklib stamp entries with the clock and order them as their internals
happen to; :func:`repack` copies such an archive (and :func:`write_entries` writes files given by name) with one fixed date, fixed file modes and a
fixed entry order. Both renderers use it, so the two formats cannot disagree on the rules.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import WarmMemo

__all__ = ["ZIP_MAX", "ZIP_MIN", "deflate", "remember_deflated", "repack", "write_entries", "zip_date"]

#: The earliest and latest moments a zip entry can carry (MS-DOS date format: 1980–2107, 2-second steps).
ZIP_MIN = dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)
ZIP_MAX = dt.datetime(2107, 12, 31, 23, 59, 58, tzinfo=dt.timezone.utc)
#: Every entry is a plain file readable by all, written on "Unix", whatever the build machine.
_UNIX = 3
_MODE = 0o644


def zip_date(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    """A zip entry date for ``moment`` in UTC (naive means UTC), clamped to 1980–2107 and rounded down to 2 seconds."""
    utc = moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment.astimezone(dt.timezone.utc)
    clamped = min(max(utc, ZIP_MIN), ZIP_MAX)
    return (clamped.year, clamped.month, clamped.day, clamped.hour, clamped.minute, clamped.second - clamped.second % 2)


def repack(raw: bytes, out: Path, created: dt.datetime, *, first: str | None = None, stored: frozenset[str] = frozenset()) -> None:
    """Copy the archive ``raw`` to ``out`` with every entry dated ``created`` (see :func:`write_entries`)."""
    with zipfile.ZipFile(io.BytesIO(raw)) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    write_entries(entries, out, created, first=first, stored=stored)


def write_entries(entries: Mapping[str, bytes], out: Path, created: dt.datetime, *, first: str | None = None,
                  stored: frozenset[str] = frozenset(), deflated: WarmMemo | None = None) -> None:
    """Write ``entries`` (name → bytes) as a zip archive at ``out``, every entry dated ``created`` (see :func:`zip_date`).

    Entries come in name order, except ``first``, which leads (``[Content_Types].xml`` for
    Office, ``mimetype`` for EPUB); names in ``stored`` are not compressed (EPUB's ``mimetype``),
    the rest are deflated at level 9. Modes are 0644 and no extra fields are written: the bytes
    are those Python's ``zipfile`` writes for the same entries. A warm process passes its memo
    as ``deflated``: a large entry equal to one of the last build (a DOCX's 350 KB styles.xml)
    is not compressed again.
    """
    date = zip_date(created)
    dos_date = (date[0] - 1980) << 9 | date[1] << 5 | date[2]
    dos_time = date[3] << 11 | date[4] << 5 | date[5] // 2
    local, central = bytearray(), bytearray()
    names = sorted(entries, key=lambda name: (name != first, name))
    for name in names:
        data = entries[name]
        method = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
        packed = data if method == zipfile.ZIP_STORED else deflate(data, deflated)
        if max(len(data), len(packed), len(local)) >= _ZIP64_LIMIT:
            raise ValueError(f"{name}: entries and archives over 2 GiB are not written")
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), _UTF8_NAME
        fields = (flags, method, dos_time, dos_date, zlib.crc32(data), len(packed), len(data), len(encoded))
        offset = len(local)
        local += struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", _VERSION, 0, *fields, 0) + encoded + packed
        central += struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, *fields, 0, 0, 0, 0, _MODE << 16, offset)
        central += encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(names), len(names), len(central), len(local), 0)
    out.write_bytes(bytes(local + central + end))


#: zip's "version needed to extract" (and "made by") for deflated entries: 2.0, as zipfile writes.
_VERSION = 20
_UTF8_NAME = 0x800
_ZIP64_LIMIT = (1 << 31) - 1
#: Entries smaller than this are deflated every time (remembering them would cost more than it saves).
_REMEMBERED_FROM = 16_384


def _deflated_key(data: bytes) -> tuple[str, bytes]:
    return ("zip-deflated", data)


def remember_deflated(memo: WarmMemo, data: bytes, packed: bytes) -> None:
    """Tell ``memo`` that ``data`` deflates to ``packed`` (kept elsewhere), so a save reuses it."""
    memo.put(_deflated_key(data), packed)


def deflate(data: bytes, memo: WarmMemo | None) -> bytes:
    """``data`` deflated at level 9 as zipfile does it (raw deflate, no zlib header)."""
    key = _deflated_key(data) if memo is not None and len(data) >= _REMEMBERED_FROM else None
    found = memo.get(key) if memo is not None and key is not None else None
    if isinstance(found, bytes):
        return found
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = compressor.compress(data) + compressor.flush()
    if memo is not None and key is not None:
        memo.put(key, packed)
    return packed
