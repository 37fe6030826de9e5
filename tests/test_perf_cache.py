"""The on-disk cache of reportlab's parsed font metrics: hits, misses, corruption, and unchanged output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from briefexport.fonts._metrics_cache import MetricsCache, default_folder
from briefexport.fonts.fontset import FontSet, bundled_dir
from fontmaker import tiny_font


@pytest.fixture()
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point XDG_CACHE_HOME at a fresh folder, so no test reads or writes the real ~/.cache."""
    home = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home / "briefexport"


def _parse_count(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every time reportlab really parses a face (its extractInfo runs)."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    calls: list[str] = []
    original = TTFontFile.extractInfo

    def counting(self, charInfo=1):  # type: ignore[no-untyped-def]
        calls.append(self.filename)
        return original(self, charInfo)

    monkeypatch.setattr(TTFontFile, "extractInfo", counting)
    return calls


def _comparable(font: object) -> dict[str, object]:
    """A font's and its face's attributes, minus per-instance objects (state, functions)."""
    out = {f"font.{k}": v for k, v in vars(font).items() if k not in ("face", "state", "encoding")}
    face = font.face  # type: ignore[attr-defined]
    out.update({f"face.{k}": (type(v), v) for k, v in vars(face).items() if k != "_pdfScale"})
    out["face.name.ustr"] = face.name.ustr
    out["face._pdfScale(250)"] = face._pdfScale(250)
    return out


def test_default_folder_honours_xdg(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_folder() == cache_home
    assert MetricsCache.default().folder == cache_home
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # the XDG spec: ignore relative paths
    assert default_folder() == Path.home() / ".cache" / "briefexport"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_folder() == Path.home() / ".cache" / "briefexport"


def test_font_set_uses_the_default_cache(cache_home: Path) -> None:
    assert FontSet(system=False)._metrics == MetricsCache(cache_home)


def test_miss_then_hit_gives_the_same_font(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reportlab.pdfbase.ttfonts import TTFont

    cache = MetricsCache.default()
    path = bundled_dir() / "BriefKai-Regular.ttf"
    parsed = _parse_count(monkeypatch)
    first = cache.load_ttfont("CacheTestKai", path)
    assert len(parsed) == 1 and len(list(cache_home.iterdir())) == 1
    second = cache.load_ttfont("CacheTestKai", path)
    assert len(parsed) == 1, "a hit must not parse the font again"
    reference = TTFont("CacheTestKai", str(path))
    assert _comparable(second) == _comparable(reference) == _comparable(first)
    assert second.stringWidth("中文，Ab", 12) == reference.stringWidth("中文，Ab", 12)
    assert second.face.makeSubset([0, 0x4E2D, 0x6587]) == reference.face.makeSubset([0, 0x4E2D, 0x6587])


def test_changed_file_misses(cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = MetricsCache.default()
    path = tiny_font(tmp_path / "tiny.ttf", "CacheTestTiny", advance=600)
    assert cache.load_ttfont("CacheTestTiny", path).face.charWidths[0x4E2D] == 600
    parsed = _parse_count(monkeypatch)
    tiny_font(path, "CacheTestTiny", advance=900)  # same name, new metrics, new mtime
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 10_000_000))
    assert cache.load_ttfont("CacheTestTiny", path).face.charWidths[0x4E2D] == 900
    assert len(parsed) == 1
    assert cache.load_ttfont("CacheTestTiny", path).face.charWidths[0x4E2D] == 900
    assert len(parsed) == 1  # the new metrics are cached in turn


def test_an_unchanged_file_is_not_hashed_again_and_a_same_size_rewrite_misses(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import marshal
    import time

    from briefexport.fonts import _metrics_cache as mc

    cache = MetricsCache.default()
    path = tiny_font(tmp_path / "tiny.ttf", "CacheTestIdentity", advance=600)
    cache.load_ttfont("CacheTestIdentity", path)
    (entry,) = cache_home.iterdir()
    # Just written: within the racy window its identity cannot vouch for its content.
    assert marshal.loads(entry.read_bytes()[len(mc._MAGIC) + 32 :])["file"] is None
    monkeypatch.setattr(mc, "_RACY_NS", 0)
    entry.unlink()
    cache.load_ttfont("CacheTestIdentity", path)  # an entry that records the file's identity
    hashed: list[int] = []
    digest = mc._Content.digest
    monkeypatch.setattr(mc._Content, "digest", lambda self: hashed.append(len(self.data)) or digest(self))
    parsed = _parse_count(monkeypatch)
    assert cache.load_ttfont("CacheTestIdentity", path).face.charWidths[0x4E2D] == 600
    assert parsed == [] and hashed == []  # a hit, and the font's bytes were not hashed
    time.sleep(0.05)  # past the file system's timestamp tick
    size = path.stat().st_size
    tiny_font(path, "CacheTestIdentity", advance=900)  # new metrics, same size, mtime left as it comes
    assert path.stat().st_size == size
    assert cache.load_ttfont("CacheTestIdentity", path).face.charWidths[0x4E2D] == 900
    assert len(parsed) == 1 and hashed  # the changed ctime sent it to the hash, which missed


@pytest.mark.parametrize("damage", [b"", b"\x00garbage", b"not marshal at all" * 100, "truncate"])
def test_corrupt_entry_falls_back_to_parsing(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes | str
) -> None:
    cache = MetricsCache.default()
    path = tiny_font(tmp_path / "tiny.ttf", "CacheTestCorrupt")
    cache.load_ttfont("CacheTestCorrupt", path)
    (entry,) = cache_home.iterdir()
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2] if damage == "truncate" else damage)  # type: ignore[operator]
    parsed = _parse_count(monkeypatch)
    font = cache.load_ttfont("CacheTestCorrupt", path)
    assert len(parsed) == 1 and font.face.charWidths[0x4E2D] == 600
    cache.load_ttfont("CacheTestCorrupt", path)
    assert len(parsed) == 1  # the bad entry was replaced by a good one


def test_entry_of_another_key_is_ignored(cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = MetricsCache.default()
    one = tiny_font(tmp_path / "one.ttf", "CacheTestOne", advance=500)
    two = tiny_font(tmp_path / "two.ttf", "CacheTestTwo", advance=700)
    cache.load_ttfont("CacheTestOne", one)
    (entry_one,) = cache_home.iterdir()
    cache.load_ttfont("CacheTestTwo", two)
    (entry_two,) = set(cache_home.iterdir()) - {entry_one}
    shutil.copyfile(entry_one, entry_two)  # e.g. a hash collision: the stored key must still match
    parsed = _parse_count(monkeypatch)
    assert cache.load_ttfont("CacheTestTwo", two).face.charWidths[0x4E2D] == 700
    assert len(parsed) == 1


def test_unwritable_cache_is_silent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache folder cannot be created below a file")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    cache = MetricsCache.default()
    path = tiny_font(tmp_path / "tiny.ttf", "CacheTestReadOnly")
    parsed = _parse_count(monkeypatch)
    for _ in range(2):
        assert cache.load_ttfont("CacheTestReadOnly", path).face.charWidths[0x4E2D] == 600
    assert len(parsed) == 2 and blocker.is_file()


def test_disabled_cache_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    MetricsCache(None).load_ttfont("CacheTestOff", tiny_font(tmp_path / "tiny.ttf", "CacheTestOff"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.ttf"]


def test_pdf_is_identical_with_and_without_a_cache_hit(tmp_path: Path, seed_outline_path: Path) -> None:
    # Separate processes: reportlab registers a face once per process.
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    outputs = []
    for run in ("miss", "hit"):
        out = tmp_path / run
        command = [sys.executable, "-m", "briefexport", "build", str(seed_outline_path), "-f", "pdf", "-o", str(out)]
        subprocess.run(command, env=env, check=True, capture_output=True)
        outputs.append((out / "outline.pdf").read_bytes())
        assert any((tmp_path / "xdg" / "briefexport").iterdir())
    assert outputs[0] == outputs[1]


# --------------------------------------------------------------------------- the parallel build's plumbing


def test_task_queue_hands_each_item_to_one_process() -> None:
    from briefexport.builder._parallel import TaskQueue, fork_worker

    items = [f"item-{n}" for n in range(40)]
    queue = TaskQueue(items)

    def take_all(_prepared: None, _arg: None) -> list[str]:
        taken = []
        while (item := queue.take()) is not None:
            taken.append(item)
        return taken

    worker = fork_worker(lambda: None, take_all)
    worker.send(None)
    mine = take_all(None, None)
    theirs = worker.result()
    assert sorted(mine + theirs) == sorted(items)
    assert queue.take() is None


def test_an_interrupt_a_library_turned_into_its_own_error_is_reported_as_the_interrupt(capfd: pytest.CaptureFixture[str]) -> None:
    from briefexport.builder._parallel import fork_worker

    def colour(_prepared: None, _arg: None) -> None:
        try:
            raise KeyboardInterrupt  # the SIGINT the parent sends, arriving inside reportlab's toColor
        except:  # noqa: E722 - what toColor does
            raise ValueError("Invalid color value '#000000'") from None

    worker = fork_worker(lambda: None, colour)
    worker.send(None)
    with pytest.raises(KeyboardInterrupt):
        worker.result()
    assert "Traceback" not in capfd.readouterr().err


def test_worker_reports_errors_and_cancels_quietly() -> None:
    from briefexport.builder._parallel import fork_worker
    from briefexport.errors import RenderError

    def fail(_prepared: None, arg: str) -> None:
        raise RenderError(f"cannot render {arg}")

    worker = fork_worker(lambda: None, fail)
    worker.send("this")
    with pytest.raises(RenderError, match="cannot render this"):
        worker.result()

    def broken_prepare() -> None:
        raise RenderError("prepare failed")

    worker = fork_worker(broken_prepare, lambda _prepared, _arg: "unused")
    worker.send(None)
    with pytest.raises(RenderError, match="prepare failed"):
        worker.result()
    worker = fork_worker(broken_prepare, lambda _prepared, _arg: "unused")
    worker.cancel()  # the parent's own error comes first; the child ends without a word


def test_bad_outline_in_a_parallel_build_writes_nothing(tmp_path: Path) -> None:
    import briefexport
    from briefexport.errors import OutlineError

    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nsections:\n  - title: a\n    bogus: 1\n", encoding="utf-8")
    with pytest.raises(OutlineError):
        briefexport.build(bad, out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- lazy font chains


def test_fallback_families_are_looked_up_only_when_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    import briefexport.fonts.fontset as fonts_mod

    scans: list[int] = []

    def no_system_fonts() -> tuple[Path, ...]:
        scans.append(1)
        return ()

    monkeypatch.setattr(fonts_mod, "system_dirs", no_system_fonts)
    fonts = FontSet()
    chain = fonts.chain(["Noto Serif CJK SC", "宋体", "SimSun"])
    assert chain[0].ps_name == "NotoSerifCJKsc-Regular"
    runs = fonts.split_runs("今年公安工作怎么干？“十四五”", chain)
    assert [face.ps_name for face, _text in runs] == ["NotoSerifCJKsc-Regular"]  # type: ignore[union-attr]
    assert scans == [], "a character the first (bundled) face has needs no system fonts"
    assert fonts.face_for(chain, "𠮷").ps_name == "NotoSerifCJKscRare-Regular"  # type: ignore[union-attr]
    assert scans == [1], "a character it lacks looks further down the chain, once"
    assert [face.ps_name for face in chain] == ["NotoSerifCJKsc-Regular", "NotoSerifCJKscRare-Regular"]
    assert len(chain) == 2 and chain[-1] == fonts.rare() and scans == [1]


def test_one_entry_per_face_and_least_recently_used_pruned(cache_home: Path, tmp_path: Path) -> None:
    cache = MetricsCache(cache_home, max_entries=2)
    fonts = [tiny_font(tmp_path / f"f{n}.ttf", f"CachePrune{n}") for n in range(3)]
    cache.load_ttfont("CachePrune0", fonts[0])
    (entry_zero,) = cache_home.iterdir()
    tiny_font(fonts[0], "CachePrune0", advance=800)  # changed: its entry is replaced, not added
    os.utime(fonts[0], ns=(os.stat(fonts[0]).st_atime_ns, os.stat(fonts[0]).st_mtime_ns + 10_000_000))
    assert cache.load_ttfont("CachePrune0", fonts[0]).face.charWidths[0x4E2D] == 800
    assert list(cache_home.iterdir()) == [entry_zero]
    cache.load_ttfont("CachePrune1", fonts[1])
    (entry_one,) = set(cache_home.iterdir()) - {entry_zero}
    os.utime(entry_zero, ns=(2_000_000_000, 2_000_000_000))
    os.utime(entry_one, ns=(1_000_000_000, 1_000_000_000))
    cache.load_ttfont("CachePrune1", fonts[1])  # a hit: entry one is now the most recently used
    cache.load_ttfont("CachePrune2", fonts[2])  # a third entry: the least recently used one goes
    remaining = set(cache_home.iterdir())
    assert len(remaining) == 2 and entry_one in remaining and entry_zero not in remaining


# -- a cache that cannot change the output ----------------------------------------------------------


def _build_pdf(out: Path, cache_home: Path) -> bytes:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "SOURCE_DATE_EPOCH": "1700000000"}
    outline = Path(__file__).resolve().parent.parent / "outline.yaml"
    done = subprocess.run([sys.executable, "-m", "briefexport", "build", str(outline), "-f", "pdf", "-o", str(out)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return (out / "outline.pdf").read_bytes()


def _rewrite(entry: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Change an entry's metrics and store it with a correct digest, as a forger would."""
    import hashlib
    import marshal

    from briefexport.fonts import _metrics_cache as mc

    raw = entry.read_bytes()
    stored = marshal.loads(raw[len(mc._MAGIC) + 32 :])
    change(stored["value"]["face"])
    payload = marshal.dumps(stored)
    entry.write_bytes(mc._MAGIC + hashlib.sha256(payload).digest() + payload)


def _swap_glyphs(face: dict[str, Any]) -> None:
    """What the planted entry did: 必须坚持 drawn with the glyphs of other characters."""
    to_glyph = face["charToGlyph"]
    for a, b in (("必", "不"), ("坚", "放"), ("六", "七")):
        to_glyph[ord(a)], to_glyph[ord(b)] = to_glyph[ord(b)], to_glyph[ord(a)]


@pytest.fixture(scope="module")
def filled_cache(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Path]:
    """The PDF built without any cache, and a cache folder an (empty-cache) build filled, giving the same PDF."""
    tmp = tmp_path_factory.mktemp("filled-cache")
    unusable = tmp / "not-a-folder"
    unusable.write_text("no cache can live below a file")
    reference = _build_pdf(tmp / "ref", unusable)  # parsed, no cache at all
    assert _build_pdf(tmp / "empty", tmp / "cache") == reference  # an empty cache, filled by this build
    assert _build_pdf(tmp / "warm", tmp / "cache") == reference  # and served from it
    return reference, tmp / "cache"


def test_a_forged_entry_of_this_user_would_show_in_the_pdf(tmp_path: Path, filled_cache: tuple[bytes, Path]) -> None:
    """The control for the poisoning tests: the forgery they plant does change the PDF once trusted.

    (A forger who can write files as this user is beyond what any cache check can stop.)
    """
    reference, filled = filled_cache
    shutil.copytree(filled, tmp_path / "cache")
    for entry in (tmp_path / "cache" / "briefexport").glob("ttf-metrics-*.marshal"):
        _rewrite(entry, _swap_glyphs)
    assert _build_pdf(tmp_path / "forged", tmp_path / "cache") != reference


@pytest.mark.parametrize(
    "poison",
    ["foreign_owner", "world_writable_folder", "symlinked_entry", "glyph_out_of_range", "units_per_em_0", "nan_width",
     "fifo_entry", "truncated"],
)
def test_a_poisoned_cache_gives_the_same_pdf_as_no_cache(tmp_path: Path, poison: str, filled_cache: tuple[bytes, Path]) -> None:
    reference, filled = filled_cache
    home = tmp_path / "cache"
    shutil.copytree(filled, home)
    folder = home / "briefexport"
    entries = sorted(folder.glob("ttf-metrics-*.marshal"))
    assert entries
    for entry in entries:
        if poison in ("foreign_owner", "world_writable_folder", "symlinked_entry"):
            _rewrite(entry, _swap_glyphs)  # a forged entry, correct key and digest: only its owner gives it away
        if poison == "foreign_owner":
            if os.geteuid() != 0:
                pytest.skip("giving a file to another user needs root")
            os.chown(entry, 65534, 65534)
        elif poison == "symlinked_entry":
            planted = tmp_path / entry.name
            entry.rename(planted)
            entry.symlink_to(planted)
        elif poison == "glyph_out_of_range":
            _rewrite(entry, lambda face: face["charToGlyph"].__setitem__(ord("必"), face["numGlyphs"] + 5))
        elif poison == "units_per_em_0":
            _rewrite(entry, lambda face: face.__setitem__("unitsPerEm", 0))
        elif poison == "nan_width":
            _rewrite(entry, lambda face: face["charWidths"].__setitem__(ord("必"), float("nan")))
        elif poison == "fifo_entry":
            entry.unlink()
            os.mkfifo(entry)
        elif poison == "truncated":
            entry.write_bytes(entry.read_bytes()[:1000])
    if poison == "world_writable_folder":
        folder.chmod(0o777)
    assert _build_pdf(tmp_path / "poisoned", home) == reference
    if poison not in ("foreign_owner", "world_writable_folder", "symlinked_entry", "fifo_entry"):
        assert _build_pdf(tmp_path / "again", home) == reference  # the bad entries were replaced by good ones
