"""Measure briefexport: wall time, peak memory and output size per format and document size.

Run from the repository root with ``python benchmarks/bench.py`` (``--quick`` for fewer
runs and sizes, ``--sizes 1,10,50`` to choose the scaled outlines). Every measurement is a
fresh ``briefexport build`` process, so the numbers include interpreter start-up and
imports, as a user experiences them. The script ends with the issue-9 targets, each marked
met or not.

The font-metrics cache lives in a scratch ``XDG_CACHE_HOME`` so that the numbers never
depend on (or touch) the user's own cache: the cache is filled by one untimed build first,
the usual state for everyone after their first build. The cold-start row "empty font
cache" measures a first build, with a fresh cache folder for every run.
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("docx", "pdf", "epub")
ALL = ",".join(FORMATS)


@dataclass(frozen=True)
class Sample:
    seconds: float
    cpu_seconds: float
    peak_rss_mib: float


@dataclass(frozen=True)
class Cell:
    """The median wall and CPU time, the largest peak RSS and the output size of one (outline, formats) cell."""

    seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    size_kb: float | None


@dataclass(frozen=True)
class Target:
    name: str
    limit: str
    measured: str
    met: bool


class _NoAliasDumper(yaml.SafeDumper):
    """Write repeated sub-trees out in full: outlines reject YAML anchors and aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def scaled_outline(copies: int, folder: Path) -> Path:
    """The briefing repeated ``copies`` times as sections with distinct titles."""
    outline = yaml.safe_load((ROOT / "outline.yaml").read_text(encoding="utf-8"))
    sections = outline["sections"]
    outline["sections"] = [
        {**section, "title": f"{section['title']}（第{copy + 1}遍）"} for copy in range(copies) for section in sections
    ]
    outline["date"] = str(outline["date"])
    path = folder / f"briefing-x{copies}.yaml"
    text = yaml.dump(outline, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=10_000)
    path.write_text(text, encoding="utf-8")
    return path


def run_once(outline: Path, formats: str, out_dir: Path, env: dict[str, str], extra: Sequence[str] = ()) -> Sample:
    """One fresh process; wall time, CPU time (user + system, with the forked child) and the largest peak RSS."""
    command = [sys.executable, "-m", "briefexport", "build", str(outline), "-f", formats, "-o", str(out_dir), *extra]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"build failed: {' '.join(command)}\n{process.stderr.read().decode() if process.stderr else ''}")
    return Sample(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def measure(
    outline: Path, formats: str, out_dir: Path, runs: int, env: Callable[[], dict[str, str]], extra: Sequence[str] = ()
) -> Cell:
    samples = [run_once(outline, formats, out_dir, env(), extra) for _ in range(runs)]
    size = None if "," in formats else (out_dir / f"{outline.stem}.{formats}").stat().st_size / 1024
    return Cell(
        statistics.median(s.seconds for s in samples),
        statistics.median(s.cpu_seconds for s in samples),
        max(s.peak_rss_mib for s in samples),
        size,
    )


def _row(outline: str, label: str, cell: Cell) -> str:
    size = "—" if cell.size_kb is None else f"{cell.size_kb:,.0f} KB"
    return f"| {outline} | {label} | {cell.seconds:.2f} | {cell.cpu_seconds:.2f} | {cell.peak_rss_mib:.0f} | {size} |"


def _targets(cold: Cell, by_size: dict[int, dict[str, Cell]], epub_font: Cell | None) -> list[Target]:
    out = [Target("cold build, outline.yaml, all three", "≤ 0.60 s", f"{cold.seconds:.2f} s", cold.seconds <= 0.60)]
    one = by_size.get(1, {})
    for fmt, limit in (("pdf", 250), ("docx", 60), ("epub", 50)):
        if fmt in one and one[fmt].size_kb is not None:
            size = one[fmt].size_kb
            label = f"{fmt.upper()} size, briefing" + (" (no font)" if fmt == "epub" else "")
            out.append(Target(label, f"≤ {limit} KB", f"{size:.0f} KB", size <= limit))
    if epub_font is not None and epub_font.size_kb is not None:
        out.append(Target("EPUB size, briefing, one font", "≤ 400 KB", f"{epub_font.size_kb:.0f} KB", epub_font.size_kb <= 400))
    fifty = by_size.get(50, {}).get(ALL)
    if fifty is not None:
        out.append(Target("×50, all three", "≤ 4.0 s", f"{fifty.seconds:.2f} s", fifty.seconds <= 4.0))
        out.append(Target("×50 peak RSS", "≤ 200 MiB", f"{fifty.peak_rss_mib:.0f} MiB", fifty.peak_rss_mib <= 200))
        ten = by_size.get(10, {}).get(ALL)
        if ten is not None:
            growth = fifty.seconds / ten.seconds
            out.append(Target("growth ×10 → ×50, all three", "≤ 5.5×", f"{growth:.2f}×", growth <= 5.5))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 runs, sizes ×1 and ×10 only")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per cell (default 5; ×200 always 1)")
    parser.add_argument("--sizes", default=None, help="comma-separated copies of the briefing (default 1,10,50,200)")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [1, 10] if args.quick else [1, 10, 50, 200]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}")
    print(f"median of {runs} fresh processes per cell (×200: 1 run); font cache filled before timing unless stated")
    print(f"load average before the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other work on the machine inflates wall times, not CPU times)\n")
    print("| outline | formats | wall (s) | CPU (s) | peak RSS (MiB) | output |")
    print("|---|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        out_dir = folder / "out"
        warm_cache = folder / "cache"
        counter = iter(range(1_000_000))

        def warm_env() -> dict[str, str]:
            return {**os.environ, "XDG_CACHE_HOME": str(warm_cache)}

        def empty_env() -> dict[str, str]:
            return {**os.environ, "XDG_CACHE_HOME": str(folder / f"empty-cache-{next(counter)}")}

        seed = ROOT / "outline.yaml"
        run_once(seed, ALL, out_dir, warm_env())  # fills the font cache; not timed
        first = measure(seed, ALL, out_dir, runs, empty_env)
        print(_row("outline.yaml", "all three, empty font cache", first), flush=True)
        cold = measure(seed, ALL, out_dir, runs, warm_env)
        print(_row("outline.yaml", "all three", cold), flush=True)
        by_size: dict[int, dict[str, Cell]] = {}
        epub_font = None
        for copies in sizes:
            outline = seed if copies == 1 else scaled_outline(copies, folder)  # ×1: the briefing itself
            cell_runs = 1 if copies >= 200 else runs
            cells = by_size[copies] = {}
            for fmt in (*FORMATS, ALL):
                cells[fmt] = measure(outline, fmt, out_dir, cell_runs, warm_env)
                print(_row(f"×{copies}", "all three" if fmt == ALL else fmt, cells[fmt]), flush=True)
            if copies == 1:
                epub_font = measure(outline, "epub", out_dir, cell_runs, warm_env, ["--embed-font"])
                print(_row("×1", "epub --embed-font", epub_font), flush=True)
    growth = [f"×{a} → ×{b}: {by_size[b][ALL].seconds / by_size[a][ALL].seconds:.2f}×" for a, b in zip(sizes, sizes[1:])]
    if growth:
        print(f"\ngrowth of the all-three wall time: {', '.join(growth)}")
    print(f"load average after the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n| target | limit | measured | met |")
    print("|---|---:|---:|:---:|")
    for target in _targets(cold, by_size, epub_font):
        print(f"| {target.name} | {target.limit} | {target.measured} | {'yes' if target.met else '**no**'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
