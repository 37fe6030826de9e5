"""One entry point for every kind of briefing file: the reader is chosen by what the file is."""

from __future__ import annotations

from pathlib import Path

from .plain import ImportResult, decode_text, import_text, read_source
from ..errors import OutlineError, SourcePos

__all__ = ["import_path"]

#: Word files are ZIP archives; a saved web page starts with markup.
_ZIP_MAGIC = b"PK\x03\x04"
#: Old binary Office files (.doc, .wps) are OLE compound files.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".mhtml", ".mht")


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<div", b"<p>", b"<!--"))


def import_path(path: str | Path, *, keep_junk: bool = False) -> ImportResult:
    """Import a ``.docx`` (Word), an ``.html`` page (saved from a browser) or a text file into outline YAML.

    The suffix decides, and the content when the suffix says nothing (a page saved as ``.txt``).
    """
    file_path = Path(path)
    data = read_source(file_path)
    suffix = file_path.suffix.lower()
    if data.startswith(_OLE_MAGIC):
        raise OutlineError(
            SourcePos(str(path), 1, 1),
            "this is an old-style Word or WPS file (.doc/.wps); open it and save it as .docx (Word document), then import that",
        )
    if suffix == ".docx" or (data.startswith(_ZIP_MAGIC) and suffix not in _HTML_SUFFIXES):
        from .docx import import_docx

        return import_docx(file_path, data, keep_junk=keep_junk)
    if suffix in _HTML_SUFFIXES or _looks_like_html(data):
        from .html import decode_html, import_html

        return import_html(decode_html(data, str(path)), keep_junk=keep_junk, source=str(path), fallback_title=file_path.stem)
    return import_text(decode_text(data, str(path)), keep_junk=keep_junk, source=str(path), fallback_title=file_path.stem)
