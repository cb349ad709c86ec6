"""The headless Debian chromium the browser tests drive (Playwright), shared by every test that needs one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TEXTMINE_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
HAS_CHROMIUM = Path(CHROMIUM).exists()


@contextmanager
def chromium() -> Iterator:
    """A launched headless chromium (skips the test when it is not installed), closed on exit."""
    if not HAS_CHROMIUM:
        pytest.skip(f"Debian chromium not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
