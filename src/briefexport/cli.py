"""The ``briefexport`` command: a thin layer over the library API."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from . import __version__
from .builder.api import FORMATS, build
from .errors import BriefexportError, LocatedError, OutlineError, SourcePos, printable
from .outline.reader import not_an_outline

if TYPE_CHECKING:
    from .theme.loader import Theme

__all__ = ["main"]

log = logging.getLogger("briefexport")


class _Formatter(logging.Formatter):
    """Warnings carry their own ``FILE:LINE:COL: warning:`` prefix; notes get one."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        return message if record.levelno >= logging.WARNING else f"briefexport: note: {message}"


class _StrictHandler(logging.Handler):
    """Turns the first warning into an error, before any output is moved into place."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            where = getattr(record, "where", "briefexport")
            message = getattr(record, "warning", record.getMessage())
            raise LocatedError(where, f"{message} (a warning, made an error by --strict)")


@contextlib.contextmanager
def _logging_to_stderr(strict: bool) -> Iterator[None]:
    """Route the library's warnings and notes to stderr for one command, then restore the logger."""
    saved = (log.handlers[:], log.level, log.propagate)
    stream = logging.StreamHandler(sys.stderr)
    stream.setFormatter(_Formatter())
    # The strict handler comes first so that a fatal warning is printed once, as the error.
    log.handlers[:] = [_StrictHandler(), stream] if strict else [stream]
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        yield
    finally:
        log.handlers[:], log.level, log.propagate = saved


def _formats(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in FORMATS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown format '{','.join(unknown) or value}'; available: {', '.join(FORMATS)}")
    return names


def _build_arguments(build_cmd: argparse.ArgumentParser) -> None:
    build_cmd.add_argument(
        "outlines", nargs="*", type=Path, metavar="OUTLINE",
        help="outline files or folders of them (default: outline.yaml); several are built in parallel",
    )
    build_cmd.add_argument("-f", "--formats", type=_formats, default=list(FORMATS), help="comma-separated: docx,pdf,epub (default: all)")
    build_cmd.add_argument("-o", "--out-dir", type=Path, default=Path("build"), help="output folder (default: build)")
    build_cmd.add_argument("-t", "--theme", default="handout", help="preset name (handout, gongwen, ebook) or theme file")
    build_cmd.add_argument("--embed-font", action=argparse.BooleanOptionalAction, default=None, help="EPUB: embed a font subset")
    build_cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build_cmd.add_argument(
        "--allow-path", action="append", type=Path, default=[], metavar="DIR",
        help="let a theme file extend files in DIR too (by default only presets and files beside the theme)",
    )


def _check_arguments(check_cmd: argparse.ArgumentParser) -> None:
    check_cmd.add_argument("outline", nargs="?", default="outline.yaml", type=Path)
    check_cmd.add_argument("--strict", action="store_true", help="treat the pre-flight warnings as errors")


def _import_arguments(import_cmd: argparse.ArgumentParser) -> None:
    import_cmd.add_argument("source", type=Path, help="a .txt (UTF-8, GB18030 or UTF-16), .html/.htm or .docx file")
    import_cmd.add_argument(
        "-o", "--output", type=Path, help="write the outline here; '-' prints it (default: SOURCE with .yaml beside it)"
    )
    import_cmd.add_argument("--force", action="store_true", help="replace an existing outline, keeping the old one as FILE~")
    import_cmd.add_argument("--keep-junk", action="store_true", help="do not remove anti-copy junk")


def _serve_arguments(serve_cmd: argparse.ArgumentParser) -> None:
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this computer only)")
    serve_cmd.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    serve_cmd.add_argument("--no-browser", action="store_true", help="do not open the page in the default browser")
    serve_cmd.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                           help="render processes (default: 2, or 1 on a one-core machine)")
    serve_cmd.add_argument("--max-waiting", type=_count, default=48, metavar="N",
                           help="renders that may wait for a worker; more are answered 503 busy (default: 48)")
    serve_cmd.add_argument("--time-limit", type=_seconds, default=30.0, metavar="SECONDS",
                           help="a render taking longer is stopped and answered 504 (default: 30)")


def _no_arguments(_: argparse.ArgumentParser) -> None:
    pass


#: Each command's one-line help and the function adding its arguments.
_SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "build": ("render an outline to DOCX, PDF and EPUB", _build_arguments),
    "check": ("validate an outline and run the GB/T 9704 pre-flight checks, without rendering", _check_arguments),
    "import": ("turn a briefing (text, saved web page, Word file) into an outline", _import_arguments),
    "serve": ("open a local web page: paste a briefing, review, preview, download", _serve_arguments),
    "themes": ("list the built-in themes", _no_arguments),
    "schema": ("print the JSON Schema of outline files", _no_arguments),
}


def _parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser; when ``argv`` starts with a command, only that command's.

    Only the chosen command's parser ever reads the rest of the line, so the others need not
    exist: argparse looks up the translation of its own messages for every parser it makes,
    which made building all six a few per cent of a cold build. Top-level help (``-h`` before a
    command) and an unknown command get the full parser, which lists every command.
    """
    parser = argparse.ArgumentParser(
        prog="briefexport",
        description="Turn one structured outline into a Word handout, a PDF with embedded Chinese fonts and an EPUB.",
    )
    parser.add_argument("--version", action="version", version=f"briefexport {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    args = sys.argv[1:] if argv is None else argv
    chosen = args[0] if args and args[0] in _SUBCOMMANDS else None
    for name, (summary, add_arguments) in _SUBCOMMANDS.items():
        if chosen in (None, name):
            add_arguments(commands.add_parser(name, help=summary))
    return parser


@contextlib.contextmanager
def _import_hint(path: Path) -> Iterator[None]:
    """Turn "not an outline" into the next step when the file is a briefing (``article.txt``)."""
    try:
        yield
    except OutlineError as exc:
        hinted = not_an_outline(path, exc)
        if hinted is exc:
            raise
        raise hinted from None


def _run_build(args: argparse.Namespace) -> int:
    from .theme.loader import load_theme

    outlines: list[Path] = args.outlines or [Path("outline.yaml")]
    theme = load_theme(args.theme, allow_paths=args.allow_path)
    if len(outlines) > 1 or outlines[0].is_dir():
        return _run_batch(outlines, theme, args)
    with _import_hint(outlines[0]):
        built_files = build(
            outlines[0], args.formats, args.out_dir, theme=theme, strict=args.strict, embed_font=args.embed_font, parallel=True
        )
    for built in built_files:
        print(f"{printable(str(built.path))}  {built.size / 1024:.0f} KB  {built.seconds:.2f} s")
    return 0


def _run_batch(paths: Sequence[Path], theme: Theme, args: argparse.Namespace) -> int:
    """Many outlines: one line per outline as each lands, then a summary; 1 if any failed."""
    import time

    from .builder.batch import build_many, collect_outlines

    start = time.perf_counter()
    outlines = collect_outlines(paths)
    failed = 0
    for outcome in build_many(outlines, args.formats, args.out_dir, theme=theme, strict=args.strict, embed_font=args.embed_font):
        for line in (*outcome.notes, *outcome.warnings):
            log.log(logging.WARNING if ": warning: " in line else logging.INFO, "%s", line)
        if outcome.error is not None:
            failed += 1
            print(outcome.error, file=sys.stderr, flush=True)
            continue
        size = sum(built.size for built in outcome.built)
        names = ", ".join(built.path.name for built in outcome.built)
        print(f"{outcome.outline}: {names}  {size / 1024:.0f} KB  {outcome.seconds:.2f} s", flush=True)
    elapsed = time.perf_counter() - start
    summary = f"built {len(outlines) - failed} of {len(outlines)} outlines into {args.out_dir} in {elapsed:.1f} s"
    print(summary + (f"; {failed} failed" if failed else ""))
    return 1 if failed else 0


def _run_check(args: argparse.Namespace) -> int:
    from .numbering import number
    from .outline.reader import load

    from .errors import warn
    from .outline.preflight import preflight

    with _import_hint(args.outline):
        doc = load(args.outline)
    findings = preflight(doc)
    for finding in findings:
        warn(finding.where, finding.message)
    numbered = number(doc)
    headings = sum(1 for _ in numbered.walk())
    warned = f", {len(findings)} warning{'s' if len(findings) != 1 else ''}" if findings else ""
    print(printable(f"{args.outline}: ok ({len(numbered.sections)} sections, {headings} headings{warned})"))
    return 0


def _run_import(args: argparse.Namespace) -> int:
    from .importer import import_path

    result = import_path(args.source, keep_junk=args.keep_junk)
    target = args.output or args.source.with_suffix(".yaml")
    if str(target) != "-":
        _may_write(target, args.source, force=args.force)
    if str(target) == "-":
        sys.stdout.write(result.yaml)
        print(printable(result.summary), file=sys.stderr)
        return 0
    _replace_keeping_backup(target, result.yaml)
    # After the write, so a failure is the only line.
    print(printable(result.summary), printable(f"wrote {target}; review it, then: briefexport build {target}"), sep="\n", file=sys.stderr)
    return 0


def _may_write(target: Path, source: Path, *, force: bool) -> None:
    """Refuse to overwrite the source, or an outline a person may have reviewed (unless ``--force``)."""
    where = SourcePos(str(target), 1, 1)
    if target.resolve() == source.resolve():
        raise OutlineError(where, "the outline would replace the briefing it is made from; choose another name with -o")
    if target.exists() and not force:
        raise OutlineError(
            where, "already exists and may hold your review; choose another name with -o, or add --force (keeps it as "
            f"{target.name}~)"
        )


def _replace_keeping_backup(target: Path, text: str) -> None:
    """Write ``target`` atomically, keeping its mode; an existing file is first copied to ``target~``."""
    import shutil

    from .builder._atomic import commit_all, fill, made_folders, reserve

    with made_folders(target.parent):
        tmp = reserve(target)
        fill(tmp, target, lambda path: path.write_text(text, encoding="utf-8"))
        try:
            if target.exists():  # a copy: the outline keeps its place (and mode) until the new one replaces it
                shutil.copy2(target, target.with_name(target.name + "~"))
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise LocatedError(target.with_name(target.name + "~"), f"cannot write: {exc.strerror or exc}") from None
        commit_all([(tmp, target)])


def _count(text: str) -> int:
    """A whole number, 0 or more (an argparse type)."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'")
    return int(text)


def _positive_int(text: str) -> int:
    """A whole number, 1 or more (an argparse type)."""
    if _count(text) < 1:
        raise argparse.ArgumentTypeError("expected 1 or more")
    return int(text)


def _seconds(text: str) -> float:
    """A positive number of seconds (an argparse type)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got '{text}'")
    return value


def _run_serve(args: argparse.Namespace) -> int:
    from .web.engine import EngineLimits
    from .web.server import serve

    defaults = EngineLimits()
    limits = EngineLimits(workers=args.workers or defaults.workers, waiting=args.max_waiting, time_limit=args.time_limit)
    serve(args.host, args.port, open_browser=not args.no_browser, limits=limits)
    return 0


def _run_themes(_: argparse.Namespace) -> int:
    from .theme.loader import load_theme, preset_names

    for name in preset_names():
        print(f"{name:10} {load_theme(name).description}")
    return 0


def _run_schema(_: argparse.Namespace) -> int:
    import json

    from .outline.schema import outline_schema

    print(json.dumps(outline_schema(), ensure_ascii=False, indent=2))
    return 0


_COMMANDS = {"build": _run_build, "check": _run_check, "import": _run_import, "themes": _run_themes, "schema": _run_schema,
             "serve": _run_serve}


class _Stopped(BaseException):
    """SIGTERM or SIGHUP arrived: unwind like Ctrl-C, so that temporary files are removed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, _frame: object) -> None:
    raise _Stopped(signum)


@contextlib.contextmanager
def _stopping_on_signals() -> Iterator[None]:
    """For one command, turn SIGTERM and SIGHUP into an exception (a forked render child inherits it)."""
    saved: dict[int, Any] = {}
    for signum in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
        if signum is not None:
            with contextlib.suppress(ValueError, OSError):  # not the main thread: leave signals alone
                saved[signum] = signal.signal(signum, _stop)
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def _error(text: str) -> None:
    """One line on stderr (nothing if stderr is closed), control characters escaped."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        print(printable(text), file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 bad input, 2 bad usage, 128+N stopped by signal N)."""
    args = _parser(argv).parse_args(argv)
    try:
        with _stopping_on_signals(), _logging_to_stderr(getattr(args, "strict", False)):
            status = _COMMANDS[args.command](args)
            if sys.stdout is not None:
                sys.stdout.flush()  # a full disk behind a redirection is reported here, not at exit
            return status
    except BriefexportError as exc:
        _error(str(exc) if isinstance(exc, LocatedError) else f"briefexport: error: {exc}")
        return 1
    except KeyboardInterrupt:
        _error("briefexport: interrupted; no output was changed")
        return 130
    except _Stopped as exc:
        _error(f"briefexport: stopped by {signal.Signals(exc.signum).name}; no output was changed")
        return 128 + exc.signum
    except BrokenPipeError:
        return _reader_went_away()
    except OSError as exc:  # writing to stdout (import, schema) on a full disk, and the like
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"briefexport: error: {where}{exc.strerror or exc}")
        _silence_stdout()
        return 1


def run() -> NoReturn:
    """The console script: :func:`main`, then exit without tearing the interpreter down.

    Python's orderly shutdown frees every module and object one by one; with python-docx and
    reportlab loaded that is a tenth of a cold single-format build, for memory the system
    reclaims at once anyway. Output is flushed first; nothing of ours needs atexit handlers.
    """
    status = main()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None when started with the stream closed (``build >&-``)
                stream.flush()
    except BrokenPipeError:
        status = _reader_went_away()
    except OSError as exc:  # a full disk behind a redirection
        _error(f"briefexport: error: {exc.strerror or exc}")
        status = 1
    os._exit(status)


def _reader_went_away() -> int:
    """Exit quietly when the reader of stdout (``| head``) has closed the pipe, as Unix tools do."""
    _silence_stdout()
    return 141  # 128 + SIGPIPE, what a shell reports for a writer killed by the signal


def _silence_stdout() -> None:
    """Python would report the failed flush of stdout at exit; point it at /dev/null instead."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    run()
