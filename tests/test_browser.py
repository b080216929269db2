"""The built book in a real browser, worked the way a reader works it, on a phone and on a desktop.

Headless Chromium (Debian's `chromium`) opens every page from disk, refuses every request that would leave
the machine, and then does what a reader does: taps ☰ and "Contents", scrolls, opens the solutions, looks
at the figures. One browser serves the whole session (tests/conftest.py, shared with tests/test_lab.py);
each page is read once per viewport and the tests below judge those readings, so a failure names the page, the viewport and what is wrong.

Each check is also run on a deliberately broken copy of a real page (the tests named ``..._catches_...``),
so a check that can no longer fail is noticed.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest
import yaml

from book_helpers import CHROMIUM, PAGE_WEIGHTS, ROOT, toc_files, watch_page

try:  # axe-core, vendored by the test extra axe-playwright-python
    from importlib.resources import files as _package_files

    AXE_JS = _package_files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
    AXE_INSTALLED = True
except ModuleNotFoundError:  # reported by test_axe_core_is_installed; the other checks still run
    AXE_JS = "window.axe = {getRules: () => [], run: async () => ({violations: []})};"
    AXE_INSTALLED = False

BOOK_TITLE = yaml.safe_load((ROOT / "_config.yml").read_text())["title"]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}

# A figure's PNG must have this many pixels per CSS pixel it is drawn with on the desktop page (retina;
# 2 is what `InlineBackend.figure_formats = ["retina"]` gives, a little slack for rounding), and it must be
# drawn at no less than this share of its own CSS width, or its text shrinks below the size it was made for.
MIN_PIXELS_PER_CSS_PIXEL = 1.8
MIN_SHARE_OF_CSS_WIDTH = 0.6
# A figure is drawn with its own proportions: its drawn aspect ratio (width / height) may differ from its
# PNG's by this share at most (rounding to whole CSS pixels; a squashed chart is off by 4 % to 55 %).
MAX_ASPECT_CHANGE = 0.02
# Everything a page loads (HTML, scripts, style sheets, fonts, images), as bytes on disk. The pages were
# 3.7-4.3 MB, 3 MB of it Font Awesome's script and MathJax on every page (issue 20, item 12). Part V's
# code-heavy chapters reached 2.57-2.62 MB until book/_ext/lean_pages.py unwrapped the code spans that
# change nothing (now 2.1-2.5 MB).
MAX_PAGE_BYTES = 2_500_000
# axe-core's impacts that fail a page (the minor and moderate ones are reported by axe, not judged here).
AXE_FAILING_IMPACTS = ("serious", "critical")
# Two cells of a table row closer than this (CSS px) read as one number ("-0.1364-0.1453").
MIN_CELL_GAP = 6

pytestmark = [
    pytest.mark.book,
    pytest.mark.skipif(
        CHROMIUM is None and os.environ.get("CI") != "true",
        reason="Chromium is not installed (`apt-get install chromium`); CI installs it and never skips this",
    ),
]


# --- What the page shows, measured in the page --------------------------------------------------------

# Returns everything the static checks need, in one round trip.
INSPECT_JS = r"""
() => {
  const where = (el) => {
    // The nearest heading or exercise before an element, so a message says where to look.
    let node = el;
    while (node && node !== document.body) {
      let sib = node.previousElementSibling;
      while (sib) {
        const box = sib.matches('.exercise') ? sib : null;
        if (box) return (box.querySelector('.admonition-title')?.innerText || 'exercise').trim();
        const heading = sib.matches('h1,h2,h3,h4') ? sib : sib.querySelector?.('h1,h2,h3,h4');
        if (heading) return heading.innerText.replace(/#$/, '').trim();
        sib = sib.previousElementSibling;
      }
      node = node.parentElement;
    }
    return 'top of the page';
  };
  const describe = (el) => `<${el.tagName.toLowerCase()}${el.className ? ' class="' + el.className + '"' : ''}>`
    + ` "${(el.innerText || el.textContent || '').trim().slice(0, 60)}" (after "${where(el)}")`;
  const article = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;

  // Sideways scrolling: the page may not be wider than the window. The culprits are the innermost
  // elements that stick out of the window without a scrolling box of their own between them and the page.
  const overflow = document.documentElement.scrollWidth - innerWidth;
  const culprits = [];
  if (overflow > 0) {
    const scrolls = (el) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
    const sticking = Array.from(document.body.querySelectorAll('*')).filter((el) => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= innerWidth + 0.5) return false;
      if (getComputedStyle(el).visibility === 'hidden' || getComputedStyle(el).position === 'fixed') return false;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).position === 'fixed') return false;
        if (scrolls(a) && a.getBoundingClientRect().right <= innerWidth + 0.5) return false;
      }
      return true;
    });
    sticking.filter((el) => !sticking.some((other) => other !== el && el.contains(other)))
      .slice(0, 5).forEach((el) => culprits.push(describe(el)));
  }

  // Solutions and other dropdowns are opened, as a reader would, so what they hold is measured too.
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach((el) => el.classList.remove('toggle-hidden'));

  const emptyCode = Array.from(article.querySelectorAll('pre'))
    .filter((pre) => pre.textContent.trim() === '').map(describe);
  const emptyOutputs = Array.from(article.querySelectorAll('.cell_output > .output, .cell_output > div'))
    .filter((box) => box.textContent.trim() === '' && !box.querySelector('img, svg, canvas, iframe, video, mjx-container'))
    .map(describe);

  // An exercise box holds its question: some prose, not only a title (or only code, when a nested
  // fence closed the directive early).
  const exercises = Array.from(article.querySelectorAll('div.exercise')).map((box) => {
    const title = (box.querySelector('.admonition-title')?.innerText || box.id || 'exercise').trim();
    const prose = Array.from(box.querySelectorAll('p, li'))
      .filter((p) => !p.closest('.admonition-title') && !p.closest('pre'))
      .map((p) => p.innerText.trim()).join(' ');
    return {title, prose: prose.length};
  });

  const images = Array.from(article.querySelectorAll('img')).filter((img) => !/\.svg($|\?)/i.test(img.src))
    .map((img) => {
      const rendered = img.getBoundingClientRect().width;
      const styled = parseFloat(img.style.width) || parseFloat(img.getAttribute('width')) || 0;
      const cssWidth = styled || img.naturalWidth;  // a PNG without a size is meant for 1 pixel per CSS pixel
      return {src: img.getAttribute('src').split('/').pop(), natural: img.naturalWidth, rendered, cssWidth,
              naturalHeight: img.naturalHeight, clientWidth: img.clientWidth, clientHeight: img.clientHeight,
              alt: img.getAttribute('alt'), figure: !!img.closest('div.cell_output'), where: where(img)};
    });

  const isShown = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const searchBoxes = Array.from(document.querySelectorAll(
    'form.bd-search, .search-button-field, input[type=search], input[name=q]'))
    .filter((el) => isShown(el) && !el.closest('dialog:not([open])'))
    .filter((el, i, all) => !all.some((other) => other !== el && other.contains(el)))  // a form and its input: one box
    .map((el) => `${describe(el)} at (${Math.round(el.getBoundingClientRect().x)}, ${Math.round(el.getBoundingClientRect().y)})`);

  return {overflow, culprits, emptyCode, emptyOutputs, exercises, images, searchBoxes};
}
"""

# Printed outputs, tables and boxes that scroll sideways, measured after INSPECT_JS opened every dropdown.
READING_JS = r"""
async () => {
  const frame = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 30)));
  await frame();
  const article = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
  const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const firstLine = (el) => (el.innerText || '').trim().split('\n')[0].slice(0, 70);
  const longestLine = (el) => (el.innerText || '').split('\n').reduce((a, b) => (b.length > a.length ? b : a), '').slice(0, 90);

  // A printed output or listing cut off at its box's right edge.
  const cutOutputs = Array.from(article.querySelectorAll('div.cell_output pre')).filter(shown)
    .filter((pre) => pre.scrollWidth > pre.clientWidth + 1).map(longestLine);

  // A checked claim's verdict (a printed line that ends in True or False) off-screen to the right.
  const hiddenVerdicts = [];
  for (const pre of Array.from(article.querySelectorAll('div.cell_output div.output pre')).filter(shown)) {
    pre.scrollLeft = 0;
    const right = pre.getBoundingClientRect().right - (pre.offsetWidth - pre.clientWidth);
    const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.textContent.matchAll(/\b(True|False)(?=[ \t]*(\n|$))/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if (range.getBoundingClientRect().right > right + 0.5) {
          hiddenVerdicts.push(node.textContent.slice(0, m.index + m[0].length).split('\n').pop().slice(-80));
        }
      }
    }
  }

  // pandas tables: each column's header lines up with its values; neighbouring cells do not touch.
  const textBox = (cell) => { const r = document.createRange(); r.selectNodeContents(cell); return r.getBoundingClientRect(); };
  const tableProblems = [];
  Array.from(article.querySelectorAll('div.cell_output table.dataframe')).filter(shown).forEach((table, t) => {
    const name = `table ${t + 1} ("${firstLine(table).replace(/\s+/g, ' ').slice(0, 40)}")`;
    const head = table.tHead ? table.tHead.rows[table.tHead.rows.length - 1] : null;
    const body = Array.from(table.tBodies).flatMap((b) => Array.from(b.rows));
    if (head) {
      // A header's column, counted from the right: a body row can have fewer cells at its left where a
      // row label spans several rows (pandas' grouped index), never at its right.
      const width = Array.from(head.cells).reduce((sum, th) => sum + th.colSpan, 0);
      let position = 0;
      Array.from(head.cells).forEach((th) => {
        const fromRight = width - position;
        position += th.colSpan;
        if (!th.textContent.trim() || th.colSpan > 1) return;
        const column = [th, ...body.map((row) => row.cells[row.cells.length - fromRight])
          .filter((c) => c && c.textContent.trim())];
        const boxes = column.map(textBox);
        const same = (edge) => boxes.every((b) => Math.abs(b[edge] - boxes[0][edge]) <= 2);
        const centre = boxes.every((b) => Math.abs((b.left + b.right) / 2 - (boxes[0].left + boxes[0].right) / 2) <= 2);
        if (column.length > 1 && !same('left') && !same('right') && !centre) {
          tableProblems.push(`${name}: the header "${th.textContent.trim()}" is not aligned with its values`);
        }
      });
    }
    body.forEach((row) => {
      const cells = Array.from(row.cells).filter((c) => c.textContent.trim());
      for (let j = 1; j < cells.length; j++) {
        const gap = textBox(cells[j]).left - textBox(cells[j - 1]).right;
        if (gap < MIN_GAP) {
          tableProblems.push(`${name}: "${cells[j - 1].textContent.trim()}" and "${cells[j].textContent.trim()}" `
            + `are ${gap.toFixed(1)} px apart (want >= ${MIN_GAP}): they read as one`);
          return;
        }
      }
    });
  });

  // A box that scrolls sideways shows that it does: its edge looks different (a fade, a shadow) while
  // more is hidden to the right than once the reader has scrolled to the end.
  const cueless = [];
  const boxes = Array.from(article.querySelectorAll('*')).filter((el) => shown(el)
    && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1);
  const look = (el) => { const s = getComputedStyle(el); return [s.maskImage, s.webkitMaskImage, s.boxShadow, s.backgroundImage].join('|'); };
  for (const box of boxes) {
    box.scrollLeft = 0;
    box.dispatchEvent(new Event('scroll'));
    await frame();
    const start = look(box);
    box.scrollLeft = box.scrollWidth;
    box.dispatchEvent(new Event('scroll'));
    await frame();
    const end = look(box);
    box.scrollLeft = 0;
    box.dispatchEvent(new Event('scroll'));
    if (start === end) cueless.push(`<${box.tagName.toLowerCase()} class="${box.className}"> "${firstLine(box)}"`);
  }
  await frame();
  return {cutOutputs, hiddenVerdicts, tableProblems, cueless, scrollBoxes: boxes.length};
}
""".replace("MIN_GAP", str(MIN_CELL_GAP))

# Is some element matching the selector on screen and on top (what a finger or a mouse would hit)?
ON_TOP_JS = r"""
(selector) => Array.from(document.querySelectorAll(selector)).some((el) => {
  const r = el.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return false;
  const x = r.left + Math.min(r.width / 2, 20), y = r.top + r.height / 2;
  if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return false;
  const hit = document.elementFromPoint(x, y);
  return !!hit && (hit === el || el.contains(hit));
})
"""

CHAPTER_NAV = "nav.bd-docs-nav a"
PAGE_TOC = "nav.page-toc a"


def _wait_on_top(page, selector: str, shown: bool, timeout: int = 4000) -> bool:
    expression = f"(s) => ({ON_TOP_JS})(s) === {'true' if shown else 'false'}"
    try:
        page.wait_for_function(expression, arg=selector, timeout=timeout)
        return True
    except Exception:  # playwright's TimeoutError
        return False


def work_the_sidebars(page, viewport: str) -> list[str]:
    """Tap ☰ and "Contents" as a reader does; return what did not work."""
    problems = []
    toggle = page.locator(".primary-toggle:visible")
    if toggle.count() == 0:
        return ["no visible ☰ (primary sidebar) button"]
    if viewport == "phone":
        if page.evaluate(ON_TOP_JS, CHAPTER_NAV):
            problems.append("the chapter navigation covers the page before ☰ is tapped")
        toggle.first.click()
        if not _wait_on_top(page, CHAPTER_NAV, True):
            problems.append("tapping ☰ does not show the chapter navigation")
        page.keyboard.press("Escape")
        if not _wait_on_top(page, CHAPTER_NAV, False):
            problems.append("Escape does not close the chapter navigation")
    else:
        if not page.evaluate(ON_TOP_JS, CHAPTER_NAV):
            problems.append("the chapter navigation is not shown on the desktop page")
        toggle.first.click()
        if not _wait_on_top(page, CHAPTER_NAV, False):
            problems.append("clicking ☰ does not collapse the chapter navigation")
        toggle.first.click()
        if not _wait_on_top(page, CHAPTER_NAV, True):
            problems.append("clicking ☰ again does not bring the chapter navigation back")

    if page.locator(PAGE_TOC).count():  # a page with sections has a table of contents
        contents = page.locator(".secondary-toggle:visible")
        if not page.evaluate(ON_TOP_JS, PAGE_TOC):
            if contents.count() == 0:
                problems.append("the page's table of contents is hidden and there is no visible Contents button")
            else:
                contents.first.click()
                if not _wait_on_top(page, PAGE_TOC, True):
                    problems.append('tapping "Contents" does not show the page\'s table of contents')
                page.keyboard.press("Escape")
    return problems


# The words of a solution bar ("Solution to Exercise 9.2 (...)"): the exercise's name is a link.
SOLUTION_TITLE_LINK = "div.solution > .admonition-title a"


def tap_a_solution_bar(page) -> tuple[int, list[str]]:
    """Tap the words of the page's first solution bar where a reader's finger lands on them; the solution
    must open, and the page must stay where it is. Returns the number of solution bars and the problems."""
    bars = page.locator(SOLUTION_TITLE_LINK).count()
    if not bars:
        return 0, []
    # The middle of the words' first line (they wrap on a phone), once nothing covers it (a closing drawer).
    try:
        point = page.wait_for_function(
            """(selector) => {
                 const words = document.querySelector(selector);
                 words.scrollIntoView({block: 'center'});
                 const r = words.getClientRects()[0];
                 const x = r.left + r.width / 2, y = r.top + r.height / 2;
                 const hit = document.elementFromPoint(x, y);
                 return !!hit && words.closest('.admonition-title').contains(hit)
                   && {x, y, text: words.innerText.trim()};
               }""",
            arg=SOLUTION_TITLE_LINK, timeout=4000,
        ).json_value()
    except Exception:  # playwright's TimeoutError
        return bars, ["the words of the first solution bar stay covered by another element"]
    solution = page.locator("div.solution").first
    before = page.evaluate("location.href")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_timeout(400)  # the bar's opening transition, or a jump away
    page.wait_for_load_state("load")
    name = f'tapping the words "{point["text"][:50]}" of a solution bar'
    problems = []
    after = page.evaluate("location.href")
    if after != before:
        problems.append(f"{name} jumps to {'#' + after.split('#', 1)[1] if '#' in after else after} instead")
    try:  # on the page that was tapped (a broken copy's <base> makes the jump load another page)
        opened = after == before and solution.evaluate(
            """(box) => !box.classList.contains('toggle-hidden') && Array.from(box.children)
                 .filter((child) => !child.classList.contains('admonition-title'))
                 .some((child) => child.getBoundingClientRect().height > 0)""",
            timeout=2000,
        )
    except Exception:  # playwright's TimeoutError
        opened = False
    if not opened:
        problems.append(f"{name} does not open the solution")
    return bars, problems


def run_axe(page) -> list[dict]:
    """axe-core's violations on the page, its experimental rules included (label-content-name-mismatch
    is one): each as {id, impact, help, count, example}. axe-core comes with the Python package
    axe-playwright-python (the test extra), which vendors axe.min.js."""
    page.add_script_tag(content=AXE_JS)
    return page.evaluate(
        """async () => {
             const rules = Object.fromEntries(axe.getRules(['experimental']).map((r) => [r.ruleId, {enabled: true}]));
             const result = await axe.run(document, {resultTypes: ['violations'], rules, preload: false});
             return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
               example: v.nodes[0].target.join(' ') + ' ' + v.nodes[0].html.replace(/\\s+/g, ' ').slice(0, 120)}));
           }"""
    )


def read_page(browser, html: Path, viewport: str = "desktop", sidebars: bool = True,
              solution: bool | None = None) -> dict:
    """Open one page from disk the way a reader does, at a viewport; report what the tests judge.

    ``sidebars`` taps ☰ and "Contents"; ``solution`` (by default as ``sidebars``) taps a solution bar,
    which on a broken copy may load another page (its link goes through the copy's <base>).

    Runs in the browser's thread: ``browser.run(read_page, html, viewport)`` (the fixture of tests/conftest.py).
    """
    page = browser.new_page(viewport=VIEWPORTS[viewport])
    refused, console_errors = watch_page(page, allowed=("file://",))
    loaded = set()  # every file the page asked for, to weigh the page
    page.on("request", lambda request: loaded.add(request.url) if request.url.startswith("file://") else None)
    try:
        page.goto(html.as_uri(), wait_until="load")
        math_count = page.locator("div.math, span.math").count()
        if math_count:
            try:
                page.wait_for_function(
                    "document.querySelectorAll('mjx-container').length >= "
                    "document.querySelectorAll('div.math, span.math').length",
                    timeout=20_000,
                )
            except Exception:  # playwright's TimeoutError: reported by loading_problems as unrendered math
                pass
        # Every request is a local file (or refused), so the page is complete once its fonts are in.
        page.evaluate("document.fonts.ready.then(() => true)")
        files = {Path(url2pathname(urlsplit(url).path)) for url in loaded}
        files = {f for f in files if f.is_file()}
        report = {
            "bytes": sum(f.stat().st_size for f in files),
            "heaviest": sorted(((f.stat().st_size, f.name) for f in files), reverse=True)[:3],
            "mathjax": sorted(f.name for f in files if "mathjax" in f.parts),
            # axe-core on the page as it loaded, before anything is opened or tapped.
            "axe": run_axe(page),
            "title": page.title(),
            "h1": " ".join(page.locator("main h1, article h1").all_inner_texts()[:1]),
            "broken_images": page.evaluate(
                "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
            ),
            "math": math_count,
            "rendered_math": page.locator("mjx-container").count(),
        }
        # The sidebars first: the inspection opens every dropdown, which a reader would not have done yet.
        report["sidebars"] = work_the_sidebars(page, viewport) if sidebars else []
        report["solution_bars"], report["solution"] = tap_a_solution_bar(page) if (
            sidebars if solution is None else solution) else (0, [])
        report.update(page.evaluate(INSPECT_JS))
        report.update(page.evaluate(READING_JS))
        report["refused"] = refused
        report["console_errors"] = console_errors
    finally:
        page.close()
    return report


# --- The judgements, one function per class of defect (each returns the problems it found) -----------


def sideways_problems(report: dict) -> list[str]:
    if report["overflow"] <= 0:
        return []
    return [f"the page scrolls sideways by {report['overflow']} px; sticking out: " + "; ".join(report["culprits"])]


def empty_box_problems(report: dict) -> list[str]:
    return [f"empty code block {box}" for box in report["emptyCode"]] + [
        f"empty output box {box}" for box in report["emptyOutputs"]
    ]


def exercise_problems(report: dict) -> list[str]:
    return [f"{ex['title']}: the box holds no question text" for ex in report["exercises"] if ex["prose"] < 20]


def figure_problems(report: dict) -> list[str]:
    """Judged at the desktop viewport: sharp (retina) and not shrunk below the size it was drawn for."""
    problems = []
    for img in report["images"]:
        if img["rendered"] == 0 or img["natural"] == 0:
            continue  # not displayed (or broken: reported by the image check)
        density = img["natural"] / img["rendered"]
        share = img["rendered"] / img["cssWidth"]
        if density < MIN_PIXELS_PER_CSS_PIXEL:
            problems.append(
                f"{img['src']} (after \"{img['where']}\"): {img['natural']} px wide drawn at {img['rendered']:.0f} CSS px,"
                f" {density:.2f} pixels per CSS pixel (want >= {MIN_PIXELS_PER_CSS_PIXEL}: retina output)"
            )
        if share < MIN_SHARE_OF_CSS_WIDTH:
            problems.append(
                f"{img['src']} (after \"{img['where']}\"): drawn at {share:.0%} of its {img['cssWidth']:.0f} px width"
                f" (want >= {MIN_SHARE_OF_CSS_WIDTH:.0%}: a smaller figure or fewer panels per row)"
            )
    return problems


def aspect_problems(report: dict) -> list[str]:
    """Judged at both viewports: every figure drawn with the proportions of its PNG."""
    problems = []
    for img in report["images"]:
        if not (img["clientWidth"] and img["clientHeight"] and img["natural"] and img["naturalHeight"]):
            continue  # not displayed (or broken: reported by the image check)
        natural = img["natural"] / img["naturalHeight"]
        drawn = img["clientWidth"] / img["clientHeight"]
        if abs(drawn / natural - 1) > MAX_ASPECT_CHANGE:
            problems.append(
                f"{img['src']} (after \"{img['where']}\"): drawn {img['clientWidth']} x {img['clientHeight']} px,"
                f" an aspect of {drawn:.2f} against its own {natural:.2f} ({drawn / natural - 1:+.0%}):"
                " squashed or stretched (a fixed height in the HTML?)"
            )
    return problems


def weight_problems(report: dict) -> list[str]:
    """Judged at both viewports: what the page loads, and MathJax only where there is a formula."""
    problems = []
    if report["bytes"] > MAX_PAGE_BYTES:
        heaviest = ", ".join(f"{name} {size / 1e6:.2f} MB" for size, name in report["heaviest"])
        problems.append(f"the page loads {report['bytes'] / 1e6:.2f} MB (want <= {MAX_PAGE_BYTES / 1e6:.1f} MB);"
                        f" heaviest: {heaviest}")
    if report["mathjax"] and not report["math"]:
        problems.append(f"the page loads MathJax ({', '.join(report['mathjax'][:3])}) but shows no formula")
    return problems


def axe_problems(report: dict) -> list[str]:
    return [f"axe-core: {v['id']} ({v['impact']}, {v['count']} element(s)): {v['help']}; e.g. {v['example']}"
            for v in report["axe"] if v["impact"] in AXE_FAILING_IMPACTS]


def output_problems(report: dict, viewport: str) -> list[str]:
    """On a desktop no printed output or listing is cut off; on a phone no claim hides its verdict."""
    if viewport == "desktop":
        return [f'output cut off at the right edge: "{line}"' for line in report["cutOutputs"]]
    return [f'a claim\'s verdict is off-screen (the reader must scroll sideways): "...{line}"'
            for line in report["hiddenVerdicts"]]


def scroll_cue_problems(report: dict) -> list[str]:
    return [f"a box scrolls sideways with nothing that shows there is more: {box}" for box in report["cueless"]]


def alt_text_problems(report: dict) -> list[str]:
    """Every figure a cell draws has alt text that says what it shows, not its file name."""
    return [
        f"{img['src']} (after \"{img['where']}\"): alt text {img['alt']!r} (want words that say what the figure shows)"
        for img in report["images"] if img["figure"] and (
            not (img["alt"] or "").strip() or re.search(r"[/\\]|\.(png|jpe?g|svg|gif)$", img["alt"].strip(), re.I))
    ]


def search_problems(report: dict) -> list[str]:
    if len(report["searchBoxes"]) <= 1:
        return []
    return [f"{len(report['searchBoxes'])} search boxes: " + "; ".join(report["searchBoxes"])]


def loading_problems(report: dict) -> list[str]:
    problems = [f"images that did not load: {report['broken_images']}"] if report["broken_images"] else []
    if report["rendered_math"] < report["math"]:
        problems.append(f"math not rendered: {report['rendered_math']} of {report['math']} formulas")
    if report["console_errors"]:
        problems.append(f"console errors: {report['console_errors']}")
    if report["refused"]:
        problems.append(f"requests that tried to leave the machine: {report['refused']}")
    return problems


# --- The book's pages ---------------------------------------------------------------------------------

PAGES = toc_files() + ["search"]


@pytest.fixture(scope="session")
def readings(built_book, browser) -> dict:
    """Every page read once at each viewport (the slow part; the tests below only judge)."""
    started = time.perf_counter()
    result = {}
    for doc in PAGES:
        html = built_book / f"{doc}.html"
        for viewport in VIEWPORTS:
            result[doc, viewport] = browser.run(read_page, html, viewport) if html.is_file() else None
            if result[doc, viewport]:
                PAGE_WEIGHTS[doc, viewport] = result[doc, viewport]["bytes"]
    print(f"\nbrowser: read {len(PAGES)} pages x {len(VIEWPORTS)} viewports in {time.perf_counter() - started:.1f} s")
    return result


def _reading(readings, doc, viewport) -> dict:
    report = readings[doc, viewport]
    if report is None:
        pytest.fail(f"{doc}.html was not built")
    return report


def _assert_none(doc: str, viewport: str, problems: list[str]) -> None:
    assert not problems, f"{doc}.html at the {viewport} viewport:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("doc", PAGES)
def test_page_loads_offline_and_whole(readings, doc, viewport):
    report = _reading(readings, doc, viewport)
    assert report["title"].endswith(BOOK_TITLE), report["title"]
    if doc != "search":
        heading = re.sub(r"^[\d.]+\s*", "", report["h1"].replace("#", "").strip())  # "3. Building the CNN"
        assert heading in report["title"], (heading, report["title"])
    _assert_none(doc, viewport, loading_problems(report))


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("doc", PAGES)
def test_sidebar_buttons_work(readings, doc, viewport):
    _assert_none(doc, viewport, _reading(readings, doc, viewport)["sidebars"])


@pytest.mark.parametrize("doc", PAGES)
def test_no_sideways_scrolling_on_a_phone(readings, doc):
    _assert_none(doc, "phone", sideways_problems(_reading(readings, doc, "phone")))


@pytest.mark.parametrize("doc", toc_files())
def test_no_empty_code_block_or_output(readings, doc):
    _assert_none(doc, "desktop", empty_box_problems(_reading(readings, doc, "desktop")))


@pytest.mark.parametrize("doc", toc_files())
def test_every_exercise_box_holds_its_question(readings, doc):
    _assert_none(doc, "desktop", exercise_problems(_reading(readings, doc, "desktop")))


@pytest.mark.parametrize("doc", toc_files())
def test_figures_are_sharp_and_legible(readings, doc):
    _assert_none(doc, "desktop", figure_problems(_reading(readings, doc, "desktop")))


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("doc", toc_files())
def test_figures_keep_their_proportions(readings, doc, viewport):
    _assert_none(doc, viewport, aspect_problems(_reading(readings, doc, viewport)))


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("doc", toc_files())
def test_tapping_a_solution_bar_opens_the_solution(readings, doc, viewport):
    report = _reading(readings, doc, viewport)
    if doc.split("/")[-1][:2].isdigit():  # a chapter: it ends with exercises and their solutions
        assert report["solution_bars"], f"{doc}.html: no solution bar found ({SOLUTION_TITLE_LINK!r})"
    _assert_none(doc, viewport, report["solution"])


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("doc", PAGES)
def test_page_weight(readings, doc, viewport):
    """Each page's weight is printed at the end of the session (tests/conftest.py)."""
    _assert_none(doc, viewport, weight_problems(_reading(readings, doc, viewport)))


def test_axe_core_is_installed():
    assert AXE_INSTALLED, "axe-playwright-python (axe-core) is not installed: pip install -e '.[test]'"


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("doc", PAGES)
def test_no_serious_accessibility_violation(readings, doc, viewport):
    _assert_none(doc, viewport, axe_problems(_reading(readings, doc, viewport)))


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("doc", toc_files())
def test_printed_outputs_read_whole(readings, doc, viewport):
    _assert_none(doc, viewport, output_problems(_reading(readings, doc, viewport), viewport))


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("doc", toc_files())
def test_tables_line_up_and_show_when_they_scroll(readings, doc, viewport):
    report = _reading(readings, doc, viewport)
    _assert_none(doc, viewport, report["tableProblems"] + scroll_cue_problems(report))


@pytest.mark.parametrize("doc", toc_files())
def test_figures_have_alt_text(readings, doc):
    _assert_none(doc, "desktop", alt_text_problems(_reading(readings, doc, "desktop")))


@pytest.mark.parametrize("doc", PAGES)
def test_one_search_box_on_a_desktop_page(readings, doc):
    _assert_none(doc, "desktop", search_problems(_reading(readings, doc, "desktop")))


# --- Each check, shown failing on a deliberately broken copy of a real page ----------------------------


def broken_copy(built_book: Path, tmp_path: Path, doc: str, head: str = "", body_start: str = "",
                article_end: str = "", drop: str = "") -> Path:
    """A copy of a built page with something added or removed, saved outside the book; a <base> element
    keeps its style sheets, scripts and images loading from the built book."""
    text = (built_book / f"{doc}.html").read_text(encoding="utf-8")
    base = (built_book / f"{doc}.html").parent.as_uri() + "/"
    text = text.replace("<head>", f'<head><base href="{base}">{head}', 1)
    if drop:  # a regular expression
        text, count = re.subn(drop, "", text)
        assert count, f"{drop!r} matches nothing in {doc}.html"
    if body_start:
        text = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + body_start, text, count=1)
    if article_end:
        assert "</article>" in text
        text = text.replace("</article>", article_end + "</article>", 1)
    page = tmp_path / f"broken-{doc.replace('/', '-')}.html"
    page.write_text(text, encoding="utf-8")
    return page


CHAPTER = "book/04_training"


def test_browser_check_catches_a_remote_script_and_a_broken_image(browser, tmp_path):
    """The guard itself: a page with a CDN script and a missing image must be caught."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<html><head><title>Bad</title>"
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script></head>'
        '<body><main><h1>Bad</h1><img src="missing.png"></main></body></html>'
    )
    report = browser.run(read_page, page, sidebars=False)
    assert report["refused"] == ["https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"]
    assert report["broken_images"] and report["broken_images"][0].endswith("missing.png")


def test_sidebar_check_catches_the_hidden_toggle_bug(built_book, browser, tmp_path):
    """The original bug: hidden copies of the ☰ and Contents buttons earlier in the page take the
    theme's click handlers, so the visible buttons do nothing."""
    hidden = (
        '<button class="pst-navbar-icon sidebar-toggle primary-toggle" style="display:none"></button>'
        '<button class="pst-navbar-icon sidebar-toggle secondary-toggle" style="display:none"></button>'
    )
    page = broken_copy(built_book, tmp_path, CHAPTER, body_start=hidden)
    phone = browser.run(read_page, page, "phone")["sidebars"]
    assert "tapping ☰ does not show the chapter navigation" in phone, phone
    assert 'tapping "Contents" does not show the page\'s table of contents' in phone, phone
    desktop = browser.run(read_page, page, "desktop")["sidebars"]
    assert "clicking ☰ does not collapse the chapter navigation" in desktop, desktop


def test_sideways_check_catches_a_wide_word_and_needs_the_books_css(built_book, browser, tmp_path):
    """An unbreakable word widens the page and is named; long inline code wraps only thanks to book.css;
    a wide formula, code line or output line scrolls inside its own box."""
    wide_word = '<p><span style="white-space: nowrap">' + "zero_division_" * 40 + "</span></p>"
    page = broken_copy(built_book, tmp_path, CHAPTER, article_end=wide_word)
    problems = sideways_problems(browser.run(read_page, page, "phone", sidebars=False))
    assert problems and "zero_division_zero" in problems[0], problems

    long_code = '<p>Set <code class="docutils literal notranslate"><span class="pre">' + "sklearn_" * 30 + "</span></code>.</p>"
    wraps = broken_copy(built_book, tmp_path, CHAPTER, article_end=long_code)
    assert not sideways_problems(browser.run(read_page, wraps, "phone", sidebars=False))
    without_css = broken_copy(
        built_book, tmp_path, CHAPTER, article_end=long_code,
        drop=r'<link rel="stylesheet"[^>]*book\.css[^>]*>',
    )
    problems = sideways_problems(browser.run(read_page, without_css, "phone", sidebars=False))
    assert problems and "sklearn_sklearn" in problems[0], problems

    boxes = (
        '<div class="math notranslate nohighlight">\\[' + " + ".join(f"x_{{{i}}}" for i in range(60)) + "\\]</div>"
        '<div class="highlight-python notranslate"><div class="highlight"><pre>' + "x = 1; " * 60 + "</pre></div></div>"
        '<div class="cell_output docutils container"><div class="output stream highlight-myst-ansi notranslate">'
        '<div class="highlight"><pre>' + "val_loss: 0.1 " * 40 + "</pre></div></div></div>"
    )
    scrolling = broken_copy(built_book, tmp_path, CHAPTER, article_end=boxes)
    assert not sideways_problems(browser.run(read_page, scrolling, "phone", sidebars=False))


def test_box_checks_catch_a_broken_exercise_fence(built_book, browser, tmp_path):
    """What a three-backtick exercise with a ```python block inside renders as: a box with only code, the
    question outside it, and an empty code block where the closing fence opened a new one."""
    broken = (
        '<div class="exercise admonition" id="ch9-ex-broken"><p class="admonition-title">Exercise 9.9 (Broken)</p>'
        '<section id="exercise-content"><div class="highlight-python notranslate"><div class="highlight">'
        "<pre>y_true = [[1, 0]]</pre></div></div></section></div>"
        "<p>Without running it, what would Keras report?</p>"
        '<div class="highlight-default notranslate"><div class="highlight"><pre><span></span>\n</pre></div></div>'
        '<div class="cell_output docutils container"><div class="output text_html"></div></div>'
    )
    report = browser.run(read_page, broken_copy(built_book, tmp_path, CHAPTER, article_end=broken), sidebars=False)
    assert exercise_problems(report) == ["Exercise 9.9 (Broken): the box holds no question text"]
    problems = empty_box_problems(report)
    assert any(p.startswith("empty code block <pre>") and "Exercise 9.9" in p for p in problems), problems
    assert any(p.startswith("empty output box") for p in problems), problems


def test_figure_check_catches_a_soft_and_a_squeezed_figure(built_book, browser, tmp_path):
    from PIL import Image

    Image.new("RGB", (700, 300), "white").save(tmp_path / "soft.png")  # 100 dpi: 1 pixel per CSS pixel
    Image.new("RGB", (1600, 600), "white").save(tmp_path / "sharp.png")
    figures = (
        f'<img src="{(tmp_path / "soft.png").as_uri()}">'
        f'<img src="{(tmp_path / "sharp.png").as_uri()}" style="width: 800px; height: 300px;">'
        f'<img src="{(tmp_path / "sharp.png").as_uri()}" style="width: 800px; max-width: 300px; height: auto;">'
    )
    report = browser.run(read_page, broken_copy(built_book, tmp_path, CHAPTER, article_end=figures), sidebars=False)
    problems = [p for p in figure_problems(report) if "soft.png" in p or "sharp.png" in p]
    assert len(problems) == 2, problems
    assert "soft.png" in problems[0] and "1.00 pixels per CSS pixel" in problems[0], problems
    assert "sharp.png" in problems[1] and "drawn at 38% of its 800 px width" in problems[1], problems


def test_search_check_catches_a_second_search_box(built_book, browser, tmp_path):
    second = (
        '<div style="position:absolute; top:0; left:400px"><button class="btn search-button-field">'
        "Search</button></div>"
    )
    report = browser.run(read_page, broken_copy(built_book, tmp_path, CHAPTER, body_start=second), sidebars=False)
    problems = search_problems(report)
    assert problems and problems[0].startswith("2 search boxes"), problems


def test_aspect_check_catches_squashed_figures_and_needs_the_books_css(built_book, browser, tmp_path):
    """Without book.css, chapter 4's charts keep their fixed height while the phone shrinks their width;
    a fixed height that even book.css cannot undo is caught on the desktop too."""
    from PIL import Image

    without_css = broken_copy(built_book, tmp_path, CHAPTER, drop=r'<link rel="stylesheet"[^>]*book\.css[^>]*>')
    problems = aspect_problems(browser.run(read_page, without_css, "phone", sidebars=False))
    assert len(problems) >= 3 and all("squashed or stretched" in p for p in problems), problems
    # chapter 4's learning curves: their drawn aspect falls by far more than any rounding could explain
    assert any(re.search(r"\(-[4-9]\d%\)", p) for p in problems), problems

    Image.new("RGB", (1600, 600), "white").save(tmp_path / "wide.png")
    fixed = f'<img src="{(tmp_path / "wide.png").as_uri()}" style="width: 800px; max-width: 400px; height: 300px !important;">'
    report = browser.run(read_page, broken_copy(built_book, tmp_path, CHAPTER, article_end=fixed), "desktop", sidebars=False)
    problems = aspect_problems(report)
    assert problems == [p for p in problems if p.startswith("wide.png")] and len(problems) == 1, problems
    assert "drawn 400 x 300 px, an aspect of 1.33 against its own 2.67 (-50%)" in problems[0], problems


def test_solution_bar_check_catches_the_link_that_took_the_tap(built_book, browser, tmp_path):
    """The original bug: without book.css, the exercise's name in the bar is a link that takes the tap."""
    doc = "book/09_imbalanced_labels"
    without_css = broken_copy(built_book, tmp_path, doc, drop=r'<link rel="stylesheet"[^>]*book\.css[^>]*>')
    report = browser.run(read_page, without_css, "phone", sidebars=False, solution=True)
    assert report["solution_bars"] >= 3, report["solution_bars"]
    problems = report["solution"]
    assert len(problems) == 2, problems
    assert problems[0].startswith('tapping the words "Exercise 9.1') and "#ch9-ex-" in problems[0], problems
    assert problems[1].endswith("does not open the solution"), problems


WITHOUT_BOOK_CSS = r'<link rel="stylesheet"[^>]*book\.css[^>]*>'


def test_weight_check_catches_fontawesome_and_mathjax_where_no_formula_is(built_book, browser, tmp_path):
    """The theme's 1.5 MB fontawesome.js put back is too heavy; MathJax on the front page (no formula) is
    flagged as such."""
    heavy = broken_copy(built_book, tmp_path, CHAPTER, head='<script src="../_static/scripts/fontawesome.js"></script>'
                        '<script src="../_static/mathjax/tex-chtml.js"></script>')
    problems = weight_problems(browser.run(read_page, heavy, "phone", sidebars=False))
    assert problems and "fontawesome.js" in problems[0] and f"want <= {MAX_PAGE_BYTES / 1e6:.1f} MB" in problems[0], problems
    front = broken_copy(built_book, tmp_path, "book/index", head='<script defer src="../_static/mathjax/startup.js"></script>')
    problems = weight_problems(browser.run(read_page, front, "desktop", sidebars=False))
    assert problems == ["the page loads MathJax (startup.js) but shows no formula"], problems


def test_axe_check_catches_what_the_book_fixed(built_book, browser, tmp_path):
    """myst-nb's "Toggle hidden content" label on a "Show code cell source" bar, the theme's search field
    labelled "Search" over "Search Ctrl+K", and docutils' bibliography roles, put back in a copy."""
    assert AXE_INSTALLED, "axe-playwright-python is not installed"
    broken = (
        '<details><summary aria-label="Toggle hidden content"><p>Show code cell source</p></summary>x</details>'
        '<button class="btn" aria-label="Search">Search <kbd>Ctrl</kbd>+<kbd>K</kbd></button>'
        '<div role="list" class="citation-list"><div class="citation" role="doc-biblioentry">Zhang, 2014</div></div>'
    )
    page = broken_copy(built_book, tmp_path, CHAPTER, article_end=broken)
    problems = axe_problems(browser.run(read_page, page, "desktop", sidebars=False))
    found = {p.split()[1] for p in problems}
    assert {"label-content-name-mismatch", "aria-required-children"} <= found, problems
    assert not axe_problems(browser.run(read_page, built_book / f"{CHAPTER}.html", "desktop", sidebars=False))


LONG_CLAIM = "per-label thresholds tuned on 50 images score lower on test than tuned on 1,000 (by > 0.005): True"


def test_output_checks_catch_a_cut_line_and_a_hidden_verdict_and_need_the_books_css(built_book, browser, tmp_path):
    """A printed claim of 98 characters: whole on both screens with book.css, cut off on the desktop and
    its verdict off-screen on the phone without it."""
    output = ('<div class="cell_output docutils container"><div class="output stream highlight-myst-ansi notranslate">'
              f'<div class="highlight"><pre><span></span>{LONG_CLAIM}\n</pre></div></div></div>')
    page = broken_copy(built_book, tmp_path, CHAPTER, article_end=output)
    for viewport in VIEWPORTS:
        problems = output_problems(browser.run(read_page, page, viewport, sidebars=False), viewport)
        assert not problems, (viewport, problems)
    without_css = broken_copy(built_book, tmp_path, CHAPTER, article_end=output, drop=WITHOUT_BOOK_CSS)
    desktop = output_problems(browser.run(read_page, without_css, "desktop", sidebars=False), "desktop")
    assert any(LONG_CLAIM[:60] in p for p in desktop), desktop
    phone = output_problems(browser.run(read_page, without_css, "phone", sidebars=False), "phone")
    assert any(p.endswith('(by > 0.005): True"') for p in phone), phone


def test_table_checks_catch_misaligned_headers_touching_cells_and_a_silent_scroll(built_book, browser, tmp_path):
    """Chapter 8 without book.css: pandas' headers right-aligned over left-aligned values, the bootstrap
    table's cells touching on a phone; without book.js, a wide table scrolls with no sign of it."""
    doc = "book/08_choosing_thresholds"
    without_css = browser.run(read_page, broken_copy(built_book, tmp_path, doc, drop=WITHOUT_BOOK_CSS), "phone", sidebars=False)
    problems = without_css["tableProblems"]
    assert any("is not aligned with its values" in p for p in problems), problems
    assert any("they read as one" in p for p in problems), problems
    without_js = broken_copy(built_book, tmp_path, doc, drop=r'<script src="[^"]*book\.js[^"]*"></script>')
    report = browser.run(read_page, without_js, "phone", sidebars=False)
    assert report["scrollBoxes"] and len(scroll_cue_problems(report)) == report["scrollBoxes"], report["cueless"]


def test_alt_text_check_catches_a_file_path(built_book, browser, tmp_path):
    from PIL import Image

    Image.new("RGB", (800, 400), "white").save(tmp_path / "chart.png")
    src = (tmp_path / "chart.png").as_uri()
    figures = (f'<div class="cell_output docutils container"><img src="{src}" alt="../_images/abc123.png" width="400">'
               f'<img src="{src}" alt="Learning curves: validation loss falls for 8 epochs, then rises" width="400"></div>')
    report = browser.run(read_page, broken_copy(built_book, tmp_path, CHAPTER, article_end=figures), sidebars=False)
    problems = [p for p in alt_text_problems(report) if p.startswith("chart.png")]
    assert len(problems) == 1 and "'../_images/abc123.png'" in problems[0], problems
