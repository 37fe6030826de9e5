"""Same input, same bytes; SOURCE_DATE_EPOCH is the only date inside the files."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

import briefexport


@pytest.mark.parametrize("fmt", ["docx", "pdf", "epub"])
def test_two_builds_are_byte_identical(tmp_path: Path, seed_outline_path: Path, fmt: str) -> None:
    first = briefexport.build(seed_outline_path, [fmt], tmp_path / "a")[0].path.read_bytes()
    second = briefexport.build(seed_outline_path, [fmt], tmp_path / "b")[0].path.read_bytes()
    assert first == second


def test_parallel_build_equals_serial(tmp_path: Path, seed_outline_path: Path) -> None:
    parallel = briefexport.build(seed_outline_path, out_dir=tmp_path / "p", parallel=True)
    serial = briefexport.build(seed_outline_path, out_dir=tmp_path / "s", parallel=False)
    assert [b.path.read_bytes() for b in parallel] == [b.path.read_bytes() for b in serial]


@pytest.mark.parametrize("fmt", ["docx", "epub"])
def test_zip_entries_carry_source_date_epoch(tmp_path: Path, seed_outline_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    path = briefexport.build(seed_outline_path, [fmt], tmp_path)[0].path
    with zipfile.ZipFile(path) as archive:
        stamps = {info.date_time for info in archive.infolist()}
        text = "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist() if name.endswith(".xml") or name.endswith(".opf"))
    assert stamps == {(2023, 11, 14, 22, 13, 20)}
    assert "2023-11-14T22:13:20Z" in text
    assert str(dt.date.today().year + 1) not in text


def test_pdf_dates_carry_source_date_epoch(tmp_path: Path, seed_outline_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    data = briefexport.build(seed_outline_path, ["pdf"], tmp_path)[0].path.read_bytes()
    assert b"D:20231114221320" in data
