"""Errors a user can fix, as opposed to bugs.

Every subclass of :class:`BriefexportError` is reported by the CLI as one line
without a traceback; any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BriefexportError",
    "Coded",
    "FontError",
    "LocatedError",
    "OutlineError",
    "RenderError",
    "SourcePos",
    "ThemeError",
    "coded",
    "printable",
    "recorded",
    "warn",
]

_log = logging.getLogger("briefexport")

#: Characters never echoed raw in a message: C0/C1 controls and DEL (ESC starts terminal escape
#: and OSC sequences; U+0000 is the YAML reader's folded-line-break mark), line and paragraph
#: separators, and bidirectional overrides that would reorder what the terminal shows.
#: All of them are unprintable to ``str.isprintable``: a printable text (almost every message)
#: is returned as it is, and the pattern compiled (and cached by ``re``) only for the others.
_UNPRINTABLE = "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
_NAMED = {"\x00": "\\n", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` as one safe line: control characters as escapes (``\\x1b``), line breaks as ``\\n``.

    The folded-line-break mark U+0000 stands for a line break of the source, so it shows as one.
    """
    if text.isprintable():
        return text
    return re.sub(_UNPRINTABLE, lambda found: _NAMED.get(found.group(), f"\\u{ord(found.group()):04x}"), text)


@dataclass(frozen=True, slots=True)
class Coded:
    """What a message says as a code and its parameters, so that a page can say it in the reader's language.

    The English message stays the one the CLI prints; this travels beside it (the web page's JSON).
    """

    code: str
    params: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, str]:
        """The parameters by name."""
        return dict(self.params)


def coded(code: str, **params: object) -> Coded:
    """A :class:`Coded` with its parameters as text."""
    return Coded(code, tuple((name, str(value)) for name, value in params.items()))


def warn(where: SourcePos | str, message: str, code: Coded | None = None) -> None:
    """Report a problem that does not stop the build; ``--strict`` makes it fatal."""
    _log.warning("%s: warning: %s", printable(str(where)), printable(message),
                 extra={"where": where, "warning": message, "coded": code})


@dataclass(frozen=True, slots=True)
class SourcePos:
    """A place in a source file; line and column are 1-based, as editors show them."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class BriefexportError(Exception):
    """An error caused by input or environment, reported as one line."""


class LocatedError(BriefexportError):
    """An error that points at a place in a file."""

    def __init__(self, pos: SourcePos | str | Path, message: str, said: Coded | None = None) -> None:
        self.pos = pos
        self.message = message
        self.said = said
        super().__init__(f"{printable(str(pos))}: error: {printable(message)}")

    def __reduce__(self) -> tuple[type[LocatedError], tuple[SourcePos | str | Path, str, Coded | None]]:
        # Builds render formats in worker processes; errors must survive pickling.
        return (type(self), (self.pos, self.message, self.said))


class OutlineError(LocatedError):
    """The outline file cannot be read or is not a valid outline."""


class ThemeError(LocatedError):
    """The theme file cannot be read or is not a valid theme."""


class FontError(BriefexportError):
    """A font cannot be found, read or embedded."""


class RenderError(BriefexportError):
    """A renderer cannot produce its output (unknown format, missing dependency, …)."""


class _Recorder(logging.Handler):
    """Keeps the records of one thread: the logger is the process's, and a program may build in
    several threads at once (the API); another build's notes must not be said again with this answer."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread in (self.thread, None):  # None: logging.logThreads is off, no thread to tell
            self.records.append(record)


@contextmanager
def recorded() -> Iterator[list[logging.LogRecord]]:
    """The records this thread logs to briefexport's logger meanwhile (they reach its other handlers as ever)."""
    recorder = _Recorder()
    _log.addHandler(recorder)
    try:
        yield recorder.records
    finally:
        _log.removeHandler(recorder)
