"""Printed outputs that a reader sees whole: prose wraps, text tables keep their columns.

Outputs are printed for about 88 characters a line; the desktop column shows about 86 and a phone about
45, so a long line was cut off at the box's edge, and on a phone most checked claims hid their verdict
(``...: True``) off-screen. book.css wraps printed output like prose (``white-space: pre-wrap``). A text
table would be torn apart by wrapping, so this extension marks the rows of each table in a printed output
(``<span class="output-table-rows">``, kept unwrapped by book.css: the box scrolls sideways and shows that
it does, see book.js). A row is a line whose columns are aligned with runs of spaces, or drawn with
box-drawing characters, in a run of at least two such lines. A line that ends in a verdict (``True`` or
``False``) is a claim, and always wraps, so its verdict stays on screen.
"""

from __future__ import annotations

import html
import re

OUTPUT_PRE = re.compile(
    r'(<div class="output (?:stream|text_plain)[^"]*"><div class="highlight"><pre>)(.*?)(</pre>)', re.S
)
COLUMN_GAP = re.compile(r"\S {2,}\S")
BOX_DRAWING = re.compile(r"[\u2500-\u257f]")
VERDICT = re.compile(r"\b(True|False)\s*$")
MIN_ROWS = 2


def is_row(line: str) -> bool:
    """A line that looks like a row of a text table (and is not a claim)."""
    return bool(COLUMN_GAP.search(line) or BOX_DRAWING.search(line)) and not VERDICT.search(line)


def table_runs(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last) line indices of each run of at least MIN_ROWS table rows; blank lines between rows
    belong to the run (classification_report's blocks), blank lines at its ends do not."""
    runs, start, last_row, rows = [], None, None, 0
    for i, line in enumerate(lines + [""]):
        if i < len(lines) and is_row(line):
            start = i if start is None else start
            last_row, rows = i, rows + 1
        elif i < len(lines) and not line.strip() and start is not None:
            continue
        else:
            if start is not None and rows >= MIN_ROWS:
                runs.append((start, last_row))
            start, last_row, rows = None, None, 0
    return runs


def mark_tables(pre_html: str) -> str:
    """The inner HTML of an output's <pre> with its tables' rows marked. Only plain text is touched (the
    lexer's empty ``<span></span>`` aside): markup that could cross lines is left alone."""
    prefix = "<span></span>" if pre_html.startswith("<span></span>") else ""
    body = pre_html[len(prefix):]
    if "<" in body:
        return pre_html
    lines = body.split("\n")
    runs = table_runs([html.unescape(line) for line in lines])
    for first, last in reversed(runs):
        lines[first:last + 1] = ['<span class="output-table-rows">' + "\n".join(lines[first:last + 1]) + "</span>"]
    return prefix + "\n".join(lines)


def mark_body(body: str) -> str:
    return OUTPUT_PRE.sub(lambda m: m.group(1) + mark_tables(m.group(2)) + m.group(3), body)


def _mark_page(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = mark_body(context["body"])


def setup(app):
    app.connect("html-page-context", _mark_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
