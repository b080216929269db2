"""The notebooks as a learner opens them: JupyterLab with jupyterlab-myst, in a real browser.

The HTML book renders glue and MyST directives; JupyterLab only renders what is stored in the
notebook. This test starts the JupyterLab that `make lab` gives (with the jupyterlab-myst extension),
on a loopback port with no token and a temporary root folder holding copies of the chapters, opens
every chapter in headless Chromium, scrolls it from top to bottom, and fails on what a learner must
never see: a glue name where a number belongs, raw MyST markup, a console error, or a request that
leaves the machine. The server it starts is stopped at the end.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from book_helpers import CHROMIUM, ROOT, watch_page

pytestmark = pytest.mark.book  # starts JupyterLab and drives a browser

CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))

needs_lab = pytest.mark.skipif(
    (CHROMIUM is None or shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None)
    and os.environ.get("CI") != "true",
    reason="needs Chromium and JupyterLab (`make lab` installs JupyterLab; CI never skips this)",
)

#: What a learner must never read in a rendered notebook, with what it means.
RAW_MARKUP = {
    "{glue": "a glue role (renders only in the HTML book)",
    "```{": "a raw MyST directive fence",
    "{solution-": "a raw solution marker",
    "{doc}": "a raw {doc} cross-reference",
    "{numref}": "a raw {numref} cross-reference",
    "{ref}": "a raw {ref} cross-reference",
}
#: A glue-style name such as ch4_f1_micro or ch4_f1_micro:.3f shown where a number belongs.
GLUE_NAME = re.compile(r"\bch\d+_[a-z0-9_]+(?::[^\s,;)]*)?")

# All cells rendered at once, so scrolling is not needed to find text (JupyterLab 4 otherwise
# renders only the cells in view), and no kernel is started for a notebook that is only read.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on loopback serving copies of the chapters; yields its base URL."""
    home = tmp_path_factory.mktemp("lab")
    notebooks = home / "notebooks"
    shutil.copytree(ROOT / "book", notebooks, ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
    settings = home / "settings"
    for name, values in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
    )
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("jupyter-lab")),
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",
        f"--ServerApp.root_dir={notebooks}",
        "--LabApp.news_url=None",
        "--LabApp.extension_manager=readonly",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = (home / "server.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    served = False
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("JupyterLab did not start:\n" + (home / "server.log").read_text()[-3000:])
            time.sleep(0.5)
        served = True
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        if served:  # stopped means no longer serving: nothing answers on its port any more
            with socket.socket() as probe:
                probe.settimeout(5)
                assert probe.connect_ex(("127.0.0.1", port)) != 0, (
                    f"JupyterLab still answers on port {port} after it was stopped")


def read_notebook(browser, url: str, name: str) -> dict:
    """Open one notebook in JupyterLab, scroll through it, return what a learner reads in it.

    Runs in the browser's thread: ``browser.run(read_notebook, url, name)`` (the session's browser,
    tests/conftest.py).
    """
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    refused, console_errors = watch_page(page, allowed=(url, url.replace("http", "ws")))
    # A workspace of its own, reset, so no notebook opened earlier is restored beside this one.
    workspace = re.sub(r"\W", "-", Path(name).stem)
    page.goto(f"{url}/lab/workspaces/{workspace}/tree/{name}?reset", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-MarkdownCell", timeout=90_000)
    # Scroll the notebook panel to the end in steps, as a reader would.
    page.evaluate(
        """async () => {
            const scroller = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer')
                || document.querySelector('.jp-NotebookPanel-notebook');
            for (let y = 0; y <= scroller.scrollHeight; y += 600) {
                scroller.scrollTop = y;
                await new Promise(r => setTimeout(r, 30));
            }
        }"""
    )
    # jupyterlab-myst renders each Markdown cell into a `.myst` widget (exercises, math, roles).
    try:
        page.wait_for_function(
            "Array.from(document.querySelectorAll('.jp-Notebook .jp-MarkdownCell'))"
            ".every(c => c.querySelector('.myst'))",
            timeout=60_000,
        )
    except Exception:  # reported below as cells that jupyterlab-myst did not render
        pass
    page.wait_for_timeout(500)
    report = {
        "cells": page.locator(".jp-Notebook .jp-Cell").count(),
        "not_myst": page.evaluate(
            "Array.from(document.querySelectorAll('.jp-Notebook .jp-MarkdownCell'))"
            ".filter(c => !c.querySelector('.myst')).length"
        ),
        "markdown": page.evaluate(
            "Array.from(document.querySelectorAll('.jp-Notebook .jp-MarkdownCell .jp-Cell-inputWrapper'))"
            ".map(c => c.innerText)"
        ),
        "outputs": page.evaluate(
            "Array.from(document.querySelectorAll('.jp-Notebook .jp-OutputArea-output'))"
            ".map(c => c.innerText)"
        ),
        "console_errors": console_errors,
        "refused": refused,
    }
    page.close()
    return report


def learner_problems(report: dict) -> list[str]:
    """Glue names, raw MyST markup, console errors and outside requests in a notebook view."""
    problems = []
    if report.get("not_myst"):
        problems.append(f"{report['not_myst']} Markdown cells not rendered by jupyterlab-myst")
    for kind, texts in (("markdown", report["markdown"]), ("output", report["outputs"])):
        for text in texts:
            for marker, meaning in RAW_MARKUP.items():
                if marker in text:
                    problems.append(f"{meaning} in a {kind} cell: {_around(text, marker)!r}")
            if kind == "markdown":
                for match in GLUE_NAME.finditer(text):
                    problems.append(f"a glue name where a number belongs: {_around(text, match.group())!r}")
    problems += [f"console error: {error[:200]}" for error in report["console_errors"]]
    problems += [f"request that tried to leave the machine: {url}" for url in report["refused"]]
    return problems


def _around(text: str, needle: str, width: int = 60) -> str:
    at = text.find(needle)
    return text[max(0, at - width): at + len(needle) + width].replace("\n", " ")


@needs_lab
@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_reads_cleanly_in_jupyterlab(lab, browser, path):
    report = browser.run(read_notebook, lab, path.name)
    n_cells = len(json.loads(path.read_text(encoding="utf-8"))["cells"])
    assert report["cells"] == n_cells, f"{report['cells']} of {n_cells} cells rendered"
    problems = learner_problems(report)
    assert not problems, f"{path.name} in JupyterLab:\n" + "\n".join(problems[:15])


@needs_lab
def test_jupyterlab_check_catches_glue_names_and_raw_markup(lab, browser, tmp_path):
    """The check itself, on a notebook written the old way: a glue role and a dangling solution."""
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# Broken\n\nA micro-F1 of {glue:text}`ch4_f1_micro:.3f`."},
            {"cell_type": "markdown", "metadata": {}, "source": "```{solution-start} ch4-ex\n:class: dropdown\n```"},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    name = "zz_broken_check.ipynb"
    request = urllib.request.Request(
        f"{lab}/api/contents/{name}",
        data=json.dumps({"type": "notebook", "format": "json", "content": notebook}).encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=30).close()
    problems = learner_problems(browser.run(read_notebook, lab, name))
    assert any("glue name" in p and "ch4_f1_micro" in p for p in problems), problems
    # jupyterlab-myst renders the solution marker, but its label points nowhere: a console error.
    assert any(p.startswith("console error") and "ch4-ex" in p for p in problems), problems
