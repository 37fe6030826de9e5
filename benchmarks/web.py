"""Time the page's server (`briefexport serve`): warm re-renders over HTTP and edit → preview in a browser.

    python benchmarks/web.py [--runs 20] [--no-browser]

Starts a real server on a free loopback port (nothing else is contacted), then measures:
- warm re-renders of the bundled briefing (×1) and of it repeated ×10 through ``POST /api/build``
  (PDF alone, and all three as a zip) and ``POST /api/preview`` (PDF + first page image; each
  request's outline differs by a comment, so none is answered from the preview cache), the same
  preview asked again (from the cache), and one more page image drawn on demand: median and p95;
- in Debian's chromium (selenium, as the tests drive it): from a keystroke in the title to the new
  first preview page on screen (decoded), timed inside the page (median and p95), for ×1 and ×10;
- the resident memory of the server and its workers at the end.
Compare with the cold CLI (README "Speed"): `briefexport build -f pdf` of the briefing takes 0.37 s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT / "tests")]

from bench import scaled_outline  # noqa: E402  (the ×N outlines of the build benchmark)

#: The page's own time from a keystroke to the preview's new images: input → … → data-version changes.
EDIT_TO_PREVIEW = """
const done = arguments[arguments.length - 1];
const pages = document.getElementById('pages');
const before = pages.dataset.version;
const title = document.querySelector('#meta input.doc-title');
const start = performance.now();
new MutationObserver((_, observer) => {
  if (pages.dataset.version !== before) { observer.disconnect(); requestAnimationFrame(() => done(performance.now() - start)); }
}).observe(pages, {attributes: true});
title.value += '改';
title.dispatchEvent(new Event('input'));
"""


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _post(port: int, path: str, body: dict[str, object]) -> float:
    return _timed(port, "POST", path, json.dumps(body, ensure_ascii=False).encode())


def _timed(port: int, method: str, path: str, body: bytes | None = None) -> float:
    """Seconds from sending the request to the last byte of a 200 answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    start = time.perf_counter()
    connection.request(method, path, body=body)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status}")
    return elapsed


def _stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.3f} | {p95:.3f}"


def _rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    own = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return own / 1024 + sum(_rss_mib(int(child)) for child in children)


def _browser(port: int, runs: int, outline: str | None = None) -> list[float]:
    """Edit → preview samples: the seed briefing pasted (``outline`` None), or an outline typed into the YAML tab."""
    from browser import chromium

    with chromium(1366, 900) as driver:
        driver.set_script_timeout(60)
        driver.get(f"http://127.0.0.1:{port}/")
        if outline is None:
            text = (ROOT / "tests" / "data" / "seed_briefing.txt").read_text(encoding="utf-8")
            driver.execute_script("""const d = new DataTransfer(); d.setData('text/plain', arguments[0]);
                document.getElementById('paste').dispatchEvent(new ClipboardEvent('paste', {clipboardData: d, bubbles: true}));""", text)
        else:
            driver.execute_script("""const box = document.getElementById('yaml'); box.value = arguments[0];
                box.dispatchEvent(new Event('input'));""", outline)
        end = time.monotonic() + 60
        while driver.find_element("id", "pages").get_attribute("data-version") == "0" and time.monotonic() < end:
            time.sleep(0.1)
        samples = []
        for _ in range(runs):
            samples.append(driver.execute_async_script(EDIT_TO_PREVIEW) / 1000)
            time.sleep(0.3)
        return samples


def _previews(port: int, size: str, outline: str, runs: int) -> None:
    """Rows for the preview: a new outline each time, the same one again, one more page drawn on demand."""
    fresh, again, pages = [], [], []
    for run in range(runs + 2):
        request = {"outline": f"{outline}\n# run {run}\n"}
        fresh.append(_post(port, "/api/preview", request))
        again.append(_post(port, "/api/preview", request))
        answer = _post_json(port, "/api/preview", request)
        pages.append(_timed(port, "GET", str(answer["pages"][-1])))  # type: ignore[index]
    print(f"| {size} | preview, changed outline (pdf + first page image) | {_stats(fresh[2:])} |")
    print(f"| {size} | preview, unchanged outline (kept: no render) | {_stats(again[2:])} |")
    print(f"| {size} | one more page image, drawn on demand (GET) | {_stats(pages[2:])} |", flush=True)


def _post_json(port: int, path: str, body: dict[str, object]) -> dict[str, object]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connection.request("POST", path, body=json.dumps(body, ensure_ascii=False).encode())
    answer: dict[str, object] = json.loads(connection.getresponse().read())
    connection.close()
    return answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="requests per row (default 20, after 2 unmeasured)")
    parser.add_argument("--no-browser", action="store_true", help="skip the edit → preview timing in chromium")
    args = parser.parse_args()
    port = _port()
    server = subprocess.Popen([sys.executable, "-u", "-m", "briefexport", "serve", "--port", str(port), "--no-browser"],
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    server.stdout.readline()
    try:
        with tempfile.TemporaryDirectory() as folder:
            outlines = {"×1": (ROOT / "outline.yaml").read_text(encoding="utf-8"),
                        "×10": scaled_outline(10, Path(folder)).read_text(encoding="utf-8")}
        print(f"warm server, {args.runs} requests per row after 2 unmeasured; seconds, client side, loopback")
        print("| outline | request | median (s) | p95 (s) |\n|---|---|---:|---:|")
        for size, outline in outlines.items():
            for label, path, body in (("build pdf", "/api/build", {"format": "pdf"}), ("build zip (all three)", "/api/build", {"format": "zip"})):
                request = {"outline": outline, **body}
                samples = [_post(port, path, request) for _ in range(args.runs + 2)][2:]
                print(f"| {size} | {label} | {_stats(samples)} |", flush=True)
            _previews(port, size, outline, args.runs)
        if not args.no_browser:
            for size, outline in (("×1", None), ("×10", outlines["×10"])):
                print(f"| {size} | edit → first page on screen (chromium, {args.runs} edits) | {_stats(_browser(port, args.runs, outline))} |",
                      flush=True)
        print(f"server + workers resident memory at the end: {_rss_mib(server.pid):.0f} MiB")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
