"""Fixtures shared by the book-level tests: one book build and one browser for the whole session.

``built_book`` (tests/test_book.py, tests/test_browser.py) builds the book once per session; ``browser``
(tests/test_browser.py, tests/test_lab.py) starts one headless Chromium per session. What these tests
share besides fixtures (the book's pages, Chromium's path, the page watcher) is in tests/book_helpers.py.
The notebooks' offline set-up is in the repository's root conftest.py.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from book_helpers import CHROMIUM, CHROMIUM_ARGS, ROOT


@pytest.fixture(scope="session")
def book_build(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The book built once per session (warnings as errors, --keep-going): its HTML folder and the build.

    A build warning fails test_book_builds_without_warnings; the pages are still checked (--keep-going
    writes them), so one warning does not hide other defects.
    """
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "--path-output", str(out), "-nW", "--keep-going"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    return out / "_build" / "html", result


@pytest.fixture(scope="session")
def built_book(book_build) -> Path:
    """The HTML folder of the book, built once per session."""
    html, result = book_build
    assert (html / "book" / "index.html").is_file(), f"no HTML was built:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    return html


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven from a thread of its own, for the whole session.

    Playwright's synchronous API refuses to start where an asyncio loop is running, and earlier tests
    in the session (kernels, nbclient) can leave one in the main thread. Every call on this browser
    goes through ``browser.run(fn, *args, **kwargs)``, which runs ``fn(browser, *args, **kwargs)`` in
    the browser's thread.
    """
    assert CHROMIUM, "Chromium is required for the browser tests (apt-get install chromium)"
    pool = ThreadPoolExecutor(max_workers=1)
    state = {}

    def start():
        from playwright.sync_api import sync_playwright

        state["playwright"] = sync_playwright().start()
        state["browser"] = state["playwright"].chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

    pool.submit(start).result()

    class Runner:
        def run(self, fn, *args, **kwargs):
            return pool.submit(fn, state["browser"], *args, **kwargs).result()

    yield Runner()

    def stop():
        state["browser"].close()
        state["playwright"].stop()

    pool.submit(stop).result()
    pool.shutdown()


def pytest_terminal_summary(terminalreporter):
    """Each page's weight, as the browser test measured it (issue 20: report it, aim for <= 2.5 MB)."""
    from book_helpers import PAGE_WEIGHTS

    if not PAGE_WEIGHTS:
        return
    terminalreporter.section("page weights (everything a page loads, MB)")
    docs = sorted({doc for doc, _ in PAGE_WEIGHTS}, key=list(dict.fromkeys(doc for doc, _ in PAGE_WEIGHTS)).index)
    for doc in docs:
        sizes = "  ".join(f"{viewport} {PAGE_WEIGHTS[doc, viewport] / 1e6:.2f}"
                          for viewport in ("phone", "desktop") if (doc, viewport) in PAGE_WEIGHTS)
        terminalreporter.write_line(f"{doc:40s} {sizes}")
