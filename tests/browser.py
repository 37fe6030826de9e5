"""A real browser for tests: Debian's chromium driven by selenium through the system chromedriver.

Nothing is downloaded: selenium is pointed at ``/usr/bin/chromedriver`` (Debian's
chromium-driver), so its driver manager never runs. Tests that need the browser skip with a
reason where chromium or chromedriver is absent; ``bash .ci/run`` installs both.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

__all__ = ["chromium"]


def _tool(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(f"{names[0]} is not installed (bash .ci/run installs the Debian packages chromium and chromium-driver)")


@contextlib.contextmanager
def chromium(width: int = 1366, height: int = 900) -> Iterator[Any]:
    """A headless chromium window of the given size, as a selenium WebDriver; closed afterwards."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is a test dependency (pip install '.[test]')")
    from selenium.webdriver.chrome.service import Service

    browser = _tool("chromium", "chromium-browser")
    driver_path = _tool("chromedriver")
    with tempfile.TemporaryDirectory(prefix="briefexport-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        # As root in a sandbox with no network: no sandbox, no GPU, and none of the background
        # connections chromium would otherwise try (the machine refuses them).
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     f"--user-data-dir={profile}", f"--window-size={width},{height}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
        try:
            driver.set_window_size(width, height)
            yield driver
        finally:
            driver.quit()
