"""Measure briefexport against its peers and its floors, every comparison in the same run.

Run from the repository root with ``python benchmarks/bench.py`` (``--quick``: 3 runs, a batch
of 20, sizes ×1 and ×10). Sections:

1. **Floors**: ``python -c pass`` and bare imports of each library a format needs, so each
   cold figure can be read against what it cannot go below.
2. **Cold builds**: fresh ``briefexport build`` processes per format and size, beside Pandoc
   writing the same text (when ``pandoc`` is installed; its PDF needs a LaTeX engine, which is
   used only when ``xelatex`` is installed), with ours ÷ Pandoc for wall and CPU time.
3. **Warm re-renders** through the engine (``builder/engine.py``): a warm worker's median per
   format, for the same outline again and for the outline with one sentence edited each time,
   beside the cold process of the same format.
4. **Batches**: N outlines as a shell loop of ``briefexport build FILE`` against one
   ``briefexport build FOLDER``, and whether both wrote the same bytes.

Fresh processes get a scratch ``XDG_CACHE_HOME`` (font metrics, and the DOCX's layout answers:
filled by one untimed build; the row "docx, layout cache empty" removes the latter before each run)
and a scratch ``PYTHONPYCACHEPREFIX`` with bytecode writing on, so that briefexport's own
modules load from compiled bytecode as from an installed wheel, even where the environment
sets ``PYTHONDONTWRITEBYTECODE`` (then every run would compile them from source). CPU time is
user + system of the process and the children it waited for (forked PDF child, engine
workers). Wall times grow when other work runs on the machine; CPU times much less.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
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
sys.path.insert(0, str(ROOT / "src"))
FORMATS = ("docx", "pdf", "epub")
ALL = ",".join(FORMATS)


@dataclass(frozen=True)
class Cell:
    """Median wall and CPU seconds and the largest peak RSS of repeated runs."""

    seconds: float
    cpu_seconds: float
    peak_rss_mib: float


class _NoAliasDumper(yaml.SafeDumper):
    """Write repeated sub-trees out in full: outlines reject YAML anchors and aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def scaled_outline(copies: int, folder: Path, *, name: str | None = None, title: str | None = None) -> Path:
    """The briefing repeated ``copies`` times as sections with distinct titles."""
    outline = yaml.safe_load((ROOT / "outline.yaml").read_text(encoding="utf-8"))
    sections = outline["sections"]
    if copies > 1:
        outline["sections"] = [
            {**section, "title": f"{section['title']}（第{copy + 1}遍）"} for copy in range(copies) for section in sections
        ]
    outline["date"] = str(outline["date"])
    if title:
        outline["title"] = title
    path = folder / (name or f"briefing-x{copies}.yaml")
    path.write_text(yaml.dump(outline, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8")
    return path


def pandoc_markdown(outline: Path, folder: Path) -> Path:
    """The same text as Pandoc Markdown: title block, lead, headings with their labels, paragraphs."""
    from briefexport import load, number

    doc = number(load(outline))
    meta = doc.doc.meta

    def text(para: object) -> str:
        return "".join(f"**{span.text}**" if span.bold else span.text for span in para.spans)  # type: ignore[attr-defined]

    lines = ["---", f"title: {yaml.safe_dump(meta.title, allow_unicode=True).splitlines()[0]}"]
    if meta.subtitle:
        lines.append(f"subtitle: {yaml.safe_dump(meta.subtitle, allow_unicode=True).splitlines()[0]}")
    lines += [f"lang: {meta.lang}", f"date: '{meta.date}'", "---", ""]
    lines += [line for para in doc.doc.lead for line in (text(para), "")]
    for item in doc.walk():
        lines += ["#" * item.level + f" {item.label or ''}{text(item.node.title)}", ""]
        lines += [line for para in item.node.body for line in (text(para), "")]
    path = folder / f"{outline.stem}.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run_once(command: Sequence[str], env: dict[str, str]) -> tuple[float, float, float]:
    """One fresh process: wall seconds, CPU seconds (with waited-for children), peak RSS in MiB."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"failed: {' '.join(command)}\n{error}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(command: Sequence[str], env: dict[str, str], runs: int, *, before: Callable[[], None] | None = None) -> Cell:
    """Median of ``runs`` fresh processes; ``before`` runs ahead of each (not timed)."""
    samples = []
    for _ in range(runs):
        if before is not None:
            before()
        samples.append(run_once(command, env))
    return Cell(statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples), max(s[2] for s in samples))


def ratio(ours: float, theirs: float | None) -> str:
    return "—" if not theirs else f"{ours / theirs:.2f}"


class Bench:
    """The scratch folders, environment and runs of one benchmark."""

    def __init__(self, folder: Path, runs: int) -> None:
        self.folder = folder
        self.runs = runs
        self.out = folder / "out"
        self.env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        self.env.update(XDG_CACHE_HOME=str(folder / "cache"), PYTHONPYCACHEPREFIX=str(folder / "pycache"))
        self.pandoc = shutil.which("pandoc")
        self.xelatex = shutil.which("xelatex")

    def ours(self, outline: Path, formats: str, *extra: str, runs: int | None = None, laid_out: bool = False) -> Cell:
        """Fresh ``briefexport build`` processes; ``laid_out``: each without the layout cache's entries,
        so that a DOCX lays its pages out as the first build of an outline and theme does."""
        command = [sys.executable, "-m", "briefexport", "build", str(outline), "-f", formats, "-o", str(self.out), *extra]
        return measure(command, self.env, runs or self.runs, before=self.forget_layouts if laid_out else None)

    def forget_layouts(self) -> None:
        """Remove the layout cache's entries (``render/_pdf_facts.py``), keeping the font metrics."""
        for entry in (self.folder / "cache" / "briefexport").glob("layout-*"):
            entry.unlink()

    def pandoc_cell(self, markdown: Path, formats: str, runs: int | None = None) -> Cell | None:
        """Pandoc writing each format of ``formats`` (one process per format, times added)."""
        if self.pandoc is None or ("pdf" in formats and self.xelatex is None):
            return None
        cells = []
        for fmt in formats.split(","):
            # babel has no name for zh-CN; Pandoc then writes \babelprovide{} and LaTeX stops.
            extra = ["--pdf-engine=xelatex", "-V", "CJKmainfont=Noto Serif CJK SC", "-V", "babel-lang=chinese-simplified"] if fmt == "pdf" else []
            command = [self.pandoc, str(markdown), "-s", "-o", str(self.out / f"pandoc.{fmt}"), *extra]
            cells.append(measure(command, self.env, runs or self.runs))
        return Cell(sum(c.seconds for c in cells), sum(c.cpu_seconds for c in cells), max(c.peak_rss_mib for c in cells))


def floors(bench: Bench) -> dict[str, Cell]:
    """Whole processes that only start Python and import, the least each cold build can cost."""
    imports = {
        "python -c pass": "pass",
        "import yaml": "import yaml",
        "import docx (python-docx)": "import docx",
        "import ebooklib.epub": "import ebooklib.epub",
        "import yaml, docx (a DOCX build's floor)": "import yaml, docx",
        "import yaml, ebooklib.epub (an EPUB build's floor)": "import yaml, ebooklib.epub",
        "import reportlab.platypus": "import reportlab.platypus",
        "import briefexport.cli": "import briefexport.cli",
    }
    print("\n## Floors (whole process, median)\n\n| command | wall (s) | CPU (s) |\n|---|---:|---:|")
    found = {}
    for label, code in imports.items():
        cell = found[label] = measure([sys.executable, "-c", code], bench.env, bench.runs)
        print(f"| `{label}` | {cell.seconds:.3f} | {cell.cpu_seconds:.3f} |", flush=True)
    if bench.pandoc:
        cell = found["pandoc --version"] = measure([bench.pandoc, "--version"], bench.env, bench.runs)
        print(f"| `pandoc --version` | {cell.seconds:.3f} | {cell.cpu_seconds:.3f} |", flush=True)
    return found


def cold(bench: Bench, sizes: Sequence[int]) -> dict[tuple[int, str], tuple[Cell, Cell | None]]:
    print("\n## Cold builds, fresh processes (median), beside Pandoc on the same text\n")
    if bench.pandoc is None:
        print("pandoc is not installed: no peer columns.\n")
    elif bench.xelatex is None:
        print("xelatex is not installed (TeX Live with xeCJK is about 1 GB), so Pandoc's PDF and its all-three"
              " figures are skipped; 'docx,epub' compares the two formats both tools write here.\n")
    print("| outline | formats | wall (s) | CPU (s) | peak RSS (MiB) | Pandoc wall (s) | Pandoc CPU (s) | ratio wall | ratio CPU |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    cells: dict[tuple[int, str], tuple[Cell, Cell | None]] = {}
    for copies in sizes:
        outline = ROOT / "outline.yaml" if copies == 1 else scaled_outline(copies, bench.folder)
        markdown = pandoc_markdown(outline, bench.folder)
        runs = 1 if copies >= 200 else bench.runs
        for formats in (*FORMATS, "docx,epub", ALL):
            ours = bench.ours(outline, formats, runs=runs)
            peer = bench.pandoc_cell(markdown, formats, runs=runs)
            cells[(copies, formats)] = (ours, peer)
            label = "all three" if formats == ALL else formats
            p_wall, p_cpu = (f"{peer.seconds:.3f}", f"{peer.cpu_seconds:.3f}") if peer else ("—", "—")
            print(f"| ×{copies} | {label} | {ours.seconds:.3f} | {ours.cpu_seconds:.3f} | {ours.peak_rss_mib:.0f} | {p_wall} | {p_cpu} |"
                  f" {ratio(ours.seconds, peer and peer.seconds)} | {ratio(ours.cpu_seconds, peer and peer.cpu_seconds)} |", flush=True)
            if formats == "docx":  # the rows above take the TOC's pages from the layout cache; this one lays them out
                first = cells[(copies, "docx laid out")] = (bench.ours(outline, formats, runs=runs, laid_out=True), peer)
                print(f"| ×{copies} | docx, layout cache empty | {first[0].seconds:.3f} | {first[0].cpu_seconds:.3f} |"
                      f" {first[0].peak_rss_mib:.0f} | {p_wall} | {p_cpu} | {ratio(first[0].seconds, peer and peer.seconds)} |"
                      f" {ratio(first[0].cpu_seconds, peer and peer.cpu_seconds)} |", flush=True)
    return cells


#: A sentence of the briefing's lead that the "edited" warm re-renders change, as a live preview's typing does.
EDITED_SENTENCE = "今年是新中国成立75周年"


def warm(bench: Bench, cold_cells: dict[tuple[int, str], tuple[Cell, Cell | None]], repeats: int) -> dict[str, tuple[float, float]]:
    """Median seconds (wall, CPU) a warm engine worker spends re-rendering the briefing, per format.

    Two kinds of re-render: the same outline again (a worker keeps paragraph lines and heading
    pages of equal input, so this is its best case), and the outline with one sentence of the lead
    changed each time (a live preview while typing: the edited paragraph is broken anew and the
    DOCX's TOC pages laid out again). The targets are judged on the edited ones.
    """
    os.environ.update(XDG_CACHE_HOME=bench.env["XDG_CACHE_HOME"])
    from briefexport.builder.engine import Engine

    text = (ROOT / "outline.yaml").read_text(encoding="utf-8")
    assert EDITED_SENTENCE in text
    print(f"\n## Warm re-renders of the briefing (one engine worker, median of {repeats}), beside the cold process\n")
    print("| formats | outline | warm, in the worker (s) | its CPU (s) | submit → bytes (s) | cold process wall (s) | warm ÷ cold |")
    print("|---|---|---:|---:|---:|---:|---:|")
    medians: dict[str, tuple[float, float]] = {}
    with Engine(workers=1) as engine:
        engine.submit(text).result()  # the first job also warms what the warm-up does not reach
        for formats in (*FORMATS, ALL):
            for edited in (False, True):
                inside, cpu, round_trip = [], [], []
                for index in range(repeats):
                    source = text.replace(EDITED_SENTENCE, f"{EDITED_SENTENCE}（{index}）", 1) if edited else text
                    start = time.perf_counter()
                    result = engine.submit(source, formats=formats.split(",")).result()
                    round_trip.append(time.perf_counter() - start)
                    inside.append(result.seconds)
                    cpu.append(result.cpu_seconds)
                if edited:
                    medians[formats] = (statistics.median(inside), statistics.median(cpu))
                cold_wall = cold_cells[(1, formats)][0].seconds if (1, formats) in cold_cells else None
                label = "all three" if formats == ALL else formats
                print(f"| {label} | {'one sentence edited' if edited else 'the same again'} | {statistics.median(inside):.3f} |"
                      f" {statistics.median(cpu):.3f} | {statistics.median(round_trip):.3f} |"
                      f" {cold_wall or 0:.3f} | {ratio(statistics.median(inside), cold_wall)} |", flush=True)
    return medians


def _tree_digest(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def batch(bench: Bench, count: int) -> tuple[Cell, Cell]:
    """``count`` outlines: a shell loop of single builds against one batch build of the folder."""
    inputs = bench.folder / "batch-in"
    inputs.mkdir()
    for index in range(count):
        scaled_outline(1, inputs, name=f"brief{index:03d}.yaml", title=f"今年公安工作怎么干？（{index + 1}）")
    loop_out, batch_out = bench.folder / "loop-out", bench.folder / "batch-out"
    loop = (f'for f in "{inputs}"/*.yaml; do "{sys.executable}" -m briefexport build "$f" -o "{loop_out}" >/dev/null || exit 1; done')
    shell = measure(["bash", "-c", loop], bench.env, 1)
    together = measure([sys.executable, "-m", "briefexport", "build", str(inputs), "-o", str(batch_out)], bench.env, 1)
    same = _tree_digest(loop_out) == _tree_digest(batch_out)
    print(f"\n## Batch: {count} outlines × all three formats (one run each)\n")
    print("| method | wall (s) | CPU (s) | peak RSS of one process (MiB) |\n|---|---:|---:|---:|")
    print(f"| shell loop of `briefexport build FILE` | {shell.seconds:.1f} | {shell.cpu_seconds:.1f} | {shell.peak_rss_mib:.0f} |")
    print(f"| `briefexport build FOLDER/` | {together.seconds:.1f} | {together.cpu_seconds:.1f} | {together.peak_rss_mib:.0f} |")
    print(f"\nbatch ÷ shell loop: {together.seconds / shell.seconds:.2f} wall, {together.cpu_seconds / shell.cpu_seconds:.2f} CPU;"
          f" the {3 * count} files are {'byte-identical' if same else '**not** identical'}")
    return shell, together


def targets(cold_cells: dict[tuple[int, str], tuple[Cell, Cell | None]], warm_medians: dict[str, tuple[float, float]],
            loop: tuple[Cell, Cell] | None) -> list[tuple[str, str, str, bool | None]]:
    rows: list[tuple[str, str, str, bool | None]] = []
    for fmt in ("docx", "epub"):
        ours, peer = cold_cells.get((1, fmt), (None, None))
        if ours is not None and peer is not None:
            rows.append((f"cold -f {fmt}, briefing, ÷ Pandoc (wall)", "≤ 1.00", f"{ours.seconds / peer.seconds:.2f}", ours.seconds <= peer.seconds))
    for fmt, limit in (("pdf", 0.1), ("docx", 0.05), ("epub", 0.05)):
        if fmt in warm_medians:
            wall, cpu = warm_medians[fmt]
            rows.append((f"warm re-render {fmt.upper()}, one sentence edited (median wall / CPU)", f"≤ {limit} s",
                         f"{wall:.3f} / {cpu:.3f} s", wall <= limit))
    fifty = cold_cells.get((50, ALL))
    if fifty is not None:
        ours, peer = fifty
        two = cold_cells.get((50, "docx,epub"), (None, None))[1]
        if peer is not None:
            rows.append(("×50 all three ÷ Pandoc's three (CPU)", "≤ 0.30", f"{ours.cpu_seconds / peer.cpu_seconds:.2f}", ours.cpu_seconds <= 0.3 * peer.cpu_seconds))
        elif two is not None:
            rows.append(("×50 all three ÷ Pandoc's DOCX + EPUB only (CPU; no xelatex)", "(≤ 0.30 of all three)", f"{ours.cpu_seconds / two.cpu_seconds:.2f}", None))
    if loop is not None:
        shell, together = loop
        rows.append(("batch ÷ shell loop (wall)", "≤ 0.30", f"{together.seconds / shell.seconds:.2f}", together.seconds <= 0.3 * shell.seconds))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 runs, sizes ×1 and ×10, a batch of 20")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per cell (default 5; ×200 always 1)")
    parser.add_argument("--sizes", default=None, help="comma-separated copies of the briefing (default 1,10,50)")
    parser.add_argument("--batch", type=int, default=None, help="outlines in the batch comparison (default 100; 0 skips it)")
    parser.add_argument("--warm", type=int, default=15, help="warm re-renders per format (default 15)")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [1, 10] if args.quick else [1, 10, 50]
    count = args.batch if args.batch is not None else 20 if args.quick else 100
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as scratch:
        bench = Bench(Path(scratch), runs)
        if bench.pandoc:
            print(subprocess.run([bench.pandoc, "--version"], capture_output=True, text=True).stdout.splitlines()[0])
        bench.ours(ROOT / "outline.yaml", ALL, runs=1)  # fills the font and bytecode caches; not timed
        floors(bench)
        cold_cells = cold(bench, sizes)
        warm_medians = warm(bench, cold_cells, args.warm)
        loop = batch(bench, count) if count else None
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n| target | limit | measured | met |\n|---|---:|---:|:---:|")
    for name, limit, measured, met in targets(cold_cells, warm_medians, loop):
        print(f"| {name} | {limit} | {measured} | {'—' if met is None else 'yes' if met else '**no**'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
