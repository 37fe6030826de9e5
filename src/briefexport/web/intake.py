"""Bringing a briefing in: pasted or dropped text, a saved outline, or HTML from the clipboard.

HTML goes to the HTML importer of ``briefexport.importer.html`` when this version has it
(its own issue); otherwise its text is taken out here and imported as plain text.
:func:`import_html` is the one place that decides. Word files go to the importer's
``dispatch.import_path`` when it exists (:func:`import_word`), else get a clear error.
"""

from __future__ import annotations

import html.parser
import importlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import Coded, LocatedError, OutlineError, SourcePos, coded
from ..importer.plain import UNTITLED, ImportResult, decode_text, import_text
from ..numbering import NumberedDocument, number
from ..outline.reader import loads
from ._render import OUTLINE_NAME

__all__ = ["Imported", "check", "import_html", "import_upload", "review_notes"]


@dataclass(frozen=True, slots=True)
class Imported:
    """Outline YAML to review, with what the importer said about it."""

    yaml: str
    summary: str
    notes: tuple[Coded, ...] = ()
    """The importer's review notes as codes (none for an outline brought in as it is)."""


def check(text: str) -> NumberedDocument:
    """Validate outline YAML as `briefexport check` does; raises OutlineError with line and column."""
    return number(loads(text, OUTLINE_NAME))


def review_notes(yaml_text: str) -> list[str]:
    """The importer's review comments at the top of an outline (without the schema line)."""
    notes = []
    for line in yaml_text.splitlines():
        if not line.startswith("#"):
            break
        note = line.lstrip("#").strip()
        if note and not note.startswith("yaml-language-server"):
            notes.append(note)
    return notes


class _TextOf(html.parser.HTMLParser):
    """The text of an HTML fragment, one line per block element; scripts and styles dropped."""

    _BLOCKS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "blockquote", "pre"})
    _HIDDEN = frozenset({"script", "style", "template", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self.hidden += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data.replace("\n", " "))


def html_text(markup: str) -> str:
    """Plain text of HTML, paragraphs on their own lines (the fallback when no HTML importer exists)."""
    parser = _TextOf()
    parser.feed(markup)
    parser.close()
    return "\n".join(line.strip() for line in "".join(parser.parts).split("\n"))


def import_html(markup: str, source: str, keep_junk: bool = False) -> Imported:
    """Import HTML (from the clipboard or a saved page) with the HTML importer if there is one."""
    try:
        module = importlib.import_module("briefexport.importer.html")
    except ModuleNotFoundError:
        return _imported(import_text(html_text(markup), keep_junk=keep_junk, source=source))
    result: ImportResult = module.import_html(markup, keep_junk=keep_junk, source=source)
    return _imported(result)


def _imported(result: ImportResult) -> Imported:
    return Imported(result.yaml, result.summary, result.notes)


def import_word(data: bytes, filename: str, keep_junk: bool = False) -> Imported:
    """Import a Word file with the importer's file dispatch (its own issue), from a per-request temporary folder."""
    try:
        dispatch = importlib.import_module("briefexport.importer.dispatch")
    except ModuleNotFoundError:
        raise OutlineError(SourcePos(Path(filename).name, 1, 1), "this version cannot import Word files; paste the text instead") from None
    with tempfile.TemporaryDirectory(prefix="briefexport-upload-") as folder:
        # Only the base name: a request cannot choose where the file goes.
        path = Path(folder) / (Path(filename).name or "upload.docx")
        path.write_bytes(data)
        try:
            result: ImportResult = dispatch.import_path(path, keep_junk=keep_junk)
        except LocatedError as exc:  # name the file as the user knows it, not by the temporary folder
            pos = exc.pos
            where = SourcePos(path.name, pos.line, pos.col) if isinstance(pos, SourcePos) else path.name
            raise type(exc)(where, exc.message.replace(str(path), path.name)) from None
    notes = tuple(coded(n.code, **{k: v.replace(str(path), path.name) for k, v in n.params}) for n in result.notes)
    return Imported(result.yaml.replace(str(path), path.name), result.summary.replace(str(path), path.name), notes)


def import_upload(data: bytes, filename: str, content_type: str, keep_junk: bool = False) -> Imported:
    """Import a request body: HTML, Word, an outline (.yaml, checked and kept as is), or text in any encoding the importer reads."""
    source = filename or "pasted text"
    if filename.lower().endswith((".docx", ".doc", ".wps")):
        return import_word(data, filename, keep_junk)
    if content_type == "text/html" or filename.lower().endswith((".html", ".htm")):
        return import_html(decode_text(data, source), source, keep_junk)
    if filename.lower().endswith((".yaml", ".yml")) or content_type in ("application/yaml", "application/x-yaml"):
        text = decode_text(data, source)
        numbered = check(text)
        return Imported(text, f"{source}: an outline ({len(numbered.sections)} sections); review it before building")
    stem = filename.rsplit(".", 1)[0] if filename else UNTITLED
    return _imported(import_text(decode_text(data, source), keep_junk=keep_junk, source=source, fallback_title=stem))
