"""What the book-level tests share (a helper module, not a test module): where the book is, its pages,
the browser they are read in, and a watcher that keeps a page offline.

tests/test_book.py, tests/test_browser.py and tests/test_lab.py import from here, never from each other;
the fixtures built on it (one book build and one browser per session) are in tests/conftest.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Without the background-networking flags Chromium itself phones home at start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Each page's weight in bytes, per viewport, filled by tests/test_browser.py's readings and printed at the
# end of the test session (tests/conftest.py's pytest_terminal_summary).
PAGE_WEIGHTS: dict[tuple[str, str], int] = {}


def toc_files() -> list[str]:
    """Every document in _toc.yml, root first, as paths without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    return files


def watch_page(page, allowed: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Refuse every request outside ``allowed`` (URL prefixes) and collect console errors.

    Returns the two lists, filled while the page lives: refused URLs and console/page errors.
    """
    refused, console_errors = [], []
    allowed = (*allowed, "data:", "blob:", "about:")

    def route(request_route):
        url = request_route.request.url
        if url.startswith(allowed):
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    return refused, console_errors
