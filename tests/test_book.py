"""The book as readers get it: a warning-free build and complete, clean HTML.

The build uses the outputs stored in the notebooks (nbval checks those separately). It runs once per test
session (the ``book_build`` and ``built_book`` fixtures of tests/conftest.py, shared with
tests/test_browser.py, which reads every page in a real browser on a phone and on a desktop). The checks
here read the built HTML: every page exists, no error output outside a deliberate-error cell and no long
deliberate one, no path of the build machine, no remote asset, say() sentences rendered as prose, and
back matter that works (bibliography labels, no empty index).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from book_helpers import ROOT, toc_files

pytestmark = pytest.mark.book  # builds the book (once per session, tests/conftest.py)


def test_book_builds_without_warnings(book_build):
    _, result = book_build
    log = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert result.returncode == 0, "jupyter-book build -nW failed:\n" + "\n".join(warnings or [result.stderr[-6000:]])


def test_toc_lists_every_chapter_notebook():
    listed = set(toc_files())
    on_disk = {f"book/{p.stem}" for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb")}
    assert on_disk <= listed, f"notebooks missing from _toc.yml: {sorted(on_disk - listed)}"


def test_every_toc_entry_has_a_page(built_book):
    missing = [f for f in toc_files() if not (built_book / f"{f}.html").is_file()]
    assert not missing, f"no HTML page for: {missing}"


# A deliberate error (a cell tagged raises-exception) shows the exception line, not a traceback:
# Minimal tracebacks (each chapter's set-up cell sets them) print one line; a few more are allowed for a
# chained message.
MAX_DELIBERATE_ERROR_LINES = 5


def _cell_is_tagged(node, tag: str) -> bool:
    cell = node.find_parent("div", class_="cell")
    return cell is not None and f"tag_{tag}" in cell.get("class", [])


def _error_outputs(soup: BeautifulSoup) -> list[str]:
    """Error outputs and tracebacks outside cells tagged raises-exception, and deliberate errors whose
    output is longer than the exception line and a few more."""
    found = []
    for node in soup.select("div.output.traceback, div.output.error"):
        text = node.get_text()
        if not _cell_is_tagged(node, "raises-exception"):
            found.append(f"error output outside a raises-exception cell: {text.strip()[:300]!r}")
        elif len([line for line in text.splitlines() if line.strip()]) > MAX_DELIBERATE_ERROR_LINES:
            lines = len([line for line in text.splitlines() if line.strip()])
            found.append(
                f"deliberate error shows {lines} lines (at most {MAX_DELIBERATE_ERROR_LINES}; "
                f"set Minimal tracebacks as the set-up cells do): {text.strip()[:200]!r}"
            )
    for text in soup.find_all(string=re.compile("Traceback \\(most recent call last\\)")):
        if not _cell_is_tagged(text, "raises-exception"):
            found.append(f"traceback outside a raises-exception cell: {str(text).strip()[:300]!r}")
    return found


@pytest.mark.parametrize("doc", toc_files())
def test_page_has_no_error_output(built_book, doc):
    soup = BeautifulSoup((built_book / f"{doc}.html").read_text(encoding="utf-8"), "html.parser")
    problems = _error_outputs(soup)
    assert not problems, f"{doc}.html:\n" + "\n".join(problems)


def test_error_detector_catches_a_traceback():
    page = '<div class="cell docutils container"><div class="output traceback">Traceback (most recent call last)</div></div>'
    assert _error_outputs(BeautifulSoup(page, "html.parser"))
    allowed = page.replace("cell docutils", "cell tag_raises-exception docutils")
    assert not _error_outputs(BeautifulSoup(allowed, "html.parser"))


def test_error_detector_catches_a_long_deliberate_error():
    """A raises-exception cell may show the error, but not a 46-line traceback."""
    long_error = "\n".join(["ValueError  Traceback"] + [f"  frame {i}" for i in range(10)] + ["ValueError: bad"])
    page = f'<div class="cell tag_raises-exception docutils container"><div class="output traceback">{long_error}</div></div>'
    problems = _error_outputs(BeautifulSoup(page, "html.parser"))
    assert len(problems) == 1 and "12 lines" in problems[0], problems
    short = page.replace(long_error, "ValueError: bad")
    assert not _error_outputs(BeautifulSoup(short, "html.parser"))


SETUP_TOGGLE = "Show the imports and set-up"


def setup_toggle_problems(soup: BeautifulSoup) -> list[str]:
    """A chapter's first code cell (its imports) is folded behind a toggle that says what it holds."""
    cell = soup.select_one("article div.cell")
    if cell is None:
        return ["no code cell"]
    toggle = cell.find("details", recursive=False)
    summary = toggle.find("summary") if toggle else None
    if summary is None or SETUP_TOGGLE not in summary.get_text():
        return [f"the first code cell is not folded behind a {SETUP_TOGGLE!r} toggle: {cell.get_text()[:80].strip()!r}"]
    if toggle.find("div", class_="cell_input") is None or "import" not in toggle.get_text():
        return ["the set-up toggle does not hold the imports"]
    return []


@pytest.mark.parametrize("doc", [doc for doc in toc_files() if doc.split("/")[-1][:2].isdigit()])
def test_chapter_set_up_code_is_folded(built_book, doc):
    soup = BeautifulSoup((built_book / f"{doc}.html").read_text(encoding="utf-8"), "html.parser")
    assert not setup_toggle_problems(soup), f"{doc}.html: {setup_toggle_problems(soup)}"


def test_setup_toggle_check_catches_unfolded_imports():
    code = '<div class="cell_input docutils container"><pre>import numpy as np</pre></div>'
    unfolded = f'<article><div class="cell docutils container">{code}</div></article>'
    assert "is not folded" in setup_toggle_problems(BeautifulSoup(unfolded, "html.parser"))[0]
    generic = unfolded.replace(code, f"<details><summary>Show code cell source</summary>{code}</details>")
    assert "is not folded" in setup_toggle_problems(BeautifulSoup(generic, "html.parser"))[0]
    folded = generic.replace("Show code cell source", SETUP_TOGGLE)
    assert not setup_toggle_problems(BeautifulSoup(folded, "html.parser"))


def machine_paths(text: str) -> list[str]:
    """Absolute paths of the machine that built the book (its checkout, home folders, site-packages)."""
    markers = sorted({str(ROOT), "/work/", "/root/", "/home/", "site-packages"}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(marker) for marker in markers))
    return [
        text[max(0, match.start() - 60) : match.end() + 40].replace("\n", " ") for match in pattern.finditer(text)
    ]


def test_no_page_shows_a_path_of_the_build_machine(built_book):
    offenders = []
    for page in sorted(built_book.rglob("*.html")):
        for excerpt in machine_paths(page.read_text(encoding="utf-8")):
            offenders.append(f"{page.relative_to(built_book)}: ...{excerpt}...")
    assert not offenders, "absolute paths of the build machine in the pages:\n" + "\n".join(offenders[:20])


def test_path_detector_catches_a_site_packages_path():
    html = '<span class="nn">File /opt/venv/lib/python3.11/site-packages/sklearn/utils/_param_validation.py:218</span>'
    assert machine_paths(html) and "site-packages/sklearn" in machine_paths(html)[0]
    assert machine_paths(f"<pre>{ROOT}/book/data.csv</pre>")
    assert not machine_paths("<p>Install with pip; nothing is written outside the repository.</p>")


# --- Sentences with computed numbers: mlc_utils.say() ----------------------------------------------


def say_outputs(notebook: Path) -> list[str]:
    """The Markdown that say() displayed in a notebook's stored outputs."""
    found = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code" or "say(" not in "".join(cell["source"]):
            continue
        for output in cell.get("outputs", []):
            markdown = output.get("data", {}).get("text/markdown")
            if markdown:
                found.append("".join(markdown) if isinstance(markdown, list) else markdown)
    return found


_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def _words(text: str) -> str:
    """Whitespace collapsed and Sphinx's smart quotes and dashes undone, to compare Markdown with HTML."""
    return " ".join(text.translate(_TYPOGRAPHY).split())


def say_rendering_problems(markdown: str, soup: BeautifulSoup) -> list[str]:
    """A say() sentence must be prose in the page: a paragraph, not a code block, its $math$ rendered."""
    # The words of its first paragraph before the first formula (or emphasis) identify the paragraph;
    # a say() text may go on with a list or more paragraphs, which render as blocks of their own.
    first_paragraph = markdown.strip().split("\n\n", 1)[0]
    probe = _words(re.split(r"[$*_`\[]", first_paragraph, maxsplit=1)[0])[:60].strip()
    if len(probe) < 8:
        return []  # a sentence that opens with a formula: nothing reliable to look for
    for output in soup.select("div.cell_output"):
        text = _words(output.get_text())
        if probe not in text:
            continue
        if output.find("pre") is not None and probe in _words(output.find("pre").get_text()):
            return [f"say() text shown as a code block, not prose: {probe!r}"]
        paragraph = next((p for p in output.find_all("p") if probe in _words(p.get_text())), None)
        if paragraph is None:
            return [f"say() text is not a paragraph: {probe!r}"]
        if re.search(r"\$[^$]+\$", markdown) and not output.select(".math"):
            return [f"say() text shows its $math$ as dollars, not a formula: {probe!r}"]
        return []
    return [f"say() text missing from the page: {probe!r}"]


@pytest.mark.parametrize("doc", [doc for doc in toc_files() if (ROOT / f"{doc}.ipynb").is_file()])
def test_say_sentences_render_as_prose(built_book, doc):
    soup = BeautifulSoup((built_book / f"{doc}.html").read_text(encoding="utf-8"), "html.parser")
    problems = [problem for text in say_outputs(ROOT / f"{doc}.ipynb") for problem in say_rendering_problems(text, soup)]
    assert not problems, f"{doc}.html:\n" + "\n".join(problems)


def test_say_check_catches_a_code_block_and_raw_dollars():
    markdown = "The micro-F1 is 0.91 on the test set, where $F_1 = 2PR/(P+R)$."
    prose = '<div class="cell_output"><p>The micro-F1 is 0.91 on the test set, where <span class="math">F</span>.</p></div>'
    assert not say_rendering_problems(markdown, BeautifulSoup(prose, "html.parser"))
    as_code = f'<div class="cell_output"><div class="output text_plain"><pre>{markdown}</pre></div></div>'
    assert "code block" in say_rendering_problems(markdown, BeautifulSoup(as_code, "html.parser"))[0]
    raw_dollars = f'<div class="cell_output"><p>{markdown}</p></div>'
    assert "dollars" in say_rendering_problems(markdown, BeautifulSoup(raw_dollars, "html.parser"))[0]


def test_say_check_looks_for_the_first_paragraph_of_a_text_that_goes_on_with_a_list():
    markdown = "In the run that built this page:\n\n- the files were faster;\n- the shards were slower."
    page = ('<div class="cell_output"><p>In the run that built this page:</p>'
            "<ul><li><p>the files were faster;</p></li><li><p>the shards were slower.</p></li></ul></div>")
    assert not say_rendering_problems(markdown, BeautifulSoup(page, "html.parser"))
    as_code = f'<div class="cell_output"><div class="output text_plain"><pre>{markdown}</pre></div></div>'
    assert "code block" in say_rendering_problems(markdown, BeautifulSoup(as_code, "html.parser"))[0]
    missing = '<div class="cell_output"><p>Something else entirely, said at length.</p></div>'
    assert "missing" in say_rendering_problems(markdown, BeautifulSoup(missing, "html.parser"))[0]


def test_say_markdown_renders_as_prose_with_math_in_a_tiny_book(tmp_path):
    """The book's configuration (nb_render_markdown_format: myst) turns a stored say() output into a
    paragraph with a rendered formula; with MyST-NB's default (commonmark) the dollars stay dollars."""
    import nbformat

    sentence = "The micro-F1 of the tiny model is 0.91, where $F_1 = 2PR/(P+R)$ as in chapter 6."
    book = tmp_path / "tiny"
    (book / "book").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", book / "_config.yml")
    for shared in ("_ext", "_static"):
        shutil.copytree(ROOT / "book" / shared, book / "book" / shared)
    shutil.copy(ROOT / "book" / "references.bib", book / "book" / "references.bib")
    (book / "_toc.yml").write_text("format: jb-book\nroot: book/index\nchapters:\n  - file: book/say_demo\n")
    (book / "book" / "index.md").write_text("# Tiny\n\nA tiny book.\n")
    cell = nbformat.v4.new_code_cell(f"say(f{sentence!r})")
    cell.outputs = [nbformat.v4.new_output("display_data", {"text/markdown": sentence, "text/plain": sentence})]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Say demo"), cell])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, book / "book" / "say_demo.ipynb")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(book), "-nW", "--keep-going"], capture_output=True, text=True, timeout=600
    )
    page = book / "_build" / "html" / "book" / "say_demo.html"
    assert page.is_file(), result.stdout[-3000:] + result.stderr[-3000:]
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    assert not say_rendering_problems(sentence, soup), say_rendering_problems(sentence, soup)


# --- Back matter ------------------------------------------------------------------------------------


def test_no_empty_general_index(built_book):
    """The book defines no index entries, so there is no genindex page and no link to one."""
    index = built_book / "genindex.html"
    if index.exists():
        soup = BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser")
        assert soup.select("table.indextable a"), "genindex.html exists but lists nothing"
    else:
        linking = [p.name for p in built_book.rglob("*.html") if "genindex.html" in p.read_text(encoding="utf-8")]
        assert not linking, f"pages link to the missing genindex.html: {linking}"


def bibliography_labels(soup: BeautifulSoup) -> list[str]:
    return [label.get_text().strip("[] ") for label in soup.select("div.citation span.label")]


def test_bibliography_labels_read_like_the_citations(built_book):
    """Each list label is what the chapters print when they cite it: "Zhang and Zhou, 2014"."""
    soup = BeautifulSoup((built_book / "book" / "bibliography.html").read_text(encoding="utf-8"), "html.parser")
    labels = bibliography_labels(soup)
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    assert len(labels) == len(re.findall(r"^@\w+\{", bib, flags=re.M)), labels
    pattern = re.compile(r"^[^\W\d][\w\s.'-]*( and [\w\s.'-]+| et al\.)?, \d{4}[a-z]?$")
    odd = [label for label in labels if not pattern.match(label)]
    assert not odd, f"bibliography labels that are not author-year: {odd}"
    assert "Madjarov et al., 2012" in labels and "Szymański and Kajdanowicz, 2017" in labels, labels
    cited = set()
    for page in (built_book / "book").glob("*.html"):
        for link in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select('a[href^="bibliography.html#"]'):
            cited.add(_words(link.get_text()))
    not_listed = sorted(c for c in cited if c not in labels)
    assert not not_listed, f"citations whose text matches no bibliography label: {not_listed} (labels: {labels})"


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


def test_notebook_kernels_have_no_network(tmp_path):
    """The kernels nbval starts refuse outside connections (see conftest.py and tools/offline.py)."""
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


def _lean_pages():
    import importlib.util

    spec = importlib.util.spec_from_file_location("lean_pages", ROOT / "book" / "_ext" / "lean_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_built_figures_become_lighter_palette_pngs_of_the_same_size():
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    palette_png = _lean_pages().palette_png
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(np.linspace(0, 1, 50) ** 2, "o-", label="a curve")
    ax.imshow(np.random.default_rng(0).random((32, 32, 3)), extent=(0, 10, 0, 0.5))  # noisy pixels too
    ax.legend()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=200)
    plt.close(fig)
    original = buffer.getvalue()
    lighter = palette_png(original)
    assert len(lighter) < 0.7 * len(original)
    with Image.open(io.BytesIO(lighter)) as small, Image.open(io.BytesIO(original)) as big:
        assert small.mode == "P" and small.size == big.size
    assert palette_png(lighter) is lighter  # already a palette: left alone
    see_through = io.BytesIO()
    Image.new("RGBA", (20, 20), (255, 0, 0, 128)).save(see_through, "PNG")
    assert palette_png(see_through.getvalue()) == see_through.getvalue()  # partial transparency kept


LIGHT_DARK_CSS = """
html[data-theme="light"] .highlight pre { line-height: 125%; }
html[data-theme="light"] .highlight { background: #fefefe; color: #080808 }
html[data-theme="light"] .highlight .k { color: #6730C5 }
html[data-theme="light"] .highlight .n { color: #080808 }
html[data-theme="light"] .highlight .p { color: #080808 }
html[data-theme="light"] .highlight .nb { color: #080808; font-weight: bold }
html[data-theme="light"] .highlight .nf { color: #080808 }
html[data-theme="dark"] .highlight { background: #2b2b2b; color: #F8F8F2 }
html[data-theme="dark"] .highlight .k { color: #FF636F }
html[data-theme="dark"] .highlight .n { color: #F8F8F2 }
html[data-theme="dark"] .highlight .p { color: #f8f8f2 }
html[data-theme="dark"] .highlight .nb { color: #F8F8F2 }
html[data-theme="dark"] .highlight .nf { color: #00E0E0 }
"""


def test_plain_token_classes_are_those_that_only_repeat_the_text_colour_in_every_theme():
    plain = _lean_pages().plain_token_classes
    # nb is bold in light; nf is coloured in dark; k is coloured in both.
    assert plain(LIGHT_DARK_CSS) == {"n", "p"}
    light_only = "\n".join(line for line in LIGHT_DARK_CSS.splitlines() if '"light"' in line)
    assert plain(light_only) == {"n", "p", "nf"}
    assert plain(LIGHT_DARK_CSS.replace(".highlight { background: #2b2b2b; color: #F8F8F2 }",
                                        ".highlight { background: #2b2b2b }")) == set()  # no base colour


def test_unwrapping_plain_spans_keeps_the_code_and_its_coloured_tokens():
    import html as html_module

    from bs4 import BeautifulSoup
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    lean = _lean_pages()
    code = 'def f(x, y=2):\n    """Sum."""\n    return x + y  # why\n'
    block = highlight(code, PythonLexer(), HtmlFormatter(nowrap=True))
    page = (f'<p><span class="n">prose stays</span></p><div class="highlight"><pre><span></span>{block}</pre>'
            f'</div><div class="highlight"><pre><span></span><span class="n">a</span></pre></div>')
    lighter = lean.without_plain_spans(page, frozenset({"n", "p", "w"}))
    assert len(lighter) < 0.8 * len(page)
    before, after = BeautifulSoup(page, "html.parser"), BeautifulSoup(lighter, "html.parser")
    assert [pre.get_text() for pre in after.select("pre")] == [pre.get_text() for pre in before.select("pre")]
    assert html_module.unescape(after.select("pre")[0].get_text()) == code
    assert not after.select("pre span.n, pre span.p, pre span.w")
    assert [s.get_text() for s in after.select("pre span.k")] == ["def", "return"]
    assert after.select("pre span.s2, pre span.sd") and after.select("pre span.c1")
    assert after.select_one("p span.n").get_text() == "prose stays"  # only highlighted code is touched
    assert lean.without_plain_spans(page, frozenset()) == page


def test_built_code_blocks_keep_only_spans_that_colour_something(built_book):
    lean = _lean_pages()
    plain = lean.plain_token_classes((built_book / "_static" / "pygments.css").read_text(encoding="utf-8"))
    assert {"n", "p"} <= plain, plain  # the theme's names and punctuation take the text colour
    page = (built_book / "book" / "03_building_the_cnn.html").read_text(encoding="utf-8")
    assert '<span class="k">' in page or '<span class="kn">' in page
    assert not re.search(r'<div class="highlight"><pre>.*?<span class="(?:n|p)">', page, re.DOTALL)
