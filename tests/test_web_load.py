"""The page's server under load, on loopback only and bounded in count and time.

20 concurrent builds of the bundled outline all succeed with the CLI's bytes while malformed,
oversized and binary requests get their errors; 500 requests leave memory bounded.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, WebServer, start_server
from test_web_api import request

#: Requests that must be refused, each with the status and a piece of its one-line message.
BAD_REQUESTS: list[tuple[str, bytes, dict[str, str], int, str]] = [
    ("/api/build", b"{\"outline\": ", {}, 400, "not JSON"),
    ("/api/build", json.dumps({"outline": "title: [\n", "format": "pdf"}).encode(), {}, 400, "outline.yaml:2:1: error: invalid YAML"),
    # a picture dropped instead of a text file
    ("/api/import", (Path(__file__).parent.parent / "docs" / "preview-handout.png").read_bytes(), {}, 400, "cannot read the text"),
    ("/api/import", b"x" * (8 * 2**20 + 1), {}, 413, "8 MiB"),
    ("/api/check", b"\xff\xfe\x00garbage", {"Content-Type": "application/yaml"}, 400, "not UTF-8"),
]


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children (the render workers), in KiB, from /proc."""
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1])
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return total + sum(rss_kib(int(child)) for child in children)


@pytest.fixture(scope="module")
def server() -> Iterator[WebServer]:
    """A server of its own, so that its memory is this test's."""
    if not Path("/proc/self/status").exists():
        pytest.skip("reads memory from /proc (Linux)")
    started = start_server()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def cli_files(tmp_path_factory: pytest.TempPathFactory, seed_outline_path: Path) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("load-cli")
    subprocess.run([sys.executable, "-m", "briefexport", "build", str(seed_outline_path), "-o", str(out)], check=True, capture_output=True)
    return {fmt: (out / f"outline.{fmt}").read_bytes() for fmt in ("docx", "pdf", "epub")}


def _build(server: WebServer, outline: str) -> tuple[int, dict[str, bytes]]:
    status, _, body = request(server, "POST", "/api/build", {"outline": outline, "format": "zip"})
    if status != 200:
        return status, {"error": body}
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return status, {name.rsplit(".", 1)[1]: archive.read(name) for name in archive.namelist()}


def _bad(server: WebServer, case: tuple[str, bytes, dict[str, str], int, str]) -> tuple[int, str]:
    path, body, headers, _, _ = case
    status, _, answer = request(server, "POST", path, body, headers)
    return status, json.loads(answer)["error"]["message"]


def test_twenty_concurrent_builds_match_the_cli_while_bad_requests_are_refused(
        server: WebServer, seed_outline_path: Path, cli_files: dict[str, bytes]) -> None:
    outline = seed_outline_path.read_text(encoding="utf-8")
    with ThreadPoolExecutor(max_workers=25) as pool:
        builds = [pool.submit(_build, server, outline) for _ in range(20)]
        bad = [pool.submit(_bad, server, case) for case in BAD_REQUESTS]
        results = [future.result(timeout=300) for future in builds]
        refused = [future.result(timeout=300) for future in bad]
    assert [status for status, _ in results] == [200] * 20
    for _, files in results:
        assert files == cli_files
    for (status, message), (path, _, _, expected_status, expected) in zip(refused, BAD_REQUESTS):
        assert status == expected_status and expected in message, (path, message)
        assert "\n" not in message and "Traceback" not in message


def test_memory_stays_bounded_over_500_requests(server: WebServer, seed_outline_path: Path) -> None:
    outline = seed_outline_path.read_text(encoding="utf-8")
    raw = (DATA / "seed_briefing.txt").read_bytes()

    def one(index: int) -> int:
        if index % 50 == 0:
            return request(server, "POST", "/api/preview", {"outline": outline})[0]
        if index % 5 == 0:
            return request(server, "POST", "/api/import", raw)[0]
        if index % 7 == 0:
            return _bad(server, BAD_REQUESTS[index % len(BAD_REQUESTS)])[0]
        return request(server, "POST", "/api/check", outline)[0]

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(100)))  # warm: every code path has run once
        settled = rss_kib(server.process.pid)
        statuses = list(pool.map(one, range(100, 600)))
    after = rss_kib(server.process.pid)
    assert statuses.count(200) >= 400
    print(f"server and workers: {settled / 1024:.0f} MiB after 100 requests, {after / 1024:.0f} MiB after 500 more")
    assert after < settled + 100 * 1024, (settled, after)  # a leak of 0.2 MiB a request would show
