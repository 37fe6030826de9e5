"""The ``briefexport`` command: a thin layer over the library API."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from . import __version__
from .builder.api import FORMATS, build
from .errors import BriefexportError, LocatedError

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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefexport",
        description="Turn one structured outline into a Word handout, a PDF with embedded Chinese fonts and an EPUB.",
    )
    parser.add_argument("--version", action="version", version=f"briefexport {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="render an outline to DOCX, PDF and EPUB")
    build_cmd.add_argument("outline", nargs="?", default="outline.yaml", type=Path, help="outline file (default: outline.yaml)")
    build_cmd.add_argument("-f", "--formats", type=_formats, default=list(FORMATS), help="comma-separated: docx,pdf,epub (default: all)")
    build_cmd.add_argument("-o", "--out-dir", type=Path, default=Path("build"), help="output folder (default: build)")
    build_cmd.add_argument("-t", "--theme", default="handout", help="preset name (handout, gongwen, ebook) or theme file")
    build_cmd.add_argument("--embed-font", action=argparse.BooleanOptionalAction, default=None, help="EPUB: embed a font subset")
    build_cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build_cmd.add_argument(
        "--allow-path", action="append", type=Path, default=[], metavar="DIR",
        help="let a theme file extend files in DIR too (by default only presets and files beside the theme)",
    )

    check_cmd = commands.add_parser("check", help="validate an outline without rendering")
    check_cmd.add_argument("outline", nargs="?", default="outline.yaml", type=Path)

    import_cmd = commands.add_parser("import", help="turn a pasted briefing (text file) into an outline")
    import_cmd.add_argument("source", type=Path, help="text file (UTF-8, GB18030 or UTF-16)")
    import_cmd.add_argument("-o", "--output", type=Path, help="write the outline here (default: standard output)")
    import_cmd.add_argument("--keep-junk", action="store_true", help="do not remove anti-copy junk")

    commands.add_parser("themes", help="list the built-in themes")
    commands.add_parser("schema", help="print the JSON Schema of outline files")
    return parser


def _run_build(args: argparse.Namespace) -> int:
    from .theme.loader import load_theme

    theme = load_theme(args.theme, allow_paths=args.allow_path)
    built_files = build(
        args.outline, args.formats, args.out_dir, theme=theme, strict=args.strict, embed_font=args.embed_font, parallel=True
    )
    for built in built_files:
        print(f"{built.path}  {built.size / 1024:.0f} KB  {built.seconds:.2f} s")
    return 0


def _run_check(args: argparse.Namespace) -> int:
    from .numbering import number
    from .outline.reader import load

    numbered = number(load(args.outline))
    headings = sum(1 for _ in numbered.walk())
    print(f"{args.outline}: ok ({len(numbered.sections)} sections, {headings} headings)")
    return 0


def _run_import(args: argparse.Namespace) -> int:
    from .builder._atomic import write_atomically
    from .importer.plain import import_file

    result = import_file(args.source, keep_junk=args.keep_junk)
    if args.output is None:
        sys.stdout.write(result.yaml)
    else:
        write_atomically(args.output, lambda tmp: _write_text(tmp, result.yaml))
    print(result.summary, file=sys.stderr)  # after the write, so a failure is the only line
    return 0


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _run_themes(_: argparse.Namespace) -> int:
    from .theme.loader import load_theme, preset_names

    for name in preset_names():
        print(f"{name:10} {load_theme(name).description}")
    return 0


def _run_schema(_: argparse.Namespace) -> int:
    from .outline.schema import outline_schema

    print(json.dumps(outline_schema(), ensure_ascii=False, indent=2))
    return 0


_COMMANDS = {"build": _run_build, "check": _run_check, "import": _run_import, "themes": _run_themes, "schema": _run_schema}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 bad input, 2 bad usage)."""
    args = _parser().parse_args(argv)
    try:
        with _logging_to_stderr(getattr(args, "strict", False)):
            return _COMMANDS[args.command](args)
    except BriefexportError as exc:
        print(exc if isinstance(exc, LocatedError) else f"briefexport: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("briefexport: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_went_away()


def _reader_went_away() -> int:
    """Exit quietly when the reader of stdout (``| head``) has closed the pipe, as Unix tools do."""
    # Python would report the failed flush of stdout at exit; point it at /dev/null instead.
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 141  # 128 + SIGPIPE, what a shell reports for a writer killed by the signal


if __name__ == "__main__":
    sys.exit(main())
