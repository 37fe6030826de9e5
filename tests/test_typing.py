"""mypy --strict (the ``[tool.mypy]`` settings of pyproject.toml) passes on the package.

Runs only where mypy is installed; it needs ``types-PyYAML`` and ``lxml-stubs`` next to it,
or PyYAML and lxml are seen as untyped.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_strict_passes() -> None:
    pytest.importorskip("mypy")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "src/briefexport"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"mypy failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
