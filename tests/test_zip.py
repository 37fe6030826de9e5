"""The one zip re-packer behind DOCX and EPUB: fixed dates (clamped to what zip can hold), modes and order."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from pathlib import Path

import pytest

import briefexport
from briefexport.render._zip import repack, write_entries, zip_date

UTC = dt.timezone.utc
OUTLINE = "title: 标题\ndate: {date}\nauthor: 某某\nsections:\n  - title: 一\n    body: 正文\n"
#: What each format must start with, and the entry that is stored uncompressed.
FIRST = {"docx": "[Content_Types].xml", "epub": "mimetype"}


def test_zip_date_is_utc_clamped_and_even() -> None:
    assert zip_date(dt.datetime(2023, 11, 14, 22, 13, 21, tzinfo=UTC)) == (2023, 11, 14, 22, 13, 20)
    assert zip_date(dt.datetime(2024, 1, 14, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))) == (2024, 1, 14, 0, 0, 0)
    assert zip_date(dt.datetime(2024, 1, 14, 8, 0)) == (2024, 1, 14, 8, 0, 0)  # naive is UTC, as SOURCE_DATE_EPOCH
    assert zip_date(dt.datetime(2200, 1, 1, tzinfo=UTC)) == (2107, 12, 31, 23, 59, 58)
    assert zip_date(dt.datetime(2107, 12, 31, 23, 59, 59, tzinfo=UTC)) == (2107, 12, 31, 23, 59, 58)
    assert zip_date(dt.datetime(1970, 1, 1, tzinfo=UTC)) == (1980, 1, 1, 0, 0, 0)
    assert zip_date(dt.datetime(1, 1, 1, tzinfo=UTC)) == (1980, 1, 1, 0, 0, 0)


def _archive(entries: list[tuple[str, bytes]], date: tuple[int, ...]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=date)  # type: ignore[arg-type]
            info.external_attr = 0o600 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def test_repack_fixes_order_dates_modes_and_compression(tmp_path: Path) -> None:
    entries = [("b/x.xml", b"<x/>" * 50), ("mimetype", b"application/epub+zip"), ("a.css", b"p {}"), ("META-INF/c.xml", b"<c/>")]
    created = dt.datetime(2024, 1, 14, 8, 30, 3, tzinfo=UTC)
    out = tmp_path / "one.zip"
    repack(_archive(entries, (2001, 2, 3, 4, 5, 6)), out, created, first="mimetype", stored=frozenset({"mimetype"}))
    with zipfile.ZipFile(out) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["mimetype", "META-INF/c.xml", "a.css", "b/x.xml"]
        assert {i.date_time for i in infos} == {(2024, 1, 14, 8, 30, 2)}
        assert {(i.create_system, i.external_attr >> 16) for i in infos} == {(3, 0o644)}
        assert [i.compress_type for i in infos] == [zipfile.ZIP_STORED] + [zipfile.ZIP_DEFLATED] * 3
        assert infos[0].extra == b""
        assert {name: archive.read(name) for name, _ in entries} == dict(entries)
    # Neither the source's order nor its dates reach the output.
    other = tmp_path / "two.zip"
    repack(_archive(entries[::-1], (2020, 1, 1, 0, 0, 0)), other, created, first="mimetype", stored=frozenset({"mimetype"}))
    assert other.read_bytes() == out.read_bytes()


def test_repack_without_a_first_entry_sorts_everything(tmp_path: Path) -> None:
    out = tmp_path / "plain.zip"
    repack(_archive([("z", b"1"), ("a", b"2")], (2001, 1, 1, 0, 0, 0)), out, dt.datetime(2200, 1, 1, tzinfo=UTC))
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["a", "z"]
        assert {i.date_time for i in archive.infolist()} == {(2107, 12, 31, 23, 59, 58)}


def _entries(path: Path) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return archive.infolist()


@pytest.mark.parametrize("fmt", ["docx", "epub"])
@pytest.mark.parametrize(("date", "stamp"), [("2200-01-01", (2107, 12, 31, 23, 59, 58)), ("1970-01-01", (1980, 1, 1, 0, 0, 0))])
def test_outline_dates_zip_cannot_hold_still_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, date: str, stamp: tuple[int, ...]
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    doc = briefexport.loads(OUTLINE.format(date=date))
    first = briefexport.render(doc, fmt, tmp_path / f"a.{fmt}")
    second = briefexport.render(doc, fmt, tmp_path / f"b.{fmt}")
    assert first.read_bytes() == second.read_bytes()
    infos = _entries(first)
    assert infos[0].filename == FIRST[fmt]
    assert {info.date_time for info in infos} == {stamp}
    # Only the zip entries are clamped: the package metadata keeps the outline's date.
    with zipfile.ZipFile(first) as archive:
        metadata = archive.read("docProps/core.xml" if fmt == "docx" else "EPUB/content.opf").decode()
    assert f"{date}T00:00:00Z" in metadata


@pytest.mark.parametrize("fmt", ["docx", "epub"])
@pytest.mark.parametrize(
    ("epoch", "stamp"),
    [("4200000000", (2103, 2, 4, 2, 40, 0)), ("4500000001", (2107, 12, 31, 23, 59, 58)), ("-86400", (1980, 1, 1, 0, 0, 0))],
)
def test_source_date_epoch_far_from_now_still_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, epoch: str, stamp: tuple[int, ...]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    doc = briefexport.loads(OUTLINE.format(date="2024-01-14"))
    infos = _entries(briefexport.render(doc, fmt, tmp_path / f"far.{fmt}"))
    assert {info.date_time for info in infos} == {stamp}


def _zipfile_bytes(entries: dict[str, bytes], date: tuple[int, ...], first: str, stored: frozenset[str]) -> bytes:
    """What Python's zipfile writes for the same entries, order, date, modes and compression."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries, key=lambda name: (name != first, name)):
            info = zipfile.ZipInfo(name, date_time=date)  # type: ignore[arg-type]
            info.create_system = 3
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name], compresslevel=9)
    return buffer.getvalue()


def test_written_archives_are_the_bytes_zipfile_writes(tmp_path: Path) -> None:
    entries = {"mimetype": b"application/epub+zip", "EPUB/章节.xhtml": "<p>正文</p>".encode() * 3000, "a.css": b"",
               "word/styles.xml": b"<w:styles/>" * 5000}
    created = dt.datetime(2024, 1, 14, 8, 30, 3, tzinfo=UTC)
    out = tmp_path / "one.zip"
    write_entries(entries, out, created, first="mimetype", stored=frozenset({"mimetype"}))
    assert out.read_bytes() == _zipfile_bytes(entries, zip_date(created), "mimetype", frozenset({"mimetype"}))


def test_a_warm_process_deflates_an_unchanged_large_entry_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A live preview's DOCX carries the same 350 KB styles.xml every time.
    from briefexport.render import WarmMemo

    made: list[int] = []
    compressobj = zlib.compressobj
    monkeypatch.setattr(zlib, "compressobj", lambda *args: made.append(1) or compressobj(*args))
    memo, created = WarmMemo(), dt.datetime(2024, 1, 14, tzinfo=UTC)
    big, small = b"<w:style/>" * 5000, b"<w:body/>"
    written = []
    for index in range(2):
        memo.next_build()
        write_entries({"styles.xml": big, "document.xml": small + bytes([index])}, tmp_path / f"{index}.zip", created, deflated=memo)
        written.append(len(made))
    assert written == [2, 3]  # the second build deflates only the small entry
    assert (tmp_path / "1.zip").read_bytes() == _zipfile_bytes({"styles.xml": big, "document.xml": small + b"\x01"},
                                                               zip_date(created), "", frozenset())
