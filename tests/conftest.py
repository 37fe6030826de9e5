"""Shared fixtures: the repository's paths, the seed outline, and cached builds of it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from briefexport import load, number
from briefexport.builder.api import render
from briefexport.numbering import NumberedDocument

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True, scope="session")
def _private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the font-metrics cache of every test (and its subprocesses) out of the real ~/.cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """tests/data."""
    return DATA


@pytest.fixture(scope="session")
def seed_outline_path() -> Path:
    """The bundled outline.yaml (the briefing)."""
    return ROOT / "outline.yaml"


@pytest.fixture(scope="session")
def seed_doc(seed_outline_path: Path) -> NumberedDocument:
    """The briefing, loaded and numbered."""
    return number(load(seed_outline_path))


@pytest.fixture(scope="session")
def render_seed(tmp_path_factory: pytest.TempPathFactory, seed_doc: NumberedDocument) -> Callable[..., Path]:
    """Render the briefing once per (format, theme) per test session and return the file."""
    cache: dict[tuple[str, str], Path] = {}

    def _render(fmt: str, theme: str = "handout") -> Path:
        key = (fmt, theme)
        if key not in cache:
            out = tmp_path_factory.mktemp(f"seed-{fmt}-{theme}") / f"outline.{fmt}"
            cache[key] = render(seed_doc, fmt, out, theme=theme)
        return cache[key]

    return _render


def require_tool(name: str) -> str:
    """The path of an external tool, or skip the test when it is not installed (CI installs all)."""
    found = shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (bash .ci/run installs it)")
    return found


# -- the web page's server (briefexport serve) ----------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class WebServer:
    """A real `briefexport serve` process on a free loopback port."""

    def __init__(self, process: Any, url: str) -> None:
        self.process = process
        self.url = url

    def stop(self) -> tuple[int, str]:
        """Ctrl-C (SIGINT), as a person stops it; the exit status and what it printed after starting.

        A server started with ``own_group`` gets it as a terminal sends it: to its whole
        process group, render workers included.
        """
        import os
        import signal

        if self.process.pid == os.getpgid(self.process.pid):
            os.killpg(self.process.pid, signal.SIGINT)
        else:
            self.process.send_signal(signal.SIGINT)
        out, _ = self.process.communicate(timeout=60)
        return self.process.returncode, out


def start_server(*args: str, own_group: bool = False, host: str = "127.0.0.1") -> WebServer:
    """Start `briefexport serve --no-browser` and wait until it prints its address.

    ``own_group``: in a process group of its own, as a terminal starts a command.
    """
    import subprocess
    import sys

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "briefexport", "serve", "--host", host, "--port", str(port), "--no-browser", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT, start_new_session=own_group,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "the page is at" not in line:
        process.kill()
        raise AssertionError(f"the server did not start: {line}{process.stdout.read()}")
    shown = f"[{host}]" if ":" in host else host
    return WebServer(process, f"http://{shown}:{port}")


@pytest.fixture(scope="session")
def web_server() -> Iterator[WebServer]:
    """One page server shared by the web tests of a session."""
    server = start_server()
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.stop()
