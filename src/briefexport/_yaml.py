"""A strict YAML reader that keeps source positions and refuses what outlines never need.

PyYAML silently accepts duplicate keys, expands aliases and folds line breaks
into spaces (wrong between two Chinese characters); this loader composes a node
graph with marks, rejects aliases, duplicates and runaway nesting, and marks
every folded line break so text can be rejoined the Chinese way.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from typing import Any
from pathlib import Path

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, MappingStartEvent, SequenceEndEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Coded, LocatedError, SourcePos, coded
from .text import is_cjk

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_LIST", "MAX_NODES", "compose_file", "compose_text", "fold_text", "pos_of", "read_bounded"]

#: Largest file read at all; real outlines are a few hundred kilobytes.
MAX_BYTES = 8 * 1024 * 1024
#: Deepest YAML nesting accepted (an outline of 4 levels needs about 10).
MAX_DEPTH = 64
#: Most YAML values (scalars, lists, mappings) a file may hold: 20,000 items take about 100,000.
#: Counting while composing refuses a huge list (an 8 MB ``keywords:``) before it fills memory.
MAX_NODES = 200_000
#: Most entries one list may hold (20,000 items in a section, a few keywords): a longer list is
#: refused as soon as it is read that far, not after the whole file is composed.
MAX_LIST = 25_000
#: Stands for a line break the YAML scanner folded; never valid in a YAML stream.
LINE_BREAK = "\x00"

ErrorFactory = type[LocatedError]


def pos_of(node: Node, file: str) -> SourcePos:
    """The 1-based position where a node starts."""
    return SourcePos(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Strict:
    """Composes nodes as PyYAML does, but forbids aliases and anchors and bounds nesting."""

    _file: str
    _error: ErrorFactory
    _depth: int
    _nodes: int

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, AliasEvent):
            raise self._error(self._here(event), "YAML aliases (*name) are not allowed in an outline; write the text out", coded("yaml_alias"))
        if getattr(event, "anchor", None):
            raise self._error(self._here(event), "YAML anchors (&name) are not allowed in an outline; remove the anchor", coded("yaml_anchor"))
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise self._error(self._here(event), f"more than {MAX_NODES:,} values in one file; split the outline into several files",
                              coded("yaml_too_many", most=f"{MAX_NODES:,}"))
        nested = isinstance(event, (MappingStartEvent, SequenceStartEvent))
        self._depth += nested
        if self._depth > MAX_DEPTH:
            raise self._error(self._here(event), f"nesting deeper than {MAX_DEPTH} levels; an outline has at most 4 levels of items",
                              coded("yaml_too_deep", most=MAX_DEPTH))
        try:
            return Composer.compose_node(self, parent, index)  # type: ignore[arg-type]  # a mixin of Composer subclasses
        finally:
            self._depth -= nested

    def _here(self, event: Any) -> SourcePos:
        """Where ``event`` starts (made only for an error: every value of a file passes compose_node)."""
        return SourcePos(self._file, event.start_mark.line + 1, event.start_mark.column + 1)

    def compose_sequence_node(self, anchor: Any) -> SequenceNode:
        """PyYAML's ``Composer.compose_sequence_node`` (5.x–6.x), refusing a list longer than MAX_LIST."""
        start = self.get_event()  # type: ignore[attr-defined]
        tag = start.tag
        if tag is None or tag == "!":
            tag = self.resolve(SequenceNode, None, start.implicit)  # type: ignore[attr-defined]
        node = SequenceNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
        while not self.check_event(SequenceEndEvent):  # type: ignore[attr-defined]
            if len(node.value) >= MAX_LIST:
                mark = self.peek_event().start_mark  # type: ignore[attr-defined]
                raise self._error(SourcePos(self._file, mark.line + 1, mark.column + 1),
                                  f"a list of more than {MAX_LIST:,} entries; split the outline into several files",
                                  coded("yaml_list_long", most=f"{MAX_LIST:,}"))
            node.value.append(self.compose_node(node, len(node.value)))
        node.end_mark = self.get_event().end_mark  # type: ignore[attr-defined]
        return node


class _Loader(_Strict, yaml.SafeLoader):
    """SafeLoader that marks line breaks, forbids aliases and bounds nesting."""

    def __init__(self, stream: str, file: str, error: ErrorFactory) -> None:
        super().__init__(stream)
        self._file = file
        self._error = error
        self._depth = 0
        self._nodes = 0

    def scan_line_break(self) -> str:
        found: str = super().scan_line_break()  # type: ignore[no-untyped-call]
        return LINE_BREAK if found == "\n" else found


class _Fallback(Exception):
    """The C parser met what only the pure-Python loader folds or reports as before."""


#: The libyaml-backed loader class, where PyYAML was built with libyaml.
_C_LOADER: Any = None

if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(_Strict, yaml.CSafeLoader):
        """libyaml's scanner and parser (about 9× faster), PyYAML's composer with the same checks.

        libyaml folds a line break inside a scalar into a space and keeps no source text, so any
        scalar spread over several lines (except a ``|`` block, whose breaks stay as they are),
        and any NUL, sends the whole file back to :class:`_Loader`, which marks each folded
        break (to rejoin Chinese lines without a space) and checks NUL escapes. So does every
        error, so that messages stay word for word what the pure-Python loader says.
        """

        # The pure-Python composer over libyaml's events (CParser composes in C, without our checks).
        get_single_node: Any = Composer.get_single_node
        compose_document: Any = Composer.compose_document
        compose_mapping_node: Any = Composer.compose_mapping_node

        def __init__(self, stream: str, file: str, error: ErrorFactory) -> None:
            super().__init__(stream)
            self.anchors: dict[str, Node] = {}
            self._file = file
            self._error = error
            self._depth = 0
            self._nodes = 0

        def compose_scalar_node(self, anchor: str | None) -> Node:
            node: ScalarNode = Composer.compose_scalar_node(self, anchor)  # type: ignore[arg-type]  # stubs: anchor is str
            if (node.style != "|" and node.end_mark.line != node.start_mark.line) or LINE_BREAK in node.value:
                raise _Fallback
            node.style = node.style or None  # libyaml says '' for plain scalars, PyYAML None
            return node

    _C_LOADER = _CLoader


def _compose_fast(text: str, file: str, error: ErrorFactory) -> Node | None:
    """The node graph by libyaml, or None where :class:`_Loader` must compose it (see :class:`_CLoader`)."""
    if _C_LOADER is None:
        return None  # pragma: no cover - PyYAML built without libyaml
    try:
        loader = _C_LOADER(text, file, error)
    except Exception:  # noqa: BLE001 - whatever libyaml refuses, the pure-Python loader reports
        return None
    try:
        node: Node | None = loader.get_single_node()
    except Exception:  # noqa: BLE001 - _Fallback, and every YAML error: reported by _Loader in its own words
        return None
    finally:
        loader.dispose()
    return node


def _join_folded(left: str, right: str) -> str:
    if not left or not right:
        return left + right
    glue = "" if is_cjk(left[-1]) or is_cjk(right[0]) else " "
    return left.rstrip(" ") + glue + right.lstrip(" ")


def fold_text(value: str, *, literal: bool) -> str:
    """Resolve marked line breaks: literal blocks keep them, folded text joins lines.

    A single folded break joins two lines with a space only between non-CJK
    characters; a blank line (two or more breaks) becomes a newline.
    """
    if literal:
        return value.replace(LINE_BREAK, "\n")
    out = ""
    for index, chunk in enumerate(value.split(LINE_BREAK + LINE_BREAK)):
        pieces = chunk.split(LINE_BREAK)
        joined = pieces[0]
        for piece in pieces[1:]:
            joined = _join_folded(joined, piece) if piece else joined + "\n"
        out = joined if index == 0 else out + "\n" + joined
    return out


def compose_text(text: str, file: str, error: ErrorFactory) -> Node | None:
    """Compose YAML text into a node graph, turning YAML errors into located errors.

    libyaml composes it where it can (see :class:`_CLoader`); a literal ``|`` block then holds
    real line breaks where the pure-Python loader's holds :data:`LINE_BREAK` marks, which
    :func:`fold_text` turns into the same line breaks.
    """
    fast = _compose_fast(text, file, error)
    if fast is not None:
        return fast
    try:
        loader = _Loader(text, file, error)
    except yaml.reader.ReaderError as exc:
        raise error(_position(text, file, exc.position), *_describe_character(exc.character)) from None
    try:
        return loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        raise error(_position(text, file, exc.position), *_describe_character(exc.character)) from None
    except yaml.MarkedYAMLError as exc:
        where, plain = _plain_words(exc, text.split("\n"))
        if plain is not None:
            raise error(SourcePos(file, *where), _PLAIN_WORDS[plain], coded(plain)) from None
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise error(SourcePos(file, line, col), *_describe_yaml_error(exc)) from None
    except yaml.YAMLError as exc:
        raise error(SourcePos(file, 1, 1), f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def _position(text: str, file: str, index: int) -> SourcePos:
    before = text[:index]
    return SourcePos(file, before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1)


def _describe_character(character: str | int) -> tuple[str, Coded]:
    code = character if isinstance(character, int) else ord(character)
    if code == 0:
        return ("NUL byte (U+0000): this is not a text file, or it is UTF-16 without a byte-order mark; save it as UTF-8",
                coded("nul_byte"))
    return f"control character U+{code:04X} in the file; delete it", coded("control_char", codepoint=f"U+{code:04X}")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _line_above(lines: list[str], index: int) -> str | None:
    """The nearest line above that holds YAML (not blank, not a comment)."""
    for line in reversed(lines[:index]):
        if line.strip() and not line.lstrip().startswith("#"):
            return line
    return None


# The plain-words explanations by code, so the web page can say them in Chinese (errors.Coded).
_PLAIN_WORDS = {
    "yaml_quote_open": "this quote is never closed; add the closing quote at the end of the text",
    "yaml_not_key_value": "this line is neither 'key: value' nor indented under a key; indent it to continue the text "
                          "above, or start it with '- ' as an item of the list above",
    "yaml_indent_more": "this line is indented more than the one above; keys of one entry, and the items of one list, "
                        "start at the same column",
    "yaml_indent_dash": "this line starts at the column of the '- ' above; indent it two more spaces to put it in that item",
    "yaml_indent_less": "this line is indented less than the one above but not as far out as any key above it; "
                        "line it up with the key or the '- ' it belongs with",
}


def _plain_words(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[tuple[int, int], str | None]:
    """Indentation and unclosed-quote errors explained at the line a person must change (as a code of
    :data:`_PLAIN_WORDS`), or no code."""
    problem, context = exc.problem or "", exc.context or ""
    mark, opened = exc.problem_mark, exc.context_mark
    if "quoted scalar" in context and "end of stream" in problem and opened is not None:
        return (opened.line + 1, opened.column + 1), "yaml_quote_open"
    if "simple key" in context and "expected ':'" in problem and opened is not None:
        return (opened.line + 1, opened.column + 1), "yaml_not_key_value"
    if mark is None or mark.line >= len(lines) or not ("expected <block end>" in problem or "mapping values" in problem):
        return (1, 1), None
    here, above = lines[mark.line], _line_above(lines, mark.line)
    where = (mark.line + 1, _indent(here) + 1)
    if above is None:
        return where, None
    if _indent(here) > _indent(above):
        return where, "yaml_indent_more"
    if "mapping values" in problem:
        return where, None
    if _indent(here) == _indent(above) and above.lstrip().startswith("- ") and not here.lstrip().startswith("-"):
        return where, "yaml_indent_dash"
    return where, "yaml_indent_less"


def _describe_yaml_error(exc: yaml.MarkedYAMLError) -> tuple[str, Coded]:
    problem = (exc.problem or exc.context or "invalid YAML").replace(LINE_BREAK, "\\n")
    if "another document" in problem:
        return "a file holds one outline; remove the second '---' document", coded("yaml_two_documents")
    if "'\\t'" in problem:
        return "tab character in indentation; YAML indents with spaces only", coded("yaml_tab")
    context = exc.context or ""
    if "flow" in context and exc.context_mark is not None:
        line, col = exc.context_mark.line + 1, exc.context_mark.column + 1
        hint = f"; the '[' or '{{' at line {line}, column {col} is never closed (quote text that starts with [ or {{)"
        return f"invalid YAML: {problem}{hint}", coded("yaml_flow_open", line=line, col=col)
    if "mapping values are not allowed" in problem:
        return (f"invalid YAML: {problem}; a value containing ': ' must be quoted, e.g. title: '第一: 总则'",
                coded("yaml_colon_quote"))
    if "could not find expected ':'" in problem:
        return f"invalid YAML: {problem}; check the indentation of this line and the one before", coded("yaml_indent_check")
    if "special characters are not allowed" in problem or "unacceptable character" in problem:
        return f"invalid YAML: {problem}; remove control characters from the file", coded("yaml_control")
    return f"invalid YAML: {problem}", coded("yaml_invalid", problem=problem)


def decode(data: bytes, file: str, error: ErrorFactory) -> str:
    """Decode an outline file: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise error(SourcePos(file, 1, 1), "file starts with a UTF-16 mark but is not valid UTF-16") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    prefix = data[: utf8_error.start]
    line = prefix.count(b"\n") + 1
    col = len(prefix) - (prefix.rfind(b"\n") + 1) + 1
    raise error(
        SourcePos(file, line, col),
        f"file is not UTF-8 text (byte 0x{data[utf8_error.start]:02x}); save it as UTF-8",
    )


def read_bounded(path: Path, error: ErrorFactory, *, limit: int = MAX_BYTES, what: str = "outlines and themes") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or a located error.

    ``st_size`` is 0 for devices, FIFOs and terminals (``/dev/zero``, ``/dev/stdin``), so the
    size is checked on what is actually read, with a bounded read; the file is opened without
    blocking (a FIFO with no writer would hang ``open``) and refused unless it is a regular file.
    """
    file = str(path)
    where = SourcePos(file, 1, 1)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise error(where, "no such file") from None
    except IsADirectoryError:
        raise error(where, "is a folder, not a file") from None
    except OSError as exc:
        raise error(where, f"cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error(where, "is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise error(where, "is not a regular file (a device, pipe or socket); save the text to a file and give that")
        if info.st_size > limit:
            raise error(where, f"file is {info.st_size / 2**20:.0f} MiB; {what} are limited to {limit // 2**20} MiB")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise error(where, f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:  # the file grew while it was read
        raise error(where, f"file is over {limit // 2**20} MiB; {what} are limited to {limit // 2**20} MiB")
    return data


def compose_file(path: Path, error: ErrorFactory) -> Node | None:
    """Read (bounded, regular files only), decode and compose one YAML file."""
    file = str(path)
    return compose_text(decode(read_bounded(path, error), file, error), file, error)


_NUL_ESCAPE = re.compile(r"\\(?:0|x00|u0000|U00000000)")


def escapes_nul(node: ScalarNode) -> bool:
    """True when a double-quoted scalar spells a NUL as an escape (``"\\0"``), which PyYAML turns into U+0000.

    U+0000 is this loader's folded-line-break mark, so such text must be refused before folding.
    """
    start, end = node.start_mark, node.end_mark
    if node.style != '"' or start.buffer is None:
        return False
    source = start.buffer[start.pointer : end.pointer].replace("\\\\", "")
    return _NUL_ESCAPE.search(source) is not None


def is_null(node: Node) -> bool:
    """True for an empty or ``null`` scalar."""
    return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def mapping_pairs(node: MappingNode, file: str, error: ErrorFactory) -> dict[str, tuple[Node, Node]]:
    """A mapping's pairs by key text, refusing non-text keys and duplicates."""
    pairs: dict[str, tuple[Node, Node]] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise error(pos_of(key_node, file), "keys must be plain words", coded("plain_keys"))
        key = key_node.value
        if key == "<<":
            raise error(pos_of(key_node, file), "YAML merge keys (<<) are not allowed in an outline", coded("yaml_merge"))
        if key in pairs:
            first = pairs[key][0].start_mark.line + 1
            raise error(pos_of(key_node, file), f"duplicate key '{key}' (first given on line {first}); keep one",
                        coded("duplicate_key", key=key, first=first))
        pairs[key] = (key_node, value_node)
    return pairs
