"""The warm engine: the same bytes as ``briefexport build``, errors as the library's, lost workers replaced."""

from __future__ import annotations

import hashlib
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

from briefexport.builder.engine import FORMATS, BuildResult, BuildTimeout, Engine, WorkerLost
from briefexport.errors import LocatedError, OutlineError, RenderError, ThemeError
from briefexport.render import WarmMemo


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    with Engine(workers=1) as warm:
        yield warm


@pytest.fixture(scope="module")
def seed_text(seed_outline_path: Path) -> str:
    return seed_outline_path.read_text(encoding="utf-8")


def _cli_build(outline: Path, out: Path, *args: str) -> dict[str, bytes]:
    subprocess.run([sys.executable, "-m", "briefexport", "build", str(outline), "-o", str(out), *args], check=True,
                   capture_output=True)
    return {path.suffix[1:]: path.read_bytes() for path in out.iterdir()}


@pytest.mark.parametrize("theme", ["handout", "gongwen"])
def test_files_are_byte_identical_to_the_command(engine: Engine, seed_outline_path: Path, seed_text: str,
                                                 tmp_path: Path, theme: str) -> None:
    expected = _cli_build(seed_outline_path, tmp_path, "-t", theme)
    first = engine.submit(seed_text, theme=theme).result()
    again = engine.submit(seed_text, theme=theme).result()  # warm state must not leak into the bytes
    for result in (first, again):
        assert set(result.files) == set(FORMATS)
        for fmt in FORMATS:
            assert hashlib.sha256(result.files[fmt]).hexdigest() == hashlib.sha256(expected[fmt]).hexdigest(), fmt


def test_docx_alone_after_other_builds_is_the_commands_docx(engine: Engine, seed_outline_path: Path, seed_text: str,
                                                          tmp_path: Path) -> None:
    # A warm worker keeps paragraph lines and heading pages between builds; an edit must still reach the TOC.
    edited = seed_text.replace('title: "今年', 'title: "明年', 1).replace("- title: ", "- title: 新", 1)
    (tmp_path / "edited").mkdir()
    path = tmp_path / "edited" / seed_outline_path.name
    path.write_text(edited, encoding="utf-8")
    expected = {"seed": _cli_build(seed_outline_path, tmp_path / "seed", "-f", "docx")["docx"],
                "edited": _cli_build(path, tmp_path / "out", "-f", "docx")["docx"]}
    engine.submit(seed_text, formats=["pdf"]).result()
    for name, text in (("seed", seed_text), ("edited", edited), ("seed", seed_text)):
        assert engine.submit(text, formats=["docx"]).result().files["docx"] == expected[name], name


def test_a_warm_docx_warns_on_every_build(engine: Engine) -> None:
    # Heading pages laid out with a warning are never reused, so every build reports it.
    text = "title: 表情\nsections:\n  - title: 一\n    body:\n      - 笑脸😀在此\n"
    for _ in range(2):
        result = engine.submit(text, name="emoji.yaml", formats=["docx"]).result()
        assert any("U+1F600" in line for line in result.warnings), result.warnings


def test_warm_memo_keeps_what_the_last_build_used() -> None:
    memo = WarmMemo()
    memo.put("a", 1)
    memo.put("b", 2)
    memo.next_build()
    assert memo.get("a") == 1  # used by this build: kept for the next
    memo.next_build()
    assert memo.get("a") == 1 and memo.get("b") is None  # b went unused for a whole build


def test_gongwen_notes_say_which_face_stands_in(engine: Engine, seed_text: str) -> None:
    from briefexport.fonts.fontset import FontSet

    if FontSet().find("仿宋_GB2312") is not None:
        pytest.skip("this machine has 仿宋_GB2312, so nothing stands in for it")
    result = engine.submit(seed_text, theme="gongwen", formats=["pdf"]).result()
    assert any("仿宋_GB2312" in note and "FandolFang" in note for note in result.notes), result.notes
    assert result.warnings == ()


def test_submit_file_reads_like_the_command(engine: Engine, seed_outline_path: Path, tmp_path: Path) -> None:
    expected = _cli_build(seed_outline_path, tmp_path, "-f", "epub")
    result = engine.submit_file(seed_outline_path, formats=["epub"]).result()
    assert list(result.files) == ["epub"] and result.files["epub"] == expected["epub"]
    assert result.seconds > 0


def test_source_date_epoch_is_read_when_submitting(engine: Engine, seed_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = engine.submit(seed_text, formats=["epub"]).result().files["epub"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    dated = engine.submit(seed_text, formats=["epub"]).result().files["epub"]
    assert dated != plain and b"2023-11-14" in _epub_opf(dated)


def _epub_opf(data: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as epub:
        return next(epub.read(name) for name in epub.namelist() if name.endswith(".opf"))


def test_outline_error_keeps_its_type_and_place(engine: Engine) -> None:
    future = engine.submit("title: 标题\nsections:\n  - titel: 一\n", name="mine.yaml")
    with pytest.raises(OutlineError) as caught:
        future.result()
    assert str(caught.value).startswith("mine.yaml:3:5: error: unknown key 'titel'")
    assert "did you mean 'title'" in str(caught.value)
    assert caught.value.pos.line == 3  # type: ignore[union-attr]


def test_warnings_are_collected_and_strict_makes_them_errors(engine: Engine) -> None:
    text = "title: 表情\nlead:\n  - 笑脸😀在此\n"
    result = engine.submit(text, name="emoji.yaml", formats=["pdf"]).result()
    assert any(line.startswith("emoji.yaml:3:5: warning:") and "U+1F600" in line for line in result.warnings), result.warnings
    with pytest.raises(LocatedError) as caught:
        engine.submit(text, name="emoji.yaml", strict=True).result()
    assert str(caught.value).startswith("emoji.yaml:3:5: error: ") and "--strict" in str(caught.value)


def test_theme_text_is_checked_like_a_file(engine: Engine, seed_text: str) -> None:
    with pytest.raises(ThemeError) as caught:
        engine.submit(seed_text, theme_text="extends: handout\nstyles:\n  body: {sise: 14}\n", theme_name="mine.yaml").result()
    assert str(caught.value).startswith("mine.yaml:3:10: error: unknown theme key 'sise'")
    bigger = engine.submit(seed_text, formats=["epub"], theme_text="extends: handout\nstyles:\n  body: {size: 14}\n").result()
    plain = engine.submit(seed_text, formats=["epub"]).result()
    assert bigger.files["epub"] != plain.files["epub"]


@pytest.mark.parametrize("parent", ["/etc/passwd", "../theme.yaml", "other.yaml"])
def test_theme_text_may_extend_presets_only(engine: Engine, seed_text: str, parent: str) -> None:
    with pytest.raises(ThemeError) as caught:
        engine.submit(seed_text, theme_text=f"extends: {parent}\n").result()
    message = str(caught.value)
    assert message.startswith("theme.yaml:1:10: error: a theme given as text may extend only a preset"), message


def test_theme_names_only_presets(engine: Engine, seed_text: str) -> None:
    with pytest.raises(RenderError, match="no preset theme named 'outline.yaml'"):
        engine.submit(seed_text, theme="outline.yaml").result()


def test_unknown_format_is_refused_at_once(engine: Engine, seed_text: str) -> None:
    with pytest.raises(RenderError, match="unknown format 'odt'"):
        engine.submit(seed_text, formats=["odt"])


def test_errors_survive_pickling(engine: Engine) -> None:
    with pytest.raises(OutlineError) as caught:
        engine.submit("", name="empty.yaml").result()
    again = pickle.loads(pickle.dumps(caught.value))
    assert type(again) is OutlineError and str(again) == str(caught.value)


@pytest.fixture()
def own_engine() -> Iterator[Engine]:
    with Engine(workers=1) as fresh:
        yield fresh


def test_a_job_over_its_timeout_fails_and_the_worker_is_replaced(own_engine: Engine, seed_text: str) -> None:
    own_engine.submit(seed_text, formats=["epub"]).result()  # warm
    (before,) = own_engine.pids()
    with pytest.raises(BuildTimeout, match=r"outline.yaml: error: the build took longer than 0.001 s and was stopped"):
        own_engine.submit(seed_text, formats=["pdf"], timeout=0.001).result()
    result = own_engine.submit(seed_text, formats=["epub"]).result()
    assert result.files["epub"].startswith(b"PK")
    assert own_engine.pids() != (before,)


def test_a_replacement_worker_ignores_ctrl_c_from_its_first_moment(own_engine: Engine, seed_text: str) -> None:
    own_engine.submit(seed_text, formats=["epub"]).result()  # warm
    (before,) = own_engine.pids()
    with pytest.raises(BuildTimeout):
        own_engine.submit(seed_text, formats=["pdf"], timeout=0.001).result()
    deadline = time.monotonic() + 60
    while own_engine.pids() in ((before,), (None,)) and time.monotonic() < deadline:
        time.sleep(0.001)
    (replacement,) = own_engine.pids()
    assert replacement is not None
    # Ctrl-C in the terminal reaches every worker, also one still importing (started from the slot's thread).
    for _ in range(40):
        os.kill(replacement, signal.SIGINT)
        time.sleep(0.025)
    result = own_engine.submit(seed_text, formats=["epub"]).result()
    assert result.files["epub"].startswith(b"PK")
    assert own_engine.pids() == (replacement,)  # the same worker: it was not killed and replaced again


def test_a_worker_that_dies_fails_its_job_only(own_engine: Engine, seed_text: str) -> None:
    own_engine.submit(seed_text, formats=["epub"]).result()
    big = own_engine.submit(seed_text, formats=["pdf", "docx", "epub"])
    queued = own_engine.submit(seed_text, formats=["epub"])
    _wait_running(big)
    (pid,) = own_engine.pids()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(WorkerLost, match=r"outline.yaml: error: the build worker ended unexpectedly \(exit status -9\)"):
        big.result()
    assert isinstance(queued.result(), BuildResult)


def _wait_running(future: Future[BuildResult]) -> None:
    deadline = time.monotonic() + 60
    while not future.running() and time.monotonic() < deadline:
        time.sleep(0.001)
    assert future.running()


def test_close_finishes_queued_jobs_then_refuses_more(seed_text: str) -> None:
    engine = Engine(workers=1)
    futures = [engine.submit(seed_text, formats=["epub"]) for _ in range(3)]
    engine.close()
    assert all(future.done() and future.exception() is None for future in futures)
    assert engine.pids() == (None,)
    with pytest.raises(RuntimeError, match="closed"):
        engine.submit(seed_text)


def test_many_jobs_over_two_workers_all_land(seed_text: str) -> None:
    with Engine(workers=2) as engine:
        assert engine.workers == 2
        futures = [engine.submit(seed_text.replace("title: \"今年", f"title: \"第{i}年", 1), formats=["epub"]) for i in range(8)]
        files = [future.result().files["epub"] for future in futures]
    assert len(set(files)) == 8


def test_subset_memo_returns_what_the_face_made_and_forgets_the_oldest() -> None:
    from briefexport.builder._engine_worker import _SubsetMemo

    made: list[tuple[int, ...]] = []

    def make(subset: object) -> bytes:
        made.append(tuple(subset))  # type: ignore[call-overload]
        return repr(tuple(subset)).encode()  # type: ignore[call-overload]

    memo = _SubsetMemo(make, size=2)
    assert memo([1, 2]) == b"(1, 2)" and memo([1, 2]) == b"(1, 2)"
    memo([3])
    memo([1, 2])  # used again: now the most recent
    memo([4])  # evicts (3,)
    memo([3])
    assert made == [(1, 2), (3,), (4,), (3,)]
