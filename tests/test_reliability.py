"""Reliability: devices and FIFOs, signals sent to real build processes, disk full, permissions,
all-or-none landing, leftovers, and one line (never a traceback) for each failure."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from briefexport.builder import _atomic
from briefexport.errors import LocatedError

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "briefexport"]


def _run(*args: str, timeout: float = 120, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout, **kwargs)  # type: ignore[call-overload, no-any-return]


def _one_line(stderr: str) -> str:
    """The single error line of stderr (notes aside), asserting there is exactly one and no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if not line.startswith("briefexport: note: ")]
    assert len(lines) == 1, stderr
    return lines[0]


class _NoAliasDumper(yaml.SafeDumper):
    """Repeated sub-trees written out in full: outlines refuse YAML anchors."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _big_outline(folder: Path, copies: int = 12) -> Path:
    """The briefing repeated: a build that runs long enough to be signalled mid-way."""
    outline = yaml.safe_load((ROOT / "outline.yaml").read_text(encoding="utf-8"))
    outline["date"] = str(outline["date"])
    outline["sections"] = [
        {**section, "title": f"{section['title']}（{copy + 1}）"} for copy in range(copies) for section in outline["sections"]
    ]
    path = folder / "big.yaml"
    path.write_text(yaml.dump(outline, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8")
    return path


# -- devices, FIFOs, bounded reads --------------------------------------------------------


@pytest.fixture()
def fifo(tmp_path: Path) -> Iterator[Path]:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    yield path


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_a_device_or_fifo_as_outline_theme_extends_or_import_source_is_refused_at_once(
    tmp_path: Path, fifo: Path, kind: str
) -> None:
    special = str(fifo) if kind == "fifo" else "/dev/zero"
    if kind != "fifo" and not Path(special).exists():
        pytest.skip(f"{special} does not exist here")
    theme = tmp_path / "theme.yaml"
    theme.write_text(f"extends: {special}\n", encoding="utf-8")
    cases = [
        (["check", special], f"{special}:1:1: error: is not a regular file"),
        (["build", str(ROOT / "outline.yaml"), "-t", special, "-o", str(tmp_path / "o1")], f"{special}:1:1: error: is not a regular file"),
        (["build", str(ROOT / "outline.yaml"), "-t", str(theme), "--allow-path", "/", "-o", str(tmp_path / "o2")],
         f"{special}:1:1: error: is not a regular file"),
        (["import", special, "-o", "-"], f"{special}:1:1: error: is not a regular file"),
    ]
    for args, expected in cases:
        done = _run(*args, timeout=60)  # a hang or a growing read would hit the timeout
        assert done.returncode == 1 and _one_line(done.stderr).startswith(expected), (args, done.stderr)
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()


def test_dev_stdin_as_outline_is_refused_not_waited_for() -> None:
    read, write = os.pipe()  # stdin is a pipe nobody writes to: reading it would block forever
    try:
        done = subprocess.run([*CLI, "check", "/dev/stdin"], stdin=read, capture_output=True, text=True, timeout=60)
    finally:
        os.close(read)
        os.close(write)
    assert done.returncode == 1 and "is not a regular file" in _one_line(done.stderr)


def test_a_fifo_named_like_a_font_in_a_font_folder_is_skipped(tmp_path: Path) -> None:
    fonts = tmp_path / "data" / "fonts"
    fonts.mkdir(parents=True)
    os.mkfifo(fonts / "仿宋.ttf")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    done = _run("build", str(ROOT / "outline.yaml"), "-t", "gongwen", "-f", "pdf", "-o", str(tmp_path / "out"), env=env)
    assert done.returncode == 0, done.stderr


# -- signals sent to real builds ------------------------------------------------------------


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    if not path.exists():
        pytest.skip("no /proc/PID/task/PID/children on this system")
    return [int(child) for child in path.read_text().split()]


def _wait_for(condition: object, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def _parts(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.part")) if folder.exists() else []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _start_build(tmp_path: Path, out: Path) -> subprocess.Popen[str]:
    outline = _big_outline(tmp_path)
    build = subprocess.Popen(
        [*CLI, "build", str(outline), "-o", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    # Both processes are rendering once the parent has its DOCX temporary file and the child its PDF one.
    assert _wait_for(lambda: len(_parts(out)) >= 2 or build.poll() is not None), "the build never started rendering"
    assert build.poll() is None, "the build finished before it could be signalled; make the outline bigger"
    return build


@pytest.mark.parametrize(("signum", "to_group"), [(signal.SIGTERM, False), (signal.SIGHUP, False), (signal.SIGHUP, True), (signal.SIGINT, True)])
def test_a_signalled_build_prints_one_line_and_leaves_no_files(tmp_path: Path, signum: int, to_group: bool) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "big.docx").write_bytes(b"old docx")
    build = _start_build(tmp_path, out)
    (child,) = _children(build.pid)
    if to_group:  # what a terminal does: Ctrl-C, or closing the window
        os.killpg(build.pid, signum)
    else:  # what a process manager does
        os.kill(build.pid, signum)
    _, stderr = build.communicate(timeout=60)
    assert build.returncode == (130 if signum == signal.SIGINT else 128 + signum)
    line = _one_line(stderr)
    assert line.startswith("briefexport: interrupted" if signum == signal.SIGINT else f"briefexport: stopped by {signal.Signals(signum).name}")
    assert _wait_for(lambda: not _alive(child), 30), "the render child outlived the build"
    assert _parts(out) == [] and sorted(p.name for p in out.iterdir()) == ["big.docx"]
    assert (out / "big.docx").read_bytes() == b"old docx"


def test_a_killed_render_child_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build = _start_build(tmp_path, out)
    (child,) = _children(build.pid)
    os.kill(child, signal.SIGKILL)
    _, stderr = build.communicate(timeout=120)
    assert build.returncode == 1
    assert _one_line(stderr) == "briefexport: error: the render process was killed (SIGKILL, out of memory?) before it finished; nothing was written"
    assert not out.exists() or (_parts(out) == [] and list(out.iterdir()) == [])


def test_an_orphaned_render_child_stops_and_the_next_build_removes_the_leftovers(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build = _start_build(tmp_path, out)
    (child,) = _children(build.pid)
    os.kill(build.pid, signal.SIGKILL)  # the parent cannot tell anyone
    build.communicate(timeout=30)
    assert _wait_for(lambda: not _alive(child), 30), "the orphaned render child kept running"
    leftovers = _parts(out)
    assert all(f".{build.pid}-{build.pid}." in path.name for path in leftovers)  # the child removed its own; the parent's stay
    small = tmp_path / "small"
    small.mkdir()
    (small / "big.yaml").write_text("title: 小\n", encoding="utf-8")
    live = out / f".big.pdf.{os.getpid()}-{os.getpid()}.keep.part"  # a running build's file is not touched
    live.write_bytes(b"")
    done = _run("build", str(small / "big.yaml"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert _parts(out) == [live]


# -- landing all or none, modes, folders ------------------------------------------------------


def test_a_failed_build_creates_no_output_folder(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: [\n", encoding="utf-8")
    done = _run("build", str(bad), "-o", str(tmp_path / "new" / "nested"))
    assert done.returncode == 1 and not (tmp_path / "new").exists()


def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(tmp_path: Path) -> None:
    out = tmp_path / "out"
    script = "import os, sys; os.umask(0o027); from briefexport.cli import main; sys.exit(main(sys.argv[1:]))"
    outline = ROOT / "outline.yaml"
    done = subprocess.run([sys.executable, "-c", script, "build", str(outline), "-o", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert {stat.S_IMODE(path.stat().st_mode) for path in out.iterdir()} == {0o640}
    (out / "outline.pdf").chmod(0o600)
    done = _run("build", str(outline), "-o", str(out), "-f", "pdf")
    assert done.returncode == 0 and stat.S_IMODE((out / "outline.pdf").stat().st_mode) == 0o600
    source = tmp_path / "brief.txt"
    source.write_text("关于工作的通知\n\n一、总体要求\n坚持稳中求进。\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", script, "import", str(source), "-o", str(tmp_path / "new.yaml")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o640
    (tmp_path / "new.yaml").chmod(0o600)  # a reviewed outline the user keeps private
    done = _run("import", str(source), "-o", str(tmp_path / "new.yaml"), "--force")
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o600 == stat.S_IMODE((tmp_path / "new.yaml~").stat().st_mode)


def _chattr(path: Path, flag: str) -> bool:
    try:
        return subprocess.run(["chattr", flag, str(path)], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def test_an_immutable_target_lands_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    outline = tmp_path / "o.yaml"
    outline.write_text("title: 第一版\n", encoding="utf-8")
    assert _run("build", str(outline), "-o", str(out)).returncode == 0
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    if not _chattr(out / "o.pdf", "+i"):
        pytest.skip("chattr +i is not possible here (needs root and a file system with flags)")
    try:
        outline.write_text("title: 第二版\n", encoding="utf-8")
        done = _run("build", str(outline), "-o", str(out))
    finally:
        _chattr(out / "o.pdf", "-i")
    assert done.returncode == 1
    assert _one_line(done.stderr) == f"{out / 'o.pdf'}: error: is marked immutable or append-only (chattr); clear the flag or choose another output folder"
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before  # the new DOCX did not land either


def _staged(folder: Path, stem: str, olds: int) -> tuple[list[Path], list[tuple[Path, Path]]]:
    """Three targets (DOCX, PDF, EPUB), the first ``olds`` holding an old file, each with a new one reserved."""
    targets = [folder / f"{stem}.{ext}" for ext in ("docx", "pdf", "epub")]
    staged = []
    for index, target in enumerate(targets):
        if index < olds:
            target.write_text(f"old {target.suffix}")
        tmp = _atomic.reserve(target)
        tmp.write_text(f"new {target.suffix}")
        staged.append((tmp, target))
    return targets, staged


def _commit_failing_at(monkeypatch: pytest.MonkeyPatch, staged: list[tuple[Path, Path]], bad: Path, match: str) -> None:
    """Commit ``staged`` with the rename onto ``bad`` failing as on a full disk; the commit must refuse."""
    real_replace = os.replace

    def failing(src: str | Path, dst: str | Path, **kwargs: object) -> None:
        if str(dst) == str(bad):
            raise OSError(28, "No space left on device")
        real_replace(src, dst, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(LocatedError, match=match):
        _atomic.commit_all(staged)
    monkeypatch.setattr(os, "replace", real_replace)


def test_a_rename_failing_half_way_puts_the_old_files_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    targets, staged = _staged(tmp_path, "a", olds=2)
    _commit_failing_at(monkeypatch, staged, targets[2], r"a\.epub: error: cannot write: No space left on device")
    assert [t.read_text() for t in targets[:2]] == ["old .docx", "old .pdf"] and not targets[2].exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx", "a.pdf"]  # no temporary or kept-aside file left


def test_a_rename_failing_before_the_last_leaves_every_old_file_and_no_spare_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    targets, staged = _staged(tmp_path, "b", olds=3)
    _commit_failing_at(monkeypatch, staged, targets[1], r"b\.pdf: error: cannot write")
    assert [t.read_text() for t in targets] == ["old .docx", "old .pdf", "old .epub"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.docx", "b.epub", "b.pdf"]  # b.epub's kept link is gone too


def test_a_build_killed_between_two_renames_is_rolled_back_whole_by_the_next_build(tmp_path: Path) -> None:
    source, out = tmp_path / "brief.yaml", tmp_path / "out"
    source.write_text("title: 旧的标题\nlead: 旧的导语。\n", encoding="utf-8")
    assert _run("build", str(source), "-o", str(out)).returncode == 0
    old = {path.name: path.read_bytes() for path in out.iterdir()}
    assert sorted(old) == ["brief.docx", "brief.epub", "brief.pdf"]
    source.write_text("title: 新的标题\nlead: 新的导语。\n", encoding="utf-8")
    marker = tmp_path / "paused"
    env = {**os.environ, _atomic._PAUSE_ENV: str(marker)}
    build = subprocess.Popen([*CLI, "build", str(source), "-o", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env)
    assert _wait_for(marker.exists, 120), build.communicate(timeout=30)
    now = {name: (out / name).read_bytes() for name in old}
    assert sum(now[name] != old[name] for name in old) == 1  # the mix a kill here would leave for good
    os.kill(build.pid, signal.SIGKILL)
    build.communicate(timeout=30)
    assert [path.name for path in out.iterdir() if path.name.endswith(".journal")] == [f".briefexport.{build.pid}.journal"]
    other = tmp_path / "other.yaml"
    other.write_text("title: 另一份\n", encoding="utf-8")
    done = _run("build", str(other), "-o", str(out))  # the next build into the folder rolls the killed one back
    assert done.returncode == 0, done.stderr
    assert {name: (out / name).read_bytes() for name in old} == old
    assert sorted(path.name for path in out.iterdir()) == sorted([*old, "other.docx", "other.epub", "other.pdf"])
    assert _run("build", str(source), "-o", str(out)).returncode == 0
    assert all((out / name).read_bytes() != old[name] for name in ("brief.pdf", "brief.docx"))


# -- disk full, closed streams, no home ----------------------------------------------------------


@pytest.fixture()
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 200 KB tmpfs: room for the outline, not for the outputs (needs root and mount)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def _fill(mount: Path, leave: int) -> None:
    info = os.statvfs(mount)
    (mount / "filler").write_bytes(b"\0" * max(0, info.f_bavail * info.f_frsize - leave))


@pytest.mark.parametrize("fmt", ["docx", "pdf", "epub", "docx,pdf,epub"])
def test_disk_full_is_one_line_for_every_renderer(full_disk: Path, fmt: str) -> None:
    _fill(full_disk, leave=8192)  # less than any output needs
    done = _run("build", str(ROOT / "outline.yaml"), "-f", fmt, "-o", str(full_disk / "out"))
    assert done.returncode == 1
    line = _one_line(done.stderr)
    assert line.startswith(str(full_disk / "out" / "outline.")) and line.endswith("error: cannot write: No space left on device"), line
    assert not (full_disk / "out").exists() or list((full_disk / "out").iterdir()) == []


def test_disk_full_in_import_is_one_line(full_disk: Path, tmp_path: Path) -> None:
    source = tmp_path / "brief.txt"
    source.write_text("关于工作的通知\n\n" + "一、总体要求\n坚持稳中求进。\n" * 20000, encoding="utf-8")
    _fill(full_disk, leave=8192)
    done = _run("import", str(source), "-o", str(full_disk / "o.yaml"))
    assert done.returncode == 1 and _one_line(done.stderr) == f"{full_disk / 'o.yaml'}: error: cannot write: No space left on device"
    assert [path.name for path in full_disk.iterdir()] == ["filler"]
    if Path("/dev/full").exists():
        with open("/dev/full", "w") as full:
            done = subprocess.run([*CLI, "import", str(source), "-o", "-"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
        assert done.returncode == 1 and _one_line(done.stderr) == "briefexport: error: No space left on device"


def test_closed_stdout_is_no_traceback(tmp_path: Path) -> None:
    script = f"exec {sys.executable} -m briefexport build {ROOT / 'outline.yaml'} -o {tmp_path / 'out'} >&-"
    done = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["outline.docx", "outline.epub", "outline.pdf"]


def test_no_home_and_no_passwd_entry(tmp_path: Path) -> None:
    if os.geteuid() != 0 or not Path("/usr/bin/setpriv").exists():
        pytest.skip("running as a user without a passwd entry needs root and setpriv")
    shared = Path(tempfile.mkdtemp(prefix="briefexport-nopasswd-", dir="/tmp"))  # reachable for another user
    shared.chmod(0o777)
    out = shared / "out"
    env = {key: value for key, value in os.environ.items() if key not in ("HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")}
    env["PYTHONPATH"] = str(ROOT / "src")
    done = subprocess.run(
        ["setpriv", "--reuid", "54321", "--regid", "54321", "--clear-groups", sys.executable, "-m", "briefexport", "build",
         str(ROOT / "outline.yaml"), "-t", "gongwen", "-o", str(out)],
        capture_output=True, text=True, timeout=300, env=env, cwd="/",
    )
    try:
        if "Permission denied" in done.stderr and "python" in done.stderr.lower():
            pytest.skip("the test interpreter is not readable by another user")
        assert done.returncode == 0, done.stderr
        assert sorted(p.name for p in out.iterdir()) == ["outline.docx", "outline.epub", "outline.pdf"]
    finally:
        shutil.rmtree(shared, ignore_errors=True)


# -- fonts in a user font folder ---------------------------------------------------------------


def _font(path: Path, family: str, *, units_per_em: int = 1000, crafted_cmap: int = 0) -> Path:
    """A TrueType font named ``family`` covering a few Chinese characters; optionally broken."""
    import zlib

    from fontTools.ttLib import TTFont as FTFont
    from fontTools.ttLib.tables.DefaultTable import DefaultTable

    from fontmaker import tiny_font

    ps_name = f"Test{zlib.crc32(family.encode()) % 10**8}"
    tiny_font(path, ps_name, "一二三四五六七八九十关键点", advance=1000, family=family)
    font = FTFont(path)
    font["head"].unitsPerEm = units_per_em
    if crafted_cmap:
        # Thousands of format-4 segments, each spanning U+0020..U+FFFE with a glyph array:
        # a parser walking every code of every segment takes hours.
        n = crafted_cmap + 1
        import struct

        ends = [0xFFFE] * crafted_cmap + [0xFFFF]
        starts = [0x20] * crafted_cmap + [0xFFFF]
        body = struct.pack(f">{n}H", *ends) + b"\0\0" + struct.pack(f">{n}H", *starts) + struct.pack(f">{n}h", *([0] * n))
        body += struct.pack(f">{n}H", *([2 * n] * crafted_cmap + [0])) + b"\0\1" * 64
        sub = struct.pack(">HHHHHHH", 4, 14 + len(body), 0, 2 * n, 0, 0, 0) + body
        table = DefaultTable("cmap")
        table.data = struct.pack(">HHHHI", 0, 1, 3, 1, 12) + sub
        font["cmap"] = table
    font.save(path)
    return path


@pytest.mark.parametrize("broken", ["units_per_em_0", "crafted_cmap"])
def test_a_broken_user_font_named_like_a_theme_family_is_one_line_or_ignored(tmp_path: Path, broken: str) -> None:
    fonts = tmp_path / "data" / "fonts"
    fonts.mkdir(parents=True)
    if broken == "units_per_em_0":
        _font(fonts / "heiti.ttf", "黑体", units_per_em=0)
    else:
        _font(fonts / "heiti.ttf", "黑体", crafted_cmap=8000)
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    done = _run("build", str(ROOT / "outline.yaml"), "-t", "gongwen", "-o", str(tmp_path / "out"), env=env, timeout=300)
    assert "Traceback" not in done.stderr
    if done.returncode:
        assert _one_line(done.stderr).startswith(f"briefexport: error: {fonts / 'heiti.ttf'}: "), done.stderr
        assert not (tmp_path / "out").exists()


# -- import output always passes check ------------------------------------------------------------


def test_import_output_passes_check(tmp_path: Path) -> None:
    source = tmp_path / "brief.txt"
    source.write_text("关于工作的通知\n\n一、总体\ufffe要求\n坚持\ufdd0稳中求进。\n", encoding="utf-8")
    done = _run("import", str(source), "-o", str(tmp_path / "o.yaml"))
    assert done.returncode == 0, done.stderr
    assert "\ufffe" not in (tmp_path / "o.yaml").read_text(encoding="utf-8")
    assert _run("check", str(tmp_path / "o.yaml")).returncode == 0


def test_an_import_that_would_exceed_the_outline_limit_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "big.txt"
    line = "一、总体要求\n坚持稳中求进，推进“高质量发展”，落实“各项任务”。\n"
    source.write_text("关于工作的通知\n\n" + line * ((8 * 2**20 - 100) // len(line.encode("utf-8"))), encoding="utf-8")
    assert source.stat().st_size <= 8 * 2**20
    done = _run("import", str(source), "-o", str(tmp_path / "o.yaml"), timeout=600)
    if done.returncode == 0:
        assert (tmp_path / "o.yaml").stat().st_size <= 8 * 2**20
        assert _run("check", str(tmp_path / "o.yaml"), timeout=600).returncode == 0
    else:
        assert "over the 8 MiB limit of outlines" in _one_line(done.stderr) and not (tmp_path / "o.yaml").exists()


def test_a_very_long_list_is_refused_where_it_passes_the_limit(tmp_path: Path) -> None:
    from briefexport._yaml import MAX_LIST

    path = tmp_path / "kw.yaml"
    path.write_text("title: 关键词\nkeywords:\n" + "".join(f"  - 词{i}\n" for i in range(MAX_LIST + 10)), encoding="utf-8")
    done = _run("check", str(path))
    assert done.returncode == 1
    assert _one_line(done.stderr) == f"{path}:{MAX_LIST + 3}:5: error: a list of more than {MAX_LIST:,} entries; split the outline into several files"
