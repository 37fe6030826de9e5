"""Shared fixtures: the repository's paths, the seed outline, and cached builds of it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

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
