"""Property: any valid outline renders in every format, and every paragraph and label comes back."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import briefexport
from briefexport.numbering import NumberedDocument
from conftest import require_tool
from readback import docx_paragraphs, epub_blocks, expected_blocks, in_order, pdf_text, squash

HANZI = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研镕堃喆"
ALPHABET = HANZI + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789，。、；：？！“”《》（）…—<>&'\",.:;?()-/#%[]{}= "

text = st.text(alphabet=ALPHABET, min_size=1, max_size=60).map(str.strip).filter(bool)
span = st.tuples(text, st.booleans())
para = st.lists(span, min_size=1, max_size=3).map(lambda spans: "".join(f"**{t}**" if bold else t for t, bold in spans))
template = st.sampled_from(["{cn}、", "（{cn}）", "{n}.", "（{n}）", "{cn}是", "重点任务{cn}：", "第{cn}条", "{roman}.", "Part {n}: ", "none"])


def node(level: int) -> st.SearchStrategy[dict[str, Any]]:
    children = st.lists(node(level + 1), max_size=3) if level < 4 else st.just([])
    return st.fixed_dictionaries(
        {"title": text, "body": st.lists(para, max_size=2), "items": children},
        optional={"numbering": template, "kicker": text},
    ).map(lambda entry: {key: value for key, value in entry.items() if value != []})


outline = st.fixed_dictionaries(
    {"title": text, "sections": st.lists(node(1), min_size=1, max_size=3)},
    optional={"subtitle": text, "lead": st.lists(para, min_size=1, max_size=2)},
)


EXAMPLES = int(os.environ.get("BRIEFEXPORT_PROPERTY_EXAMPLES", "12"))


# No shrink phase: each example renders three files, and shrinking a failure can take many minutes;
# the failing example is printed as drawn.
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(outline)
def test_every_paragraph_and_label_survives_every_format(data: dict[str, Any]) -> None:
    require_tool("pdftotext")
    doc = briefexport.number(briefexport.loads(yaml.safe_dump(data, allow_unicode=True)))
    expected = expected_blocks(doc)
    with tempfile.TemporaryDirectory() as folder:
        extracted = {}
        for fmt in ("docx", "pdf", "epub"):
            path = briefexport.render(doc, fmt, Path(folder) / f"x.{fmt}")
            if fmt == "docx":
                extracted[fmt] = squash("\n".join(docx_paragraphs(path)))
            elif fmt == "epub":
                extracted[fmt] = squash("\n".join(epub_blocks(path)))
            else:
                extracted[fmt] = squash(pdf_text(path))
    for fmt, got in extracted.items():
        assert in_order(expected, got) == [], fmt


@pytest.mark.parametrize("markup", ["<para>", "&amp;", "</w:t>", "]]>", "*a*", "\\u0000"])
def test_markup_like_text_survives(markup: str, tmp_path: Path) -> None:
    require_tool("pdftotext")
    doc = briefexport.loads(yaml.safe_dump({"title": f"标题{markup}", "lead": [f"正文{markup}结束"]}, allow_unicode=True))
    for fmt in ("docx", "pdf", "epub"):
        path = briefexport.render(doc, fmt, tmp_path / f"x.{fmt}")
        got = {"docx": lambda: "".join(docx_paragraphs(path)), "epub": lambda: "".join(epub_blocks(path)), "pdf": lambda: pdf_text(path)}[fmt]()
        assert squash(f"正文{markup}结束") in squash(got), fmt
