"""The command line: exit codes, one-line errors, untouched outputs on failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from briefexport.cli import main


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefexport", *args], capture_output=True, text=True, cwd=cwd)


def test_main_leaves_the_library_logger_as_it_found_it(seed_outline_path: Path) -> None:
    import logging

    logger = logging.getLogger("briefexport")
    before = (logger.handlers[:], logger.level, logger.propagate)
    assert main(["check", str(seed_outline_path)]) == 0
    assert (logger.handlers, logger.level, logger.propagate) == before


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("briefexport ")


@pytest.mark.parametrize("args", [["build", "-f", "odt"], ["frobnicate"], []])
def test_bad_usage_exits_2(args: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2


def test_check_ok(seed_outline_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(seed_outline_path)]) == 0
    assert "ok (4 sections, 18 headings)" in capsys.readouterr().out


def test_bad_outline_leaves_existing_output_untouched(tmp_path: Path, data_dir: Path) -> None:
    bad = tmp_path / "outline.yaml"
    bad.write_bytes((data_dir / "bad" / "misspelled_key.yaml").read_bytes())
    out = tmp_path / "build"
    out.mkdir()
    (out / "outline.pdf").write_bytes(b"good")
    result = _run("build", str(bad), "-o", str(out))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{bad}:4:5: error: unknown key 'itmes'")
    assert [p.name for p in out.iterdir()] == ["outline.pdf"] and (out / "outline.pdf").read_bytes() == b"good"


def test_missing_outline_file(tmp_path: Path) -> None:
    result = _run("check", str(tmp_path / "nope.yaml"))
    assert result.returncode == 1
    assert result.stderr == f"{tmp_path / 'nope.yaml'}:1:1: error: no such file\n"


def test_schema_validates_the_bundled_outline(seed_outline_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    outline = yaml.safe_load(seed_outline_path.read_text(encoding="utf-8"))
    outline["date"] = str(outline["date"])
    jsonschema.validate(outline, schema)
    shipped = json.loads((seed_outline_path.parent / "outline.schema.json").read_text(encoding="utf-8"))
    assert shipped == schema, "outline.schema.json is stale: run briefexport schema > outline.schema.json"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"title": "T", "sections": [{"title": "A", "itmes": []}]}, schema)


def test_themes_lists_presets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["themes"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == ["ebook", "gongwen", "handout"]


def test_uncovered_character_warns_and_strict_refuses(tmp_path: Path) -> None:
    outline = tmp_path / "emoji.yaml"
    outline.write_text("title: 表情\nlead:\n  - 笑脸😀在此\n", encoding="utf-8")
    result = _run("build", str(outline), "-f", "pdf", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert f"{outline}:3:5: warning:" in result.stderr and "U+1F600" in result.stderr
    strict = _run("build", str(outline), "-o", str(tmp_path / "strict"), "--strict")  # all three formats
    assert strict.returncode == 1 and "Traceback" not in strict.stderr
    assert strict.stderr.startswith(f"{outline}:3:5: error: ") and strict.stderr.count("\n") == 1
    assert "U+1F600" in strict.stderr and "--strict" in strict.stderr
    assert not (tmp_path / "strict").exists() or not list((tmp_path / "strict").iterdir()), "a failed build must land no file"


def test_gongwen_build_says_which_bundled_face_stands_in(tmp_path: Path, seed_outline_path: Path) -> None:
    from briefexport.fonts.fontset import FontSet

    if FontSet().find("仿宋_GB2312") is not None:
        pytest.skip("this machine has 仿宋_GB2312, so nothing stands in for it")
    result = _run("build", str(seed_outline_path), "-f", "pdf", "-t", "gongwen", "-o", str(tmp_path))
    assert result.returncode == 0
    assert "briefexport: note: font 仿宋_GB2312 (theme gongwen" in result.stderr and "using FandolFang (bundled)" in result.stderr


@pytest.mark.parametrize("command", [["themes"], ["schema"]])
def test_a_closed_pipe_ends_quietly(command: list[str]) -> None:
    # `briefexport themes | head -1`: the reader closes its end before the command writes.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "briefexport", *command], stdout=write_end, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == 141
