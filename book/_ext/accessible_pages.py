"""Fixes for what axe-core finds on the theme's and the extensions' HTML (tests/test_browser.py runs axe on
every page at a phone's and a desktop's width and allows no serious or critical violation).

In the page body (``html-page-context``):

- myst-nb labels every "Show code cell source" bar ``aria-label="Toggle hidden content"``, so a screen
  reader announced other words than the bar shows (axe: label-content-name-mismatch). The bar's own words
  name it once the label is gone.
- docutils writes the bibliography as ``role="list"`` holding ``role="doc-biblioentry"`` entries, a role
  that ARIA 1.3 deprecates and that a list may not hold (aria-required-children, critical). The entries
  become list items.
- pandas writes an empty header cell over the row labels (empty-table-header): that corner heads nothing,
  so it becomes a plain cell.
- A Markdown table with an empty top-left cell (chapter 1's comparison of multi-class, multi-label and
  multi-output) has row labels in its first column, which docutils writes as data cells, so the other
  cells of a row had no header (td-has-header, critical): the corner becomes a plain cell and the first
  cell of each row a row header.

In the theme's templates (``templates/``):

- the search field and the theme switch: ``search-button-field.html`` and ``theme-switcher.html``;
- the book's title at the top of the chapter list stood outside every landmark (region):
  ``navbar-logo.html`` puts it in a navigation landmark of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).with_name("templates")

BODY_FIXES = [
    (re.compile(r'<summary aria-label="Toggle hidden content">'), "<summary>"),
    (re.compile(r'(<div class="citation"[^>]*?) role="doc-biblioentry"'), r'\1 role="listitem"'),
    # pandas' corner cell, in the header rows of a DataFrame's table only.
    (re.compile(r"<thead>.*?</thead>", re.S), lambda m: m.group(0).replace("<th></th>", "<td></td>")),
]


EMPTY_CORNER = re.compile(r'<thead>\s*<tr[^>]*>\s*<th class="head">(?:<p></p>)?</th>')
FIRST_CELL = re.compile(r"(<tr[^>]*>)<td>(.*?)</td>", re.S)


def _row_headers(match: re.Match) -> str:
    """A docutils table (``<table class="table">``) whose header row starts with an empty cell."""
    table = match.group(0)
    head, sep, body = table.partition("</thead>")
    corner = EMPTY_CORNER.search(head)
    if not sep or not corner:
        return table
    head = head[:corner.start()] + corner.group(0).replace('<th class="head">', '<td class="head">')[:-5] + "</td>" + head[corner.end():]
    return head + sep + FIRST_CELL.sub(r'\1<th scope="row">\2</th>', body)


BODY_FIXES.append((re.compile(r'<table class="table">.*?</table>', re.S), _row_headers))


def fix_body(html: str) -> str:
    for pattern, replacement in BODY_FIXES:
        html = pattern.sub(replacement, html)
    return html


def _fix_page(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = fix_body(context["body"])


def _add_templates(app, config):
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path.insert(0, str(TEMPLATES))


def setup(app):
    app.connect("config-inited", _add_templates)
    app.connect("html-page-context", _fix_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
