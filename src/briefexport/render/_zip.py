"""Re-pack a zip-based package (DOCX, EPUB) so that the same input gives the same bytes.

python-docx and ebooklib stamp entries with the clock and order them as their internals
happen to; :func:`repack` copies such an archive (and :func:`write_entries` writes files given by name) with one fixed date, fixed file modes and a
fixed entry order. Both renderers use it, so the two formats cannot disagree on the rules.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["ZIP_MAX", "ZIP_MIN", "repack", "write_entries", "zip_date"]

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
                  stored: frozenset[str] = frozenset()) -> None:
    """Write ``entries`` (name → bytes) as a zip archive at ``out``, every entry dated ``created`` (see :func:`zip_date`).

    Entries come in name order, except ``first``, which leads (``[Content_Types].xml`` for
    Office, ``mimetype`` for EPUB); names in ``stored`` are not compressed (EPUB's ``mimetype``),
    the rest are deflated at level 9. Modes are 0644 and no extra fields are written.
    """
    date = zip_date(created)
    with zipfile.ZipFile(out, "w") as target:
        for name in sorted(entries, key=lambda name: (name != first, name)):
            info = zipfile.ZipInfo(name, date_time=date)
            info.create_system = _UNIX
            info.external_attr = _MODE << 16
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            target.writestr(info, entries[name], compresslevel=9)
