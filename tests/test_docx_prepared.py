"""The DOCX's styled template kept on disk (``render.docx._prepared``): the same file, or a miss."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import zipfile
from pathlib import Path

import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.styles import BabelFish

from briefexport import load, number
from briefexport.fonts._metrics_cache import MetricsCache
from briefexport.fonts.fontset import FontSet
from briefexport.numbering import NumberedDocument
from briefexport.render import RenderOptions
from briefexport.render import docx as docx_renderer
from briefexport.render._pdf_facts import LayoutCache
from briefexport.render.docx import _prepared
from briefexport.theme.loader import Theme, load_theme


def _opts(cache: Path | None) -> RenderOptions:
    return RenderOptions(fonts=FontSet(system=False, metrics=MetricsCache(None)), created=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc),
                         layout_cache=None if cache is None else LayoutCache(cache))


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("docx-styled-*.marshal"))


def _render(doc: NumberedDocument, theme: Theme, out: Path, cache: Path | None) -> bytes:
    docx_renderer.render(doc, theme, out, opts=_opts(cache))
    return out.read_bytes()


@pytest.mark.parametrize(("outline", "preset"), [("outline.yaml", "handout"), ("outline.yaml", "gongwen"), ("examples/notice.yaml", "gongwen")])
def test_a_kept_template_gives_the_same_file(tmp_path: Path, root: Path, outline: str, preset: str) -> None:
    doc, theme = number(load(root / outline)), load_theme(preset)
    fresh = _render(doc, theme, tmp_path / "fresh.docx", None)
    assert _render(doc, theme, tmp_path / "miss.docx", tmp_path / "cache") == fresh
    assert len(_entries(tmp_path / "cache")) == 1
    calls: list[str] = []
    real = _prepared.keep

    def counting(*args: object, **kwargs: object) -> object:
        calls.append("keep")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_prepared, "keep", counting)
        assert _render(doc, theme, tmp_path / "hit.docx", tmp_path / "cache") == fresh
    assert calls == []  # taken from the entry


def test_the_body_of_a_kept_template_leaves_its_styles_unparsed(tmp_path: Path, seed_doc: NumberedDocument) -> None:
    theme = load_theme("handout")
    _render(seed_doc, theme, tmp_path / "miss.docx", tmp_path)
    geometry = docx_renderer.writer.Geometry.of(theme)
    styled, _ = docx_renderer.writer._styled(seed_doc, theme, geometry, _opts(tmp_path))
    styles = styled.document.part.part_related_by(_prepared.RT.STYLES)
    assert isinstance(styles, _prepared._PreparedStyles) and styles._parsed is None
    assert styled.style_ids == _prepared.style_index(styles.element)  # the kept index is the styles' own
    for name, style_id in styled.style_ids.items():  # and python-docx's answers
        assert styled.document.part.get_style_id(BabelFish.internal2ui(name), WD_STYLE_TYPE.PARAGRAPH) == style_id


def test_a_changed_theme_or_broken_entry_is_styled_again(tmp_path: Path, seed_doc: NumberedDocument) -> None:
    theme = load_theme("handout")
    first = _render(seed_doc, theme, tmp_path / "a.docx", tmp_path)
    body = dataclasses.replace(theme.style("body"), size=theme.style("body").size + 1)
    larger: Theme = dataclasses.replace(theme, styles={**theme.styles, "body": body})
    assert _render(seed_doc, larger, tmp_path / "b.docx", tmp_path) == _render(seed_doc, larger, tmp_path / "b0.docx", None)
    assert len(_entries(tmp_path)) == 2
    for entry in _entries(tmp_path):
        entry.write_bytes(entry.read_bytes()[:1000])
    assert _render(seed_doc, theme, tmp_path / "c.docx", tmp_path) == first


def test_a_template_whose_styling_warned_is_not_kept(tmp_path: Path, seed_doc: NumberedDocument, caplog: pytest.LogCaptureFixture) -> None:
    theme = load_theme("handout")
    odd = dataclasses.replace(theme.style("h1"), color="teal")
    warned: Theme = dataclasses.replace(theme, styles={**theme.styles, "h1": odd})
    _render(seed_doc, warned, tmp_path / "a.docx", tmp_path)
    assert "teal" in caplog.text and _entries(tmp_path) == []
    caplog.clear()
    _render(seed_doc, warned, tmp_path / "b.docx", tmp_path)
    assert "teal" in caplog.text  # said again: styled again


def test_a_damaged_entry_gives_the_same_file_not_a_broken_one(tmp_path: Path, seed_doc: NumberedDocument) -> None:
    """A changed byte in the kept styles.xml's deflated bytes, which go into the DOCX as they are."""
    theme = load_theme("handout")
    fresh = _render(seed_doc, theme, tmp_path / "fresh.docx", tmp_path)
    with zipfile.ZipFile(tmp_path / "fresh.docx") as package:
        info = package.getinfo("word/styles.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)  # the local header's fixed part, name, extra
    deflated = fresh[start:start + info.compress_size]
    (entry,) = _entries(tmp_path)
    raw = bytearray(entry.read_bytes())
    at = raw.find(deflated) + len(deflated) // 2
    assert at > len(deflated) // 2  # the entry holds the bytes the DOCX has
    raw[at] ^= 0x20
    entry.write_bytes(bytes(raw))
    assert _render(seed_doc, theme, tmp_path / "damaged.docx", tmp_path) == fresh


def test_a_template_styled_while_warnings_are_dropped_is_not_kept(tmp_path: Path, seed_doc: NumberedDocument,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    """A theme warning would otherwise be lost for every later build, whose logging shows warnings."""
    theme = load_theme("handout")
    red: Theme = dataclasses.replace(theme, styles={**theme.styles, "kicker": dataclasses.replace(theme.style("kicker"), color="red")})
    logger = logging.getLogger("briefexport")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        _render(seed_doc, red, tmp_path / "quiet.docx", tmp_path / "cache")
    finally:
        logger.setLevel(level)
    assert _entries(tmp_path / "cache") == []
    with caplog.at_level(logging.WARNING, logger="briefexport"):
        _render(seed_doc, red, tmp_path / "loud.docx", tmp_path / "cache")
    assert "colour 'red' is not #RRGGBB" in caplog.text
