"""The library API: atomic output, reproducible timestamps, the renderer table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import briefexport
from briefexport import RenderError
from briefexport.builder import api
from briefexport.render import get_renderer


class _Crash(Exception):
    pass


def _half_writer(doc, theme, out: Path, *, opts) -> None:  # type: ignore[no-untyped-def]
    out.write_bytes(b"%PDF-1.4 half a file")
    raise _Crash("renderer died halfway")


def test_failed_render_leaves_earlier_file_and_no_temporary(tmp_path: Path, seed_outline_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    earlier = tmp_path / "outline.pdf"
    earlier.write_bytes(b"the good PDF from yesterday")
    monkeypatch.setattr(api, "get_renderer", lambda name: _half_writer)
    with pytest.raises(_Crash):
        briefexport.build(seed_outline_path, ["pdf"], tmp_path)
    assert earlier.read_bytes() == b"the good PDF from yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outline.pdf"]


def test_unknown_format() -> None:
    with pytest.raises(RenderError, match=r"unknown format 'odt'; available: docx, epub, pdf"):
        get_renderer("odt")


def test_creation_time_from_source_date_epoch(seed_doc, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert api.creation_time(seed_doc.doc) == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.timezone.utc)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert api.creation_time(seed_doc.doc) == dt.datetime(2024, 1, 14, tzinfo=dt.timezone.utc)


def test_bad_source_date_epoch(seed_doc, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(briefexport.BriefexportError, match="SOURCE_DATE_EPOCH must be a Unix time"):
        api.creation_time(seed_doc.doc)


@pytest.mark.parametrize("parallel", [False, True])
def test_a_failing_format_lands_no_file_at_all(
    tmp_path: Path, seed_outline_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    real = api.get_renderer

    def failing_epub(name: str):  # type: ignore[no-untyped-def]
        return _half_writer if name == "epub" else real(name)

    monkeypatch.setattr(api, "get_renderer", failing_epub)
    (tmp_path / "outline.docx").write_bytes(b"yesterday's docx")
    with pytest.raises((_Crash, RuntimeError)):
        briefexport.build(seed_outline_path, ["pdf", "docx", "epub"], tmp_path, parallel=parallel)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outline.docx"]
    assert (tmp_path / "outline.docx").read_bytes() == b"yesterday's docx"
