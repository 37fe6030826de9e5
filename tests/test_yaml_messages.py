"""YAML mistakes a person makes while reviewing an imported outline, explained in plain words at their line."""

from __future__ import annotations

import pytest

from briefexport import OutlineError, loads


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("title: T\nsections:\n  - title: A\n      body: x\n", "4:7", "indented more than the one above"),
        ("title: T\nsections:\n  - title: A\n    items:\n      - title: a\n        - title: b\n", "6:9", "indented more than the one above"),
        ("title: T\nsections:\n  - title: A\n    items:\n      - title: a\n     - title: b\n", "6:6", "indented less than the one above"),
        ("title: T\nsections:\n  - title: A\n    body: x\n   kicker: k\n", "5:4", "line it up with the key"),
        ("title: T\nsections:\n  - title: A\n  body: x\n", "4:3", "indent it two more spaces"),
        ("title: T\nlead:\n  - 第一段\n第二段没有缩进\nsections: []\n", "4:1", "indent it to continue the text above"),
        ('title: "T\nlead:\n  - a\n', "1:8", "this quote is never closed"),
    ],
)
def test_yaml_mistakes_are_explained_at_their_line(text: str, where: str, words: str) -> None:
    with pytest.raises(OutlineError) as caught:
        loads(text, "o.yaml")
    message = str(caught.value)
    assert message.startswith(f"o.yaml:{where}: error: ") and words in message
    assert "<block end>" not in message and "expected" not in message and "\n" not in message
