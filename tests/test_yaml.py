"""The strict YAML loader: libyaml's fast path gives exactly the nodes and errors of the pure-Python loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefexport import _yaml
from briefexport.errors import LocatedError, OutlineError

ROOT = Path(__file__).resolve().parent.parent

SAMPLES = {
    "plain": "title: 标题\nlead:\n  - 一段话\n",
    "wrapped plain": "title: 标题\nlead:\n  - 第一行\n    第二行 and\n    Latin words\n",
    "folded block": "lead: >\n  第一行\n  第二行\n\n  新段\n",
    "literal block": "lead: |\n  第一段\n  第二段\n\nbody: |-\n  a\n  b\n",
    "quoted over lines": 'title: "上半\n  下半"\nx: \'一\n  二\'\n',
    "escapes": 'a: "tab\\there \\u4e2d \\x41 \\N \\_"\nb: \'it\'\'s\'\n',
    "nul escape": 'title: "a\\0b"\n',
    "crlf": "title: 标题\r\nlead:\r\n  - 一\r\n",
    "flow": "numbering: ['{cn}、', '（{cn}）']\nkeywords: [甲, 乙]\n",
    "alias": "a: &x 1\nb: *x\n",
    "anchor only": "a: &x 1\n",
    "duplicate keys": "a: 1\na: 2\n",
    "tab indent": "a:\n\t- b\n",
    "unclosed flow": "title: [未闭合\n",
    "bad mapping": "title: 第一: 总则\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "deep": "a: " + "[" * 70 + "]" * 70 + "\n",
    "control character": "title: a\x07b\n",
    "empty": "",
    "only comment": "# nothing\n",
    "nulls": "a:\nb: ~\nc: null\n",
    "columns after CJK": "标题: 中文中文\n  坏: 缩进\n",
}


def _files() -> list[Path]:
    return [ROOT / "outline.yaml", *sorted((ROOT / "tests" / "data" / "bad").glob("*.yaml")),
            *sorted((ROOT / "src" / "briefexport" / "theme" / "presets").glob("*.yaml"))]


def _shape(node: Node | None) -> object:
    """Everything a reader looks at: kind, tag, style, positions, and text as fold_text gives it."""
    if node is None:
        return None
    where = (node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
    if isinstance(node, ScalarNode):
        return ("scalar", node.tag, node.style, where, _yaml.fold_text(node.value, literal=node.style == "|"))
    if isinstance(node, SequenceNode):
        return ("seq", node.tag, where, [_shape(item) for item in node.value])
    assert isinstance(node, MappingNode)
    return ("map", node.tag, where, [(_shape(k), _shape(v)) for k, v in node.value])


def _outcome(text: str) -> object:
    try:
        return _shape(_yaml.compose_text(text, "t.yaml", OutlineError))
    except LocatedError as exc:
        return ("error", str(exc))


def _both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    fast = _outcome(text)
    with monkeypatch.context() as patch:
        patch.setattr(_yaml, "_C_LOADER", None)
        slow = _outcome(text)
    return fast, slow


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_fast_path_equals_pure_python(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = _both(SAMPLES[name], monkeypatch)
    assert fast == slow


@pytest.mark.parametrize("path", _files(), ids=lambda path: path.name)
def test_fast_path_equals_pure_python_on_files(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        text = _yaml.decode(path.read_bytes(), str(path), OutlineError)
    except LocatedError:
        pytest.skip("not decodable; compose_text never sees it")
    fast, slow = _both(text, monkeypatch)
    assert fast == slow


def test_the_fast_path_is_taken_where_it_can_be() -> None:
    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML was built without libyaml")
    seed = (ROOT / "outline.yaml").read_text(encoding="utf-8")
    assert _yaml._compose_fast(seed, "outline.yaml", OutlineError) is not None
    assert _yaml._compose_fast(SAMPLES["literal block"], "t.yaml", OutlineError) is not None
    for name in ("wrapped plain", "folded block", "quoted over lines", "nul escape", "alias", "unclosed flow"):
        assert _yaml._compose_fast(SAMPLES[name], "t.yaml", OutlineError) is None, name
