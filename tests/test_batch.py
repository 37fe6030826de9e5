"""``briefexport build A.yaml B.yaml …`` / ``build FOLDER/``: each outline all-or-none, failures stop only themselves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from briefexport.builder.batch import build_many, collect_outlines
from briefexport.errors import BriefexportError


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefexport", *args], capture_output=True, text=True)


def _variant(seed: Path, folder: Path, index: int) -> Path:
    text = seed.read_text(encoding="utf-8").replace('title: "今年', f'title: "第{index}年', 1)
    path = folder / f"brief{index}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def folder(tmp_path: Path, seed_outline_path: Path) -> Path:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for index in range(3):
        _variant(seed_outline_path, inputs, index)
    (inputs / "bad.yaml").write_text("title: 标题\nsections:\n  - titel: 一\n", encoding="utf-8")
    (inputs / "notes.txt").write_text("not an outline", encoding="utf-8")
    return inputs


def test_folder_builds_every_outline_and_reports_the_bad_one(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _run("build", str(folder), "-f", "docx,epub", "-o", str(out))
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [f"{folder / 'bad.yaml'}:3:5: error: unknown key 'titel' in a section; did you mean 'title'?"]
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [str(folder / f"brief{i}.yaml") for i in range(3)]
    assert lines[-1].startswith(f"built 3 of 4 outlines into {out} in ") and lines[-1].endswith("; 1 failed")
    assert sorted(p.name for p in out.iterdir()) == [f"brief{i}.{ext}" for i in range(3) for ext in ("docx", "epub")]


def test_batch_files_are_the_single_builds_bytes(folder: Path, tmp_path: Path) -> None:
    batch, single = tmp_path / "batch", tmp_path / "single"
    files = [str(folder / f"brief{i}.yaml") for i in range(2)]
    assert _run("build", *files, "-o", str(batch), "-t", "gongwen").returncode == 0
    for name in files:
        assert _run("build", name, "-o", str(single), "-t", "gongwen").returncode == 0
    names = sorted(p.name for p in single.iterdir())
    assert names == sorted(p.name for p in batch.iterdir()) and len(names) == 6
    for name in names:
        assert (batch / name).read_bytes() == (single / name).read_bytes(), name


def test_a_failed_outline_leaves_its_earlier_files_untouched(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "bad.docx").write_bytes(b"earlier")
    result = _run("build", str(folder / "bad.yaml"), str(folder / "brief0.yaml"), "-f", "docx", "-o", str(out))
    assert result.returncode == 1
    assert (out / "bad.docx").read_bytes() == b"earlier"
    assert (out / "brief0.docx").stat().st_size > 0
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "no temporary file is left behind"


def test_strict_fails_only_the_outline_that_warns(folder: Path, tmp_path: Path) -> None:
    (folder / "emoji.yaml").write_text("title: 表情\nlead:\n  - 笑脸😀在此\n", encoding="utf-8")
    out = tmp_path / "out"
    loose = _run("build", str(folder / "emoji.yaml"), str(folder / "brief1.yaml"), "-f", "pdf", "-o", str(out))
    assert loose.returncode == 0 and f"{folder / 'emoji.yaml'}:3:5: warning:" in loose.stderr
    strict = _run("build", str(folder / "emoji.yaml"), str(folder / "brief1.yaml"), "-f", "pdf", "-o", str(tmp_path / "s"), "--strict")
    assert strict.returncode == 1
    assert strict.stderr.startswith(f"{folder / 'emoji.yaml'}:3:5: error: ") and "--strict" in strict.stderr
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["brief1.pdf"]


def test_missing_file_is_one_line_and_the_rest_build(folder: Path, tmp_path: Path) -> None:
    result = _run("build", str(folder / "gone.yaml"), str(folder / "brief2.yaml"), "-f", "epub", "-o", str(tmp_path / "o"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"{folder / 'gone.yaml'}:1:1: error: no such file"
    assert (tmp_path / "o" / "brief2.epub").exists()


def test_outlines_that_would_share_output_names_are_refused(folder: Path, tmp_path: Path, seed_outline_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    twin = _variant(seed_outline_path, other, 0)
    with pytest.raises(BriefexportError, match="would both write brief0"):
        collect_outlines([folder, twin])
    result = _run("build", str(folder), str(twin), "-o", str(tmp_path / "o"))
    assert result.returncode == 1 and "would both write brief0.*" in result.stderr and not (tmp_path / "o").exists()


def test_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BriefexportError, match="no outlines"):
        collect_outlines([tmp_path])


def test_folder_lists_outlines_only_sorted(folder: Path) -> None:
    assert [p.name for p in collect_outlines([folder])] == ["bad.yaml", "brief0.yaml", "brief1.yaml", "brief2.yaml"]


def test_build_many_yields_in_the_order_given(folder: Path, tmp_path: Path) -> None:
    order = [folder / "brief2.yaml", folder / "bad.yaml", folder / "brief0.yaml"]
    outcomes = list(build_many(order, ["epub"], tmp_path / "o", workers=2))
    assert [o.outline for o in outcomes] == order
    assert [o.ok for o in outcomes] == [True, False, True]
    assert outcomes[0].built[0].path == tmp_path / "o" / "brief2.epub" and outcomes[0].built[0].size > 0


def test_a_briefing_among_the_outlines_gets_the_import_hint(folder: Path, tmp_path: Path) -> None:
    notes = folder / "notes.txt"
    result = _run("build", str(folder / "brief0.yaml"), str(notes), "-f", "epub", "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{notes}:1:1: error: this is not an outline; run `briefexport import {notes}` first to make notes.yaml, "
        "review it, then build that"
    ]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["brief0.epub"]
