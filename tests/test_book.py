"""The book as readers see it: a warning-free build, complete HTML, and a real browser reading it offline.

The build uses the outputs stored in the notebooks (nbval checks those separately). The browser test opens
every page from disk in headless Chromium, the way a reader opens the file `make book` prints, and refuses
every request that would leave the machine, so the book is proven to read the same in a room without
internet.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
BOOK_TITLE = yaml.safe_load((ROOT / "_config.yml").read_text())["title"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def toc_files() -> list[str]:
    """Every document in _toc.yml, root first, as paths without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    return files


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """Build the book once, warnings as errors, into a temporary folder; return its HTML folder."""
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "--path-output", str(out), "-nW", "--keep-going"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"jupyter-book build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    return out / "_build" / "html"


def test_toc_lists_every_chapter_notebook():
    listed = set(toc_files())
    on_disk = {f"book/{p.stem}" for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb")}
    assert on_disk <= listed, f"notebooks missing from _toc.yml: {sorted(on_disk - listed)}"


def test_every_toc_entry_has_a_page(built_book):
    missing = [f for f in toc_files() if not (built_book / f"{f}.html").is_file()]
    assert not missing, f"no HTML page for: {missing}"


def _error_outputs(soup: BeautifulSoup) -> list[str]:
    """Error outputs and tracebacks outside cells tagged raises-exception (deliberate errors)."""
    found = []
    for node in soup.select("div.output.traceback, div.output.error"):
        cell = node.find_parent("div", class_="cell")
        if cell is None or "tag_raises-exception" not in cell.get("class", []):
            found.append(node.get_text()[:300])
    for text in soup.find_all(string=re.compile("Traceback \\(most recent call last\\)")):
        cell = text.find_parent("div", class_="cell")
        if cell is None or "tag_raises-exception" not in cell.get("class", []):
            found.append(str(text)[:300])
    return found


@pytest.mark.parametrize("doc", toc_files())
def test_page_has_no_error_output(built_book, doc):
    soup = BeautifulSoup((built_book / f"{doc}.html").read_text(encoding="utf-8"), "html.parser")
    assert not _error_outputs(soup), f"{doc}: error output or traceback in the page"


def test_error_detector_catches_a_traceback():
    page = '<div class="cell docutils container"><div class="output traceback">Traceback (most recent call last)</div></div>'
    assert _error_outputs(BeautifulSoup(page, "html.parser"))
    allowed = page.replace("cell docutils", "cell tag_raises-exception docutils")
    assert not _error_outputs(BeautifulSoup(allowed, "html.parser"))


def test_no_page_references_a_remote_asset(built_book):
    """Scripts, style sheets, fonts and images must be served from the book itself."""
    remote = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""")
    offenders = []
    for page in built_book.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["script", "img", "iframe"], src=True):
            if remote.match(f'src="{tag["src"]}"'):
                offenders.append(f"{page.name}: <{tag.name} src={tag['src']}>")
        for tag in soup.find_all("link", href=True):
            rel = " ".join(tag.get("rel", []))
            if ("stylesheet" in rel or "preload" in rel or "icon" in rel) and remote.match(f'href="{tag["href"]}"'):
                offenders.append(f"{page.name}: <link rel={rel} href={tag['href']}>")
    assert not offenders, "remote assets:\n" + "\n".join(offenders)


# --- A real browser -------------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true",
    reason="Chromium is not installed (`apt-get install chromium`); CI installs it and never skips this",
)


@pytest.fixture(scope="session")
def browser():
    assert CHROMIUM, "Chromium is required for the browser test (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # Without the background-networking flags Chromium itself phones home at start-up.
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def read_page(browser, html: Path) -> dict:
    """Open one page from disk the way a reader does; report what a test needs to judge it."""
    page = browser.new_page()
    refused, console_errors = [], []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("file://", "data:", "blob:", "about:")):
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    page.goto(html.as_uri(), wait_until="load")
    math_count = page.locator("div.math, span.math").count()
    if math_count:
        page.wait_for_function(
            "document.querySelectorAll('mjx-container').length >= "
            "document.querySelectorAll('div.math, span.math').length",
            timeout=20_000,
        )
    page.wait_for_load_state("networkidle")
    report = {
        "title": page.title(),
        "h1": page.locator("main h1, article h1").first.inner_text(),
        "broken_images": page.evaluate(
            "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
        ),
        "images": page.evaluate("document.images.length"),
        "math": math_count,
        "rendered_math": page.locator("mjx-container").count(),
        "refused": refused,
        "console_errors": console_errors,
    }
    page.close()
    return report


@needs_chromium
@pytest.mark.parametrize("doc", toc_files())
def test_page_in_a_real_browser(built_book, browser, doc):
    report = read_page(browser, built_book / f"{doc}.html")
    heading = report["h1"].replace("#", "").strip()
    heading = re.sub(r"^[\d.]+\s*", "", heading)  # "3. Building the CNN" -> "Building the CNN"
    assert report["title"].endswith(BOOK_TITLE), report["title"]
    assert heading in report["title"], (heading, report["title"])
    assert not report["broken_images"], f"images that did not load: {report['broken_images']}"
    assert report["rendered_math"] >= report["math"], f"math not rendered: {report}"
    assert not report["console_errors"], f"console errors: {report['console_errors']}"
    assert not report["refused"], f"requests that tried to leave the machine: {report['refused']}"


@needs_chromium
def test_browser_check_catches_a_remote_script_and_a_broken_image(browser, tmp_path):
    """The guard itself: a page with a CDN script and a missing image must be caught."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<html><head><title>Bad</title>"
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script></head>'
        '<body><main><h1>Bad</h1><img src="missing.png"></main></body></html>'
    )
    report = read_page(browser, page)
    assert report["refused"] == ["https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"]
    assert report["broken_images"] and report["broken_images"][0].endswith("missing.png")


def test_notebook_kernels_have_no_network(tmp_path):
    """The kernels nbval starts refuse outside connections (see conftest.py and tests/offline.py)."""
    from jupyter_client.manager import start_new_kernel

    assert "IPYTHONDIR" in os.environ, "conftest.py did not set up the offline start-up file"
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        code = (
            "import urllib.request\n"
            "try:\n"
            "    urllib.request.urlopen('http://93.184.215.14/', timeout=5)\n"
            "    print('REACHED')\n"
            "except Exception as exc:\n"
            "    print('REFUSED', type(exc).__name__, exc)\n"
        )
        reply = client.execute_interactive(code, timeout=60, output_hook=(out := []).append)
        text = "".join(msg["content"].get("text", "") for msg in out if msg["msg_type"] == "stream")
        assert reply["content"]["status"] == "ok"
        assert text.startswith("REFUSED"), text
        assert "network access is disabled" in text, text
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
