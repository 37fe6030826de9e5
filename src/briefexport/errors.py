"""Errors a user can fix, as opposed to bugs.

Every subclass of :class:`BriefexportError` is reported by the CLI as one line
without a traceback; any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BriefexportError",
    "FontError",
    "LocatedError",
    "OutlineError",
    "RenderError",
    "SourcePos",
    "ThemeError",
    "warn",
]

_log = logging.getLogger("briefexport")


def warn(where: SourcePos | str, message: str) -> None:
    """Report a problem that does not stop the build; ``--strict`` makes it fatal."""
    _log.warning("%s: warning: %s", where, message, extra={"where": where, "warning": message})


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

    def __init__(self, pos: SourcePos | str | Path, message: str) -> None:
        self.pos = pos
        self.message = message
        super().__init__(f"{pos}: error: {message}")

    def __reduce__(self) -> tuple[type[LocatedError], tuple[SourcePos | str | Path, str]]:
        # Builds render formats in worker processes; errors must survive pickling.
        return (type(self), (self.pos, self.message))


class OutlineError(LocatedError):
    """The outline file cannot be read or is not a valid outline."""


class ThemeError(LocatedError):
    """The theme file cannot be read or is not a valid theme."""


class FontError(BriefexportError):
    """A font cannot be found, read or embedded."""


class RenderError(BriefexportError):
    """A renderer cannot produce its output (unknown format, missing dependency, …)."""
