"""Measure briefexport: wall time, peak memory and output size per format and document size.

Run from the repository root with ``python benchmarks/bench.py`` (``--quick`` for fewer
runs and sizes). Every measurement is a fresh ``briefexport build`` process, so the
numbers include interpreter start-up and imports, as a user experiences them.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("docx", "pdf", "epub")


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_rss_mib: float


def scaled_outline(copies: int, folder: Path) -> Path:
    """The briefing repeated ``copies`` times as sections with distinct titles."""
    outline = yaml.safe_load((ROOT / "outline.yaml").read_text(encoding="utf-8"))
    sections = outline["sections"]
    outline["sections"] = [
        {**section, "title": f"{section['title']}（第{copy + 1}遍）"} for copy in range(copies) for section in sections
    ]
    outline["lead"] = outline["lead"] * 1
    outline["date"] = str(outline["date"])
    path = folder / f"briefing-x{copies}.yaml"
    path.write_text(yaml.safe_dump(outline, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8")
    return path


def run_once(outline: Path, formats: str, out_dir: Path) -> Sample:
    """One fresh process; wall time and that process's own peak RSS."""
    command = [sys.executable, "-m", "briefexport", "build", str(outline), "-f", formats, "-o", str(out_dir)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"build failed: {' '.join(command)}\n{process.stderr.read().decode() if process.stderr else ''}")
    return Sample(seconds, usage.ru_maxrss / 1024)


def measure(outline: Path, formats: str, out_dir: Path, runs: int) -> tuple[float, float]:
    samples = [run_once(outline, formats, out_dir) for _ in range(runs)]
    return statistics.median(s.seconds for s in samples), max(s.peak_rss_mib for s in samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 runs, sizes ×1 and ×10 only")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    sizes = (1, 10) if args.quick else (1, 10, 50, 200)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}")
    print(f"median of {runs} fresh processes per cell (×200: 1 run)\n")
    print("| outline | format | wall (s) | peak RSS (MiB) | output |")
    print("|---|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        out_dir = folder / "out"
        cold = measure(ROOT / "outline.yaml", ",".join(FORMATS), out_dir, runs)
        print(f"| outline.yaml | all three | {cold[0]:.2f} | {cold[1]:.0f} | — |")
        for copies in sizes:
            outline = scaled_outline(copies, folder)
            cell_runs = 1 if copies >= 200 else runs
            for fmt in (*FORMATS, ",".join(FORMATS)):
                seconds, rss = measure(outline, fmt, out_dir, cell_runs)
                size = "—" if "," in fmt else f"{(out_dir / f'{outline.stem}.{fmt}').stat().st_size / 1024:,.0f} KB"
                label = "all three" if "," in fmt else fmt
                print(f"| ×{copies} | {label} | {seconds:.2f} | {rss:.0f} | {size} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
