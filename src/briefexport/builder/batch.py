"""Build many outlines in one go over the warm engine: each all-or-none, a failure stops only its own.

``briefexport build A.yaml B.yaml …`` and ``briefexport build FOLDER/`` come here. The engine's
workers render every outline into memory in parallel; this process lands each outline's files
together (temporary names, then renames) as soon as its job is done, in the order given.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from ._atomic import reserve
from .api import BuiltFile, _commit_all, _discard, _Staged
from .engine import FORMATS, BuildResult, Engine, default_workers
from ..errors import BriefexportError, LocatedError, OutlineError
from ..outline.reader import OUTLINE_SUFFIXES, not_an_outline
from ..theme.loader import Theme

__all__ = ["OUTLINE_SUFFIXES", "Outcome", "build_many", "collect_outlines"]



@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one outline of a batch: its files, or the one line that says why there are none."""

    outline: Path
    built: tuple[BuiltFile, ...]
    warnings: tuple[str, ...]
    notes: tuple[str, ...]
    error: str | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.error is None


def collect_outlines(paths: Sequence[Path]) -> list[Path]:
    """The outline files named: files as given, folders as their ``*.yaml``/``*.yml`` files (not below), sorted.

    Raises BriefexportError for a folder without outlines, or when two outlines would write the
    same output names (``a/x.yaml`` and ``b/x.yaml`` both give ``x.docx``).
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix.lower() in OUTLINE_SUFFIXES and not p.name.startswith(".") and p.is_file())
            if not inside:
                raise BriefexportError(f"{path}: no outlines (*.yaml, *.yml) in this folder")
            found.extend(inside)
        else:
            found.append(path)
    _refuse_shared_names(found)
    return list(dict.fromkeys(found))


def _refuse_shared_names(outlines: Sequence[Path]) -> None:
    seen: dict[str, Path] = {}
    for outline in dict.fromkeys(outlines):
        other = seen.setdefault(outline.stem, outline)
        if other != outline:
            raise BriefexportError(
                f"{other} and {outline} would both write {outline.stem}.*; build them into different output folders"
            )


def build_many(
    outlines: Sequence[Path],
    formats: Sequence[str] = FORMATS,
    out_dir: Path = Path("build"),
    *,
    theme: Theme | str = "handout",
    strict: bool = False,
    embed_font: bool | None = None,
    workers: int | None = None,
) -> Iterator[Outcome]:
    """Build each outline to ``OUT_DIR/<stem>.<format>``, yielding outcomes in the order given.

    All outlines are queued at once on an :class:`Engine` of ``workers`` processes (default: one
    per core, never more than there are outlines). An outline's files land together, or none do.
    """
    chosen = list(dict.fromkeys(formats))
    with Engine(workers=max(1, min(len(outlines), workers or default_workers())), warm=chosen) as engine:
        jobs = [(outline, engine.submit_file(outline, formats=chosen, theme=theme, strict=strict, embed_font=embed_font))
                for outline in outlines]
        for outline, future in jobs:
            yield _land(outline, future, chosen, out_dir)


def _land(outline: Path, future: Future[BuildResult], formats: Sequence[str], out_dir: Path) -> Outcome:
    try:
        result = future.result()
    except OutlineError as exc:  # a briefing given as an outline gets the next step, as a single build does
        return Outcome(outline, (), (), (), _one_line(outline, not_an_outline(outline, exc)), 0.0)
    except BriefexportError as exc:
        return Outcome(outline, (), (), (), _one_line(outline, exc), 0.0)
    try:
        built = _write_all(result, outline, formats, out_dir)
    except BriefexportError as exc:
        return Outcome(outline, (), result.warnings, result.notes, _one_line(outline, exc), result.seconds)
    return Outcome(outline, tuple(built), result.warnings, result.notes, None, result.seconds)


def _one_line(outline: Path, exc: BriefexportError) -> str:
    """``FILE:LINE:COL: error: …`` as the error gives it, else the outline's name in front."""
    return str(exc) if isinstance(exc, LocatedError) else f"{outline}: error: {exc}"


def _write_all(result: BuildResult, outline: Path, formats: Sequence[str], out_dir: Path) -> list[BuiltFile]:
    """Land one outline's files: each to a temporary name, then all moved into place."""
    share = result.seconds / max(1, len(formats))
    staged: list[_Staged] = []
    try:
        for name in formats:
            target = out_dir / f"{outline.stem}.{name}"
            tmp = reserve(target)
            staged.append(_Staged(name, tmp, target, share))
            tmp.write_bytes(result.files[name])
    except OSError as exc:
        _discard(staged)
        raise BriefexportError(f"{staged[-1].target}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        _discard(staged)
        raise
    return _commit_all(staged)
