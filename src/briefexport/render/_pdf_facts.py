"""What the DOCX takes from the PDF's layout and reportlab's metrics, kept per user on disk.

A DOCX shows its TOC's page numbers before Word updates the field, places an official
document's 版记 as the PDF does, sets its footer by the page number's ink and centres an
official document's 署名 by the widths of its text: all of it comes from reportlab (laying out
the PDF, ``render.pdf``, or measuring with the faces' metrics), which costs a cold ``-f docx``
build reportlab's import, the fonts' metrics and a layout pass, twice the rest of the build.
The answers depend only on what is hashed into their key, so a later process takes them from
``$XDG_CACHE_HOME/briefexport`` (the font-metrics cache's folder, with its safety rules):

* the key is a SHA-256 of the fact asked for, what it is of (the outline's document, or the
  texts measured) and the theme (their ``repr``: every field), the files (path, size, mtime,
  ctime) of briefexport's own modules, reportlab's and Python's versions, the ``RL_*`` settings, and the folders the font
  set searches; the entry repeats the key and is compared on load;
* the entry records the identities of the font files the answer could depend on: the bundled
  ones, and every file of the system's font folders when laying out searched them (a theme's
  family that is not bundled); a font installed, removed or changed since then misses;
* the notes and warnings laying out logged (in its thread) are stored and logged again on a hit, in order,
  so a cached build says what a fresh one says; an entry made while the logger dropped notes
  is not used where they would show;
* a miss lays out as before and stores the answer, unless a font file changed in the last two
  seconds (a rewrite within the same timestamp could not be told apart);
* entries are ``marshal`` data of built-in types, checked for type before use.
"""

from __future__ import annotations

import logging
import marshal
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import Coded, SourcePos, recorded

if TYPE_CHECKING:
    from ..fonts._metrics_cache import CacheFolder
    from ..fonts.fontset import FontSet
    from ..numbering import NumberedDocument
    from ..theme.loader import Theme
    from . import ImprintLayout, RenderOptions

__all__ = ["LayoutCache", "code_identity", "heading_pages", "imprint_layout", "open_folder", "page_number_drop", "text_ems"]

_T = TypeVar("_T")
#: Bump when an entry's layout or a fact's meaning changes: old entries then miss.
_FORMAT = 2
_PREFIX, _SUFFIX = "layout-", ".marshal"
_MAX_ENTRIES = 256
#: A font file changed this recently (ns) may change again within the same timestamp: no entry.
_RACY_NS = 2 * 10**9
_log = logging.getLogger("briefexport")


@dataclass(frozen=True, slots=True)
class LayoutCache:
    """Where the PDF layout's answers for the DOCX are kept; ``folder=None`` turns it off."""

    folder: Path | None

    @classmethod
    def default(cls) -> LayoutCache:
        """The per-user cache folder (the font metrics' one), as the environment says now."""
        from ..fonts._metrics_cache import default_folder

        return cls(default_folder())


def heading_pages(doc: NumberedDocument, theme: Theme, *, opts: RenderOptions) -> dict[tuple[int, ...], int]:
    """:func:`render.pdf.heading_pages`, from this build's PDF layout or the cache when they have it."""
    if opts.layout is not None and (known := opts.layout.pages(doc, theme)) is not None:
        if opts.layout.logged_nothing:
            # Kept for a later -f docx of the same outline, which would otherwise lay the pages out again.
            _remember("heading-pages", doc.doc, theme, opts, [(list(path), page) for path, page in known.items()], _is_pages,
                      since=opts.layout.since)
        return dict(known)  # the same build's PDF: nothing to look up

    def compute() -> list[tuple[list[int], int]]:
        from .pdf import heading_pages as laid_out

        return [(list(path), page) for path, page in laid_out(doc, theme, opts=opts).items()]

    pages = _cached("heading-pages", doc.doc, theme, opts, compute, _is_pages)
    return {tuple(path): page for path, page in pages}


def imprint_layout(doc: NumberedDocument, theme: Theme, *, opts: RenderOptions) -> ImprintLayout:
    """:func:`render.pdf.imprint_layout`, from the cache when it has it."""
    from . import ImprintLayout

    def compute() -> tuple[bool, list[int]]:
        from .pdf import imprint_layout as laid_out

        layout = laid_out(doc, theme, opts=opts)
        return (layout.alone, list(layout.list_lines))

    alone, lines = _cached("imprint-layout", doc.doc, theme, opts, compute, _is_imprint)
    return ImprintLayout(alone=alone, list_lines=tuple(lines))


def _is_imprint(value: object) -> bool:
    return (type(value) is tuple and len(value) == 2 and type(value[0]) is bool and type(value[1]) is list
            and all(type(lines) is int for lines in value[1]))


def page_number_drop(theme: Theme, *, opts: RenderOptions) -> float:
    """:func:`render.pdf.page_number_drop`, from the cache when it has it (it depends on the theme and fonts only)."""

    def compute() -> float:
        from .pdf import page_number_drop as measured

        return measured(theme, opts=opts)

    return _cached("page-number-drop", None, theme, opts, compute, lambda value: type(value) is float)


def text_ems(texts: Sequence[str], theme: Theme, char_width: float, *, opts: RenderOptions) -> Callable[[str], float]:
    """The widths of ``texts`` in body-grid characters (``char_width`` points each) as
    :func:`render.pdf.measured_ems` measures them (an official document's 署名 and 成文日期, with
    reportlab's metrics of the faces Word finds), from the cache when it has them."""
    wanted = tuple(dict.fromkeys(texts))

    def compute() -> dict[str, float]:
        from .pdf import measured_ems

        ems = measured_ems(opts.fonts, theme, char_width)
        return {text: float(ems(text)) for text in wanted}

    widths = _cached("text-ems", (wanted, char_width), theme, opts, compute, _is_widths)
    return widths.__getitem__


def title_lines(title: Sequence[str], theme: Theme, *, opts: RenderOptions) -> list[str]:
    """:func:`render.pdf.title_lines`, from the cache when it has them: the lines the PDF breaks an
    official title into (``title``: the outline's lines), for the DOCX to break there too."""
    given = tuple(title)

    def compute() -> list[str]:
        from .pdf import title_lines as broken

        # Unsaid: the DOCX also asks imprint_layout, whose layout sets these titles and says their
        # notes and warnings (located at the outline); said here too, each would print once more per title.
        with _unsaid():
            return broken(given, theme, opts.fonts)

    return _cached("title-lines", given, theme, opts, compute, _is_lines)


def _is_lines(value: object) -> bool:
    return type(value) is list and all(type(line) is str for line in value)


def _is_widths(value: object) -> bool:
    return type(value) is dict and all(type(text) is str and type(width) is float for text, width in value.items())


def _is_pages(value: object) -> bool:
    return type(value) is list and all(
        type(pair) is tuple and len(pair) == 2 and type(pair[0]) is list and all(type(i) is int for i in pair[0]) and type(pair[1]) is int
        for pair in value
    )


# -- looking up and storing -------------------------------------------------------


def _cached(kind: str, subject: object, theme: Theme, opts: RenderOptions, compute: Callable[[], _T],
            valid: Callable[[object], bool]) -> _T:
    """``compute()``, or the value an entry of the same key holds (its log replayed).

    ``subject`` is what besides the theme the answer is of (the outline's document, the texts measured): its ``repr`` is in the key.
    A numbered document is given by its ``doc``: numbering is a function of it (and of this code, also in the key),
    and the numbered tree's ``repr`` repeats each node once per level above it (three times the text, on a long outline).
    """
    folder = open_folder(opts)
    if folder is None:
        return compute()
    try:
        key, name = _entry_name(kind, subject, theme, opts)
        entry = _read(folder, name, key, opts.fonts, valid)
        if entry is not None:
            folder.touch(name)  # recently used: kept when the folder is pruned
            _replay(entry["log"])
            return entry["value"]  # type: ignore[no-any-return]
        started = time.time_ns()
        with recorded() as records:
            value = compute()
        payload = _entry(key, value, records, opts.fonts, started)
        if payload is not None and folder.write_bytes(name, payload):
            folder.prune(_MAX_ENTRIES, _PREFIX, _SUFFIX)
        return value
    finally:
        folder.close()


def _remember(kind: str, subject: object, theme: Theme, opts: RenderOptions, value: object, valid: Callable[[object], bool],
              *, since: int) -> None:
    """Store what :func:`_cached` would compute and store for this key, found by a layout this process made
    anyway (the PDF's, which logged nothing) that began no earlier than ``since``; an entry already kept stays."""
    folder = open_folder(opts)
    if folder is None:
        return
    try:
        key, name = _entry_name(kind, subject, theme, opts)
        if _read(folder, name, key, opts.fonts, valid) is not None:
            return
        payload = _entry(key, value, [], opts.fonts, since)
        if payload is not None and folder.write_bytes(name, payload):
            folder.prune(_MAX_ENTRIES, _PREFIX, _SUFFIX)
    finally:
        folder.close()


def _entry_name(kind: str, subject: object, theme: Theme, opts: RenderOptions) -> tuple[str, str]:
    """The key of an answer and the name of the file that keeps it."""
    import hashlib

    key = hashlib.sha256(_key_material(kind, subject, theme, opts.fonts).encode("utf-8", "surrogatepass")).hexdigest()
    return key, f"{_PREFIX}{key[:32]}{_SUFFIX}"


def open_folder(opts: RenderOptions) -> CacheFolder | None:
    """The build's layout cache folder (the caller closes it), or None when there is none."""
    return _open(opts.layout_cache.folder) if opts.layout_cache is not None else None


def _open(path: Path | None) -> CacheFolder | None:
    from ..fonts._metrics_cache import CacheFolder

    return CacheFolder.open(path)


def _key_material(kind: str, subject: object, theme: Theme, fonts: FontSet) -> str:
    """Everything the answer depends on besides the font files' contents, as text."""
    import reportlab

    settings = sorted((name, value) for name, value in os.environ.items() if name.startswith("RL_"))
    return repr((_FORMAT, kind, subject, theme, code_identity(), reportlab.Version, sys.version, settings, fonts.search_dirs()))


def code_identity() -> list[tuple[str, int, int, int]]:
    """briefexport's modules as files (path, size, mtime, ctime): an edited or upgraded module misses."""
    root = Path(__file__).resolve().parent.parent
    found: list[tuple[str, int, int, int]] = []
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(name for name in dirnames if name != "__pycache__")
        for file_name in sorted(filenames):
            if file_name.endswith(".py"):
                info = os.stat(os.path.join(folder, file_name))
                found.append((os.path.join(folder, file_name), info.st_size, info.st_mtime_ns, info.st_ctime_ns))
    return found


def _font_identities(fonts: FontSet, *, system: bool) -> list[list[Any]] | None:
    """(path, device, inode, size, mtime, ctime) of each font file lookups choose among; None if one cannot be read."""
    identities: list[list[Any]] = []
    for path in fonts.font_files(system=system):
        try:
            info = os.stat(path)
        except OSError:
            return None
        identities.append([str(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns])
    return identities


def _read(folder: CacheFolder, name: str, key: str, fonts: FontSet, valid: Callable[[object], bool]) -> dict[str, Any] | None:
    """The entry of this key whose font files are still the ones recorded, or None."""
    raw = folder.read_bytes(name)
    if raw is None:
        return None
    try:
        entry = marshal.loads(raw)
    except (EOFError, ValueError, TypeError):
        return None
    if type(entry) is not dict or entry.get("key") != key or not valid(entry.get("value")) or not _is_log(entry.get("log")):
        return None
    level = entry.get("level")
    if type(level) is not int or _log.getEffectiveLevel() < level:
        return None  # made where notes were dropped: replaying would miss some that show here
    system = entry.get("system")
    if type(system) is not bool or entry.get("fonts") != _font_identities(fonts, system=system):
        return None
    return entry


def _entry(key: str, value: object, records: list[logging.LogRecord], fonts: FontSet, started: int) -> bytes | None:
    """The entry for a computed value, or None when it must not be stored."""
    log = [_as_plain(record) for record in records]
    if any(item is None for item in log):
        return None  # a record this cache cannot say again
    system = fonts.scanned_system
    identities = _font_identities(fonts, system=system)
    if identities is None or any(started - max(item[4], item[5]) < _RACY_NS for item in identities):
        return None
    try:
        return marshal.dumps({"key": key, "value": value, "log": log, "level": _log.getEffectiveLevel(), "system": system,
                              "fonts": identities})
    except ValueError:
        return None


# -- the log of a layout, said again ------------------------------------------------


class _OtherThreads(logging.Filter):
    """Lets through only what other threads log."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread != self.thread


@contextmanager
def _unsaid() -> Iterator[None]:
    """Drop what this thread logs to briefexport's logger meanwhile (other threads' builds say theirs)."""
    quiet = _OtherThreads()
    _log.addFilter(quiet)
    try:
        yield
    finally:
        _log.removeFilter(quiet)


def _as_plain(record: logging.LogRecord) -> tuple[int, str, Any, str | None, Any] | None:
    """(level, message, where, warning, coded) as built-in values; None for what cannot be stored."""
    where: Any = getattr(record, "where", None)
    if isinstance(where, SourcePos):
        where = (where.file, where.line, where.col)
    elif where is not None and type(where) is not str:
        return None
    warning = getattr(record, "warning", None)
    said = getattr(record, "coded", None)
    if said is not None and not isinstance(said, Coded):
        return None
    return (record.levelno, record.getMessage(), where, warning if type(warning) is str else None,
            (said.code, said.params) if said is not None else None)


def _is_log(value: object) -> bool:
    return type(value) is list and all(type(item) is tuple and len(item) == 5 and type(item[0]) is int and type(item[1]) is str
                                       for item in value)


def _replay(log: list[tuple[int, str, Any, str | None, Any]]) -> None:
    for level, message, where, warning, said in log:
        extra: dict[str, Any] = {}
        if where is not None:
            extra["where"] = SourcePos(*where) if type(where) is tuple else where
        if warning is not None:
            extra["warning"] = warning
        if said is not None:
            extra["coded"] = Coded(said[0], tuple(tuple(pair) for pair in said[1]))
        _log.log(level, "%s", message, extra=extra or None)
