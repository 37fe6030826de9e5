"""Measure (never assert) how the denial-of-service cases of issue 16 grow: ×1, ×2, ×4.

Run from the repository root with ``python benchmarks/reliability.py`` (``--quick`` for the
small sizes only). Every measurement is a fresh ``briefexport`` process; the script prints
wall time and CPU time (the CPU time of the command and its render child, which a busy
machine disturbs less), the peak RSS of the command itself ("RSS MB"), of its render child
("child": a full build renders the PDF, then the DOCX, in a forked child) and of both at once
("both"), and the ratio of each size to the first. Linear growth gives about ×2 and ×4.

Cases:

* a PDF of one paragraph holding an unbreakable Latin/digit run of 16, 32 and 64 thousand
  characters (was quadratic: 3.2 s, 10 s, 30 s), with the handout preset and on the gongwen
  preset's character grid;
* a full build (DOCX, PDF, EPUB) of an outline of 5,000, 10,000 and 20,000 items;
* ``check`` of an outline whose ``keywords:`` list passes the list limit (refused early).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def long_word(chars: int, folder: Path) -> Path:
    path = folder / f"word-{chars}.yaml"
    run = ("a1b2c3d4e5" * (chars // 10 + 1))[:chars]
    path.write_text(f'title: "长单词"\nlead: "前文{run}后文，结束。"\n', encoding="utf-8")
    return path


def many_items(items: int, folder: Path) -> Path:
    path = folder / f"items-{items}.yaml"
    lines = ['title: "大量条目"', "sections:", '  - title: "一节"', "    items:"]
    for i in range(items):
        lines += [f'      - title: "第{i}条工作要求"', f'        body: "坚持稳中求进工作总基调，推进第{i}项工作。"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def many_keywords(count: int, folder: Path) -> Path:
    path = folder / f"keywords-{count}.yaml"
    path.write_text('title: "关键词"\nkeywords:\n' + "".join(f'  - "词{i}"\n' for i in range(count)), encoding="utf-8")
    return path


#: Runs one command and reports, on its last stderr line, the peak RSS (KiB) of the command itself,
#: of the largest of its children (a full build renders the PDF in a forked child) and of all of
#: them at once. Each process's peak is its VmHWM, sampled every 10 ms from /proc (Linux); without
#: /proc, all three are RUSAGE_CHILDREN's figure, the largest single process.
_PEAK = (
    "import os, resource, subprocess, sys, time\n"
    "def hwm(pid):\n"
    "    try:\n"
    "        with open(f'/proc/{pid}/status') as status:\n"
    "            fields = dict(line.split(':', 1) for line in status)\n"
    "        return int(fields['VmHWM'].split()[0]), int(fields['VmRSS'].split()[0])\n"
    "    except (OSError, KeyError, ValueError):\n"
    "        return 0, 0\n"
    "def children(pid):\n"
    "    try:\n"
    "        with open(f'/proc/{pid}/task/{pid}/children') as listed:\n"
    "            return [int(child) for child in listed.read().split()]\n"
    "    except OSError:\n"
    "        return []\n"
    "done = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "own = child = together = 0\n"
    "while done.poll() is None and os.path.exists('/proc/self/status'):\n"
    "    main = hwm(done.pid)\n"
    "    kids = [hwm(pid) for pid in children(done.pid)]\n"
    "    own, child = max(own, main[0]), max([child, *(peak for peak, _ in kids)])\n"
    "    together = max(together, main[1] + sum(now for _, now in kids))\n"
    "    time.sleep(0.01)\n"
    "done.wait()\n"
    "largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(own or largest, child, together or largest, file=sys.stderr)\n"
    "sys.exit(done.returncode)\n"
)


def measure(args: Sequence[str], env: dict[str, str]) -> tuple[float, float, tuple[int, int, int], int]:
    """Wall seconds, CPU seconds (this command and its children), peak RSS in MB (the command, its
    largest child, all at once) and exit status."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PEAK, sys.executable, "-m", "briefexport", *args],
                          capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    own, child, together = (int(kib) // 1024 for kib in done.stderr.strip().splitlines()[-1].split())
    return wall, cpu, (own, child, together), done.returncode


def series(name: str, sizes: Sequence[int], make: Callable[[int, Path], Path], command: Callable[[Path, Path], list[str]],
           folder: Path, env: dict[str, str]) -> None:
    print(f"\n{name}")
    print(f"{'size':>8} {'wall s':>8} {'cpu s':>8} {'wall ×':>7} {'cpu ×':>7} {'RSS MB':>7} {'RSS ×':>6} {'child':>6} "
          f"{'both':>6}  exit")
    first: tuple[float, float, int] | None = None
    for size in sizes:
        source = make(size, folder)
        wall, cpu, (peak, child, both), status = measure(command(source, folder / f"out-{name}-{size}"), env)
        first = first or (wall, cpu, peak)
        print(f"{size:>8} {wall:>8.2f} {cpu:>8.2f} {wall / first[0]:>7.2f} {cpu / first[1]:>7.2f} {peak:>7} "
              f"{peak / first[2]:>6.2f} {child or '-':>6} {both:>6}  {status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a quick look, not the issue's)")
    parser.add_argument("--only", choices=["word", "grid", "items", "keywords"], action="append",
                        help="run only these cases (repeatable; default: all)")
    args = parser.parse_args()
    only = set(args.only or ["word", "grid", "items", "keywords"])
    scale = 4 if args.quick else 1
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        env = {**os.environ, "XDG_CACHE_HOME": str(folder / "cache"), "PYTHONPATH": str(ROOT / "src")}
        measure(["build", str(ROOT / "outline.yaml"), "-o", str(folder / "warm")], env)  # fill the font cache
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
        if "word" in only:
            series("long unbreakable run, PDF", [16_000 // scale, 32_000 // scale, 64_000 // scale], long_word,
                   lambda source, out: ["build", str(source), "-f", "pdf", "-o", str(out)], folder, env)
        if "grid" in only:
            series("long unbreakable run, PDF on the gongwen grid", [16_000 // scale, 32_000 // scale, 64_000 // scale], long_word,
                   lambda source, out: ["build", str(source), "-f", "pdf", "-t", "gongwen", "-o", str(out)], folder, env)
        if "items" in only:
            series("items, all three formats", [5_000 // scale, 10_000 // scale, 20_000 // scale], many_items,
                   lambda source, out: ["build", str(source), "-o", str(out)], folder, env)
        if "keywords" in only:
            series("keywords list, check (refused past 25,000 entries)", [30_000, 60_000, 120_000], many_keywords,
                   lambda source, _out: ["check", str(source)], folder, env)


if __name__ == "__main__":
    main()
