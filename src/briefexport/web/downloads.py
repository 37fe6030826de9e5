"""Downloads named from the document's title, and the all-formats zip.

A name must work on Windows, macOS, Linux and in a zip opened by any of them: no
``\\ / : * ? " < > |``, no control characters, no trailing dot or space, not a Windows
device name (``CON``, ``NUL``, ``COM1`` …), and short enough for every file system.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from urllib.parse import quote

from ..render._zip import zip_date

__all__ = ["content_disposition", "file_stem", "zip_files"]

#: Used when the title leaves nothing printable.
FALLBACK_STEM = "briefing"
#: Bytes of UTF-8 a stem may use: well under the 255 of ext4/NTFS, leaving room for the extension.
MAX_STEM_BYTES = 120
_FORBIDDEN = re.compile(r'[\\/:*?"<>|]+')
_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10)), *(f"LPT{n}" for n in range(10))})


def _printable(char: str) -> bool:
    # Control, format (zero-width, bidi overrides), surrogate, private-use and unassigned characters.
    return unicodedata.category(char)[0] != "C"


def file_stem(title: str) -> str:
    """A safe, portable file name (without extension) for a document titled ``title``."""
    text = unicodedata.normalize("NFC", title)
    text = "".join(char if _printable(char) else " " for char in text)
    text = _FORBIDDEN.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    while len(text.encode("utf-8")) > MAX_STEM_BYTES:
        text = text[:-1]
    text = text.rstrip(" .")
    if not text:
        return FALLBACK_STEM
    if text.split(".")[0].upper() in _DEVICES:
        return f"_{text}"
    return text


def content_disposition(filename: str) -> str:
    """An ``attachment`` header carrying the UTF-8 name (RFC 6266) and an ASCII fallback for old clients."""
    ascii_name = filename.encode("ascii", "ignore").decode().strip(" .") or FALLBACK_STEM
    if "." not in ascii_name and "." in filename:
        ascii_name = f"{FALLBACK_STEM}.{filename.rsplit('.', 1)[1]}"
    ascii_name = re.sub(r'[^A-Za-z0-9._ -]', "_", ascii_name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def zip_files(files: Mapping[str, bytes], created: dt.datetime) -> bytes:
    """A zip of ``name → bytes`` in the given order, every entry dated ``created`` (reproducible)."""
    buffer = io.BytesIO()
    date = zip_date(created)
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=date)
            info.create_system = 3  # Unix, so the mode below is read
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            # Names are UTF-8 (zipfile sets the flag for non-ASCII names): Windows 10+, macOS and Linux read them.
            archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()
