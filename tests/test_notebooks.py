"""The stored chapter notebooks follow the book's conventions: those of README.md ("Working with the
notebooks": every number printed by the cell that computes it, outputs stored by ``make execute``) and
the rules stated by the tests below.

nbval proves the stored outputs are what the code produces; these checks prove the notebooks were run
top to bottom, keep nbval's ignores rare, and end with a summary and exercises that have solutions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return "".join(cell.get("source", ""))


def tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code" and source(c).strip()]


def markdown(nb: dict) -> str:
    return "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")


chapter = pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])


def test_the_chapter_glob_finds_every_chapter_of_the_table_of_contents():
    """Every check below runs once per file NOTEBOOKS finds: a glob that finds nothing (or misses a
    chapter) would leave them silently empty, so it must find exactly the chapters of _toc.yml's
    numbered parts (the back matter, teaching.ipynb included, is not a chapter)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = [chapter["file"] for part in toc["parts"] if part.get("numbered") for chapter in part["chapters"]]
    notebook_chapters = [ROOT / f"{doc}.ipynb" for doc in listed]
    assert notebook_chapters, "_toc.yml lists no chapter in a numbered part"
    assert NOTEBOOKS == sorted(notebook_chapters), (
        f"the glob finds {[p.name for p in NOTEBOOKS]}, _toc.yml lists {[p.name for p in notebook_chapters]}")


@chapter
def test_name_follows_the_convention(path):
    assert re.fullmatch(r"\d\d_[a-z0-9]+(_[a-z0-9]+)*", path.stem), path.name


@chapter
def test_executed_top_to_bottom_in_a_fresh_kernel(path):
    counts = [c.get("execution_count") for c in code_cells(load(path))]
    assert counts == list(range(1, len(counts) + 1)), f"execution counts {counts}: run `make execute`"


@chapter
def test_no_unexpected_error_outputs(path):
    for cell in code_cells(load(path)):
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        assert not errors or "raises-exception" in tags(cell), source(cell)[:200]


@chapter
def test_raises_exception_cells_really_raise(path):
    for cell in code_cells(load(path)):
        if "raises-exception" in tags(cell):
            assert any(o["output_type"] == "error" for o in cell.get("outputs", [])), source(cell)[:200]


@chapter
def test_fewer_than_a_third_of_code_cells_ignore_their_output(path):
    cells = code_cells(load(path))
    ignored = [c for c in cells if "nbval-ignore-output" in tags(c) or "NBVAL_IGNORE_OUTPUT" in source(c)]
    assert len(ignored) < len(cells) / 3, f"{len(ignored)} of {len(cells)} code cells ignore their output"


@chapter
def test_opens_with_a_title_and_ends_with_summary_and_exercises(path):
    nb = load(path)
    first = source(nb["cells"][0]).lstrip()
    assert first.startswith("# "), "the first cell must be the chapter title"
    text = markdown(nb)
    assert re.search(r"^## Summary\s*$", text, re.M), "no '## Summary' section"
    assert re.search(r"^## Exercises\s*$", text, re.M), "no '## Exercises' section"


@chapter
def test_every_exercise_has_a_gated_solution(path):
    text = markdown(load(path))
    exercises = re.findall(r"(?:`{3,}|:{3,})\{exercise\}[^\n]*\n:label: *([\w-]+)", text)
    solutions = re.findall(r"(?:`{3,}|:{3,})\{solution-start\} *([\w-]+)", text)
    assert len(exercises) >= 3, f"only {len(exercises)} exercises"
    assert sorted(exercises) == sorted(solutions), (exercises, solutions)
    assert text.count("{solution-start}") == text.count("{solution-end}")


TF_STARTUP_NOISE = ("absl::InitializeLog", "cudart_stub", "oneDNN custom operations", "computation_placer")


@chapter
def test_no_tensorflow_start_up_noise_in_stored_outputs(path):
    """TensorFlow's C++ start-up lines carry timestamps and process ids: import it through mlc_utils."""
    for cell in code_cells(load(path)):
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", ""))
            noise = [marker for marker in TF_STARTUP_NOISE if marker in text]
            assert not noise, f"TensorFlow start-up noise {noise} in the output of:\n{source(cell)[:200]}"


# --- What a reader and a learner see (issues 8 and 14) ---------------------------------------------

MAX_LINE = 100
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: Text that gives away the machine a notebook ran on (and means nothing to a reader).
MACHINE_PATHS = re.compile(
    "|".join([re.escape(str(ROOT)), r"/work/", r"/root/", r"/home/\w", r"/tmp/", r"/Users/\w",
              r"site-packages", r"dist-packages", r"[A-Z]:\\\\Users"])
)
CHECK_CALL = re.compile(r"\bcheck(?:_value|_array)?\(")


def output_texts(output: dict) -> list[str]:
    """Every piece of text an output shows (streams, plain text, errors, HTML, Markdown)."""
    if output["output_type"] == "stream":
        return ["".join(output.get("text", ""))]
    if output["output_type"] == "error":
        return [ANSI.sub("", line) for line in output.get("traceback", [])] + [output.get("evalue", "")]
    data = output.get("data", {})
    return ["".join(data[mime]) for mime in ("text/plain", "text/html", "text/markdown") if mime in data]


def plain_lines(output: dict) -> list[str]:
    """The lines shown as preformatted text (they do not wrap); Markdown and HTML outputs wrap."""
    if output["output_type"] == "stream":
        return "".join(output.get("text", "")).splitlines()
    if output["output_type"] == "error":
        return [line for entry in output.get("traceback", []) for line in ANSI.sub("", entry).splitlines()]
    data = output.get("data", {})
    if "text/plain" in data and not {"text/markdown", "text/html", "image/png"} & data.keys():
        return "".join(data["text/plain"]).splitlines()
    return []


def cell_outputs(nb: dict):
    """Each (code cell, one of its stored outputs)."""
    for cell in code_cells(nb):
        for output in cell.get("outputs", []):
            yield cell, output


def long_lines(nb: dict) -> list[str]:
    return [f"{len(line)} chars: {line[:80]}..."
            for cell, output in cell_outputs(nb) if "allow-long-lines" not in tags(cell)
            for line in plain_lines(output) if len(line) > MAX_LINE]


def machine_paths(nb: dict) -> list[str]:
    return [text[max(0, m.start() - 40): m.end() + 40]
            for _, output in cell_outputs(nb) for text in output_texts(output)
            for m in MACHINE_PATHS.finditer(text)]


def long_errors(nb: dict) -> list[str]:
    return [f"{len(plain_lines(output))} lines of traceback in: {source(cell)[:80]}"
            for cell, output in cell_outputs(nb)
            if output["output_type"] == "error" and len(plain_lines(output)) > 5]


def nested_fences(nb: dict) -> list[str]:
    """A fence inside a directive that is as long as the directive's own fence closes it early."""
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        open_fences: list[int] = []
        for line in source(cell).splitlines():
            opening = re.match(r"^(`{3,})\{[\w-]+\}", line)
            fence = re.match(r"^(`{3,})(.*)$", line)
            if opening:
                open_fences.append(len(opening.group(1)))
            elif fence and open_fences:
                length, info = len(fence.group(1)), fence.group(2).strip()
                if info and length >= open_fences[-1]:
                    found.append(f"{line!r} inside a {open_fences[-1]}-backtick directive")
                elif not info and length >= open_fences[-1]:
                    open_fences.pop()
                elif info:
                    open_fences.append(length)  # an inner code block, closed by its own fence
                elif length < open_fences[-1]:
                    open_fences.pop()
    return found


def uncomputed_numbers(nb: dict) -> list[str]:
    """Decimals with three or more digits, or decimal percentages, typed into the prose."""
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = re.sub(r"(`+).*?\1", "", source(cell), flags=re.S)  # code spans and fences
        text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", "", text, flags=re.S)  # math
        found += re.findall(r"[^\s]*\d\.\d{3,}[^\s]*|\d+\.\d+\s?%", text)
    return found


def exercises_with_cells(nb: dict) -> list[dict]:
    """Each exercise: its label, title, the cells after it up to its solution, and the solution's cells."""
    cells, found = nb["cells"], []
    for i, cell in enumerate(cells):
        match = re.search(r"(?:`{3,}|:{3,})\{exercise\}[ \t]*(.*)\n:label: *([\w-]+)", source(cell))
        if cell["cell_type"] != "markdown" or not match:
            continue
        label = match.group(2)
        start = next((j for j in range(i + 1, len(cells))
                      if re.search(r"\{solution-start\} *" + re.escape(label) + r"\b", source(cells[j]))), None)
        end = next((j for j in range(start or i, len(cells)) if "{solution-end}" in source(cells[j])), None)
        found.append({
            "label": label,
            "title": match.group(1).strip(),
            "your_turn": cells[i + 1:start] if start else [],
            "solution": cells[start + 1:end] if start and end else [],
        })
    return found


def first_text(cell: dict) -> str:
    return "".join(t for o in cell.get("outputs", []) for t in output_texts(o)).strip()


def exercise_problems(nb: dict) -> list[str]:
    problems = []
    for ex in exercises_with_cells(nb):
        if not ex["title"]:
            problems.append(f"{ex['label']}: the exercise has no title")
        solution_checks = [c for c in ex["solution"] if c["cell_type"] == "code" and CHECK_CALL.search(source(c))]
        turns = [c for c in ex["your_turn"] if c["cell_type"] == "code" and CHECK_CALL.search(source(c))]
        for cell in solution_checks + turns:
            if "nbval-ignore-output" in tags(cell):
                problems.append(f"{ex['label']}: a verdict cell ignores its output, so a broken check passes")
        if not solution_checks:
            continue
        if not turns:
            problems.append(f"{ex['label']}: the check runs only inside the solution; add a 'your turn' cell")
            continue
        if not all("..." in source(c) for c in turns):
            problems.append(f"{ex['label']}: the 'your turn' cell has no `...` placeholder for the learner")
        if not all(first_text(c).startswith("Not yet") for c in turns):
            problems.append(f"{ex['label']}: the 'your turn' check does not print 'Not yet' on the placeholder")
        if not all("Correct" in first_text(c) for c in solution_checks):
            problems.append(f"{ex['label']}: the solution's check does not print 'Correct'")
    return problems


EXERCISE_LABEL = re.compile(r"\bch\d+-ex-[\w-]+")


def raw_exercise_labels(nb: dict) -> list[str]:
    """Exercise labels shown as text in the prose ("exercise ch10-ex-ablation"): {numref}`ch10-ex-ablation`
    renders as "Exercise 10.4". (A say() sentence cannot hold a role; Markdown cells are checked.)"""
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = re.sub(r"^:label:.*$", "", source(cell), flags=re.M)
        text = re.sub(r"\{solution(?:-start)?\}[^\n]*", "", text)
        text = re.sub(r"\{(?:ref|numref)\}`[^`]*`", "", text)
        found += EXERCISE_LABEL.findall(text)
    return found


SAY_CALL = re.compile(r"(?<![\w.])(?:mlc_utils\.)?say\(")


def say_cells_showing_their_code(nb: dict) -> list[str]:
    """Cells that state a sentence with say() and would show it twice in the HTML: once as the f-string in
    their code, once as the output. Their code is hidden there (remove-input, or hide-input where the
    computation is worth a look), never in the notebook."""
    return [source(cell)[:100] for cell in code_cells(nb)
            if SAY_CALL.search(source(cell)) and not {"remove-input", "hide-input"} & set(tags(cell))]


#: A replacement field that reached the reader unfilled: a say() text whose f prefix went missing on one
#: of its lines. It holds code (a format spec, an index, a call, an attribute or a snake_case name); a
#: set of labels ({dog, person}), a MyST role ({numref}`...`) and LaTeX (\\binom{6}{3}) are prose.
UNFILLED = re.compile(r"(?<![\\\w}])\{[A-Za-z_][^{}\n]*[:\[(._][^{}\n]*\}(?!`)")


def unfilled_fields(nb: dict) -> list[str]:
    """Replacement fields such as {gap:.3f} left in the stored output of a say() cell."""
    found = []
    for cell in code_cells(nb):
        if not SAY_CALL.search(source(cell)):
            continue
        for output in cell.get("outputs", []):
            found += UNFILLED.findall("".join(output.get("data", {}).get("text/markdown", "")))
    return found


COLAB_SETUP = re.compile(r'"google\.colab" in sys\.modules:\s*\n\s+%pip install [^\n]*mlc_utils')
# Short deliberate errors without `%xmode Minimal`'s "Exception reporting mode: Minimal" under every
# chapter's set-up cell: the call %xmode makes, without its print.
QUIET_MINIMAL = re.compile(r"""get_ipython\(\)\.InteractiveTB\.set_mode\(\s*(?:mode\s*=\s*)?["']Minimal["']\s*\)""")


def setup_problems(nb: dict) -> list[str]:
    cells = code_cells(nb)
    problems = []
    if len(cells) < 2:
        return ["fewer than two code cells: no Colab set-up and imports"]
    colab, imports = cells[0], cells[1]
    if not COLAB_SETUP.search(source(colab)):
        problems.append("the first code cell does not install mlc_utils on Colab")
    if "remove-cell" not in tags(colab):
        problems.append("the Colab set-up cell is not tagged remove-cell")
    if colab.get("outputs"):
        problems.append("the Colab set-up cell has output outside Colab")
    if not QUIET_MINIMAL.search(source(imports)):
        problems.append('the imports cell does not set get_ipython().InteractiveTB.set_mode("Minimal")'
                        " (short deliberate errors)")
    if imports.get("outputs"):
        problems.append(f"the imports cell shows output: {first_text(imports)[:80]!r}")
    if "hide-input" not in tags(imports):
        problems.append("the imports cell is not tagged hide-input (folded behind a toggle in the HTML)")
    if imports.get("metadata", {}).get("mystnb", {}).get("code_prompt_show") != "Show the imports and set-up":
        problems.append("the imports cell's toggle is not labelled 'Show the imports and set-up' "
                        "(metadata mystnb.code_prompt_show)")
    if not re.search(r"figure_formats\s*=\s*\[?\s*[\"']retina", source(imports)):
        problems.append("the imports cell does not ask for retina figures")
    return problems


def figures_without_alt_text(nb: dict) -> list[str]:
    """Cells whose figure would reach the HTML with its file path as alt text (issue 20): myst-nb takes the
    alt text from the cell's metadata, "mystnb": {"image": {"alt": "..."}}; it should say what the figure shows."""
    found = []
    for cell in code_cells(nb):
        if not any("image/png" in output.get("data", {}) for output in cell.get("outputs", [])):
            continue
        alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
        if len(alt.split()) < 5 or re.search(r"\.(png|svg|jpe?g)\b|_images/", alt):
            found.append(source(cell)[:80])
    return found


def figures_without_the_book_style(nb: dict) -> list[str]:
    """A chapter with figures applies the book's colour-blind-safe style once, in its set-up cell."""
    cells = code_cells(nb)
    has_figures = any("image/png" in output.get("data", {}) for cell in cells for output in cell.get("outputs", []))
    if not has_figures or len(cells) < 2 or re.search(r"^use_book_style\(\)", source(cells[1]), re.M):
        return []
    return ["the set-up cell does not call use_book_style()"]


@chapter
def test_every_figure_has_alt_text_that_says_what_it_shows(path):
    found = figures_without_alt_text(load(path))
    assert not found, "give these figures alt text in their cell metadata (mystnb.image.alt):\n" + "\n".join(found)


@chapter
def test_figures_use_the_book_style(path):
    assert not figures_without_the_book_style(load(path)), figures_without_the_book_style(load(path))


def test_the_figure_checks_catch_a_path_as_alt_text_and_a_missing_style():
    png = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBOR", "text/plain": "<Figure>"}}
    bare = _cell("code", "plt.show()", [png])
    path_alt = _cell("code", "plt.plot()", [png])
    path_alt["metadata"]["mystnb"] = {"image": {"alt": "../_images/abc123.png"}}
    good = _cell("code", "plt.bar()", [png])
    good["metadata"]["mystnb"] = {"image": {"alt": "Bar chart: rare digits are found least often."}}
    assert figures_without_alt_text({"cells": [bare, path_alt, good]}) == ["plt.show()", "plt.plot()"]
    setup = _cell("code", "import matplotlib.pyplot as plt")
    assert figures_without_the_book_style({"cells": [_cell("code", "pass"), setup, good]})
    styled = _cell("code", "from mlc_utils.plotting import use_book_style\nuse_book_style()")
    assert not figures_without_the_book_style({"cells": [_cell("code", "pass"), styled, good]})


@chapter
def test_prose_has_no_glue_roles(path):
    """Glue names render only in the HTML book; learners in JupyterLab or Colab saw the names."""
    found = re.findall(r"\{glue(?::\w+)?\}`[^`]*`", markdown(load(path)))
    assert not found, f"state computed numbers with say() instead: {found[:5]}"


@chapter
def test_prose_types_no_computed_number(path):
    found = uncomputed_numbers(load(path))
    assert not found, f"numbers typed into markdown (compute them and say() them): {found[:8]}"


@chapter
def test_first_cells_set_up_colab_and_the_display(path):
    assert not setup_problems(load(path)), setup_problems(load(path))


@chapter
def test_say_cells_hide_their_code_in_the_html(path):
    found = say_cells_showing_their_code(load(path))
    assert not found, ("tag these say() cells remove-input (or hide-input), so the HTML shows the sentence once:\n"
                       + "\n".join(found))


@chapter
def test_say_texts_leave_no_field_unfilled(path):
    found = unfilled_fields(load(path))
    assert not found, f"say() text shows a replacement field unfilled (an f prefix missing?): {found[:5]}"


def test_the_unfilled_field_check_catches_a_missing_f_and_passes_roles_and_latex():
    def said(text):
        return _cell("code", 'say("...")', [{"output_type": "display_data", "metadata": {},
                                             "data": {"text/markdown": text, "text/plain": text}}])
    missed = said("Up to 8 pixels make {d.loc['shift 8', 'labels wrong']:.1%} of the labels wrong.")
    fine = said("See {numref}`ch13-ex-batch`; $\\binom{6}{3} = 20$ orders; the sets {person} and {dog, person}.")
    assert unfilled_fields({"cells": [missed, fine]}) == ["{d.loc['shift 8', 'labels wrong']:.1%}"]


@chapter
def test_prose_refers_to_exercises_by_number(path):
    found = raw_exercise_labels(load(path))
    assert not found, f"exercise labels shown as text; write {{numref}}`label` (\"Exercise 10.4\"): {found}"


@chapter
def test_stored_text_fits_the_column(path):
    found = long_lines(load(path))
    assert not found, f"{len(found)} output lines wider than {MAX_LINE} characters:\n" + "\n".join(found[:8])


@chapter
def test_no_machine_path_in_stored_outputs(path):
    found = machine_paths(load(path))
    assert not found, "outputs show a path of the machine that ran them:\n" + "\n".join(found[:5])


@chapter
def test_deliberate_errors_are_short(path):
    assert not long_errors(load(path)), long_errors(load(path))


@chapter
def test_no_nested_fence_closes_a_directive_early(path):
    found = nested_fences(load(path))
    assert not found, "use a longer outer fence (````{exercise}) or a colon fence:\n" + "\n".join(found)


@chapter
def test_exercises_have_titles_and_checks_a_learner_can_run(path):
    problems = exercise_problems(load(path))
    assert not problems, "\n".join(problems)


# --- The checks above, proven on a notebook written the old way ------------------------------------

def _cell(kind: str, text: str, outputs=(), cell_tags=()) -> dict:
    cell = {"cell_type": kind, "metadata": {"tags": list(cell_tags)}, "source": text}
    if kind == "code":
        cell.update(outputs=list(outputs), execution_count=None)
    return cell


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


BROKEN = {"cells": [
    _cell("markdown", "# Broken\n\nA micro-F1 of 0.8731, or 87.3 %."),
    _cell("code", "import numpy as np"),
    _cell("code", "print('x' * 120)", [_stream("x" * 120 + "\n")]),
    _cell("code", "raise ValueError", [{
        "output_type": "error", "ename": "ValueError", "evalue": "bad",
        "traceback": [f"  File \"{ROOT}/.venv/lib/python3.11/site-packages/sklearn/x.py\", line {i}"
                      for i in range(40)],
    }], ["raises-exception"]),
    _cell("markdown", "```{exercise}\n:label: ch0-ex-a\n\nCompute it.\n\n```python\nanswer = ...\n```\n```"),
    _cell("markdown", "```{solution-start} ch0-ex-a\n:class: dropdown\n```"),
    _cell("code", "answer = 1\ncheck_value(answer, 1)", [_stream("Correct: answer = 1.\n")],
          ["nbval-ignore-output"]),
    _cell("markdown", "```{solution-end}\n```"),
], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_the_checks_catch_a_notebook_written_the_old_way():
    assert uncomputed_numbers(BROKEN) == ["0.8731,", "87.3 %"]
    assert long_lines(BROKEN) and long_lines(BROKEN)[0].startswith("120 chars")
    assert machine_paths(BROKEN) and long_errors(BROKEN)
    assert nested_fences(BROKEN) == ["'```python' inside a 3-backtick directive"]
    problems = exercise_problems(BROKEN)
    assert any("no title" in p for p in problems)
    assert any("ignores its output" in p for p in problems)
    assert any("only inside the solution" in p for p in problems)
    assert set(setup_problems(BROKEN)) >= {
        "the first code cell does not install mlc_utils on Colab",
        'the imports cell does not set get_ipython().InteractiveTB.set_mode("Minimal") (short deliberate errors)',
    }


def test_the_label_check_catches_a_raw_exercise_label():
    raw = _cell("markdown", "The stem keeps more; exercise ch10-ex-ablation measures what that buys.")
    fine = _cell("markdown", "````{exercise} Ablation\n:label: ch10-ex-ablation\n\nRun it.\n````\n\n"
                             "```{solution-start} ch10-ex-ablation\n:class: dropdown\n```\n\n"
                             "{numref}`ch10-ex-ablation` measures it; see also {ref}`the ablation <ch10-ex-ablation>`.")
    assert raw_exercise_labels({"cells": [raw, fine]}) == ["ch10-ex-ablation"]


def test_the_say_check_catches_a_sentence_shown_twice():
    sentence = "The micro-F1 is 0.91."
    shown = _cell("code", f"f1 = 0.91\nsay(f\"The micro-F1 is {{f1:.2f}}.\")", [{
        "output_type": "display_data", "metadata": {}, "data": {"text/markdown": sentence, "text/plain": sentence}}])
    also_shown = _cell("code", 'mlc_utils.say("Done.")', cell_tags=["nbval-ignore-output"])
    hidden = [_cell("code", 'say("Hidden.")', cell_tags=[tag]) for tag in ("remove-input", "hide-input")]
    not_a_call = _cell("code", "from mlc_utils import say\nessay = show_source(say)")
    nb = {"cells": [shown, also_shown, *hidden, not_a_call]}
    assert say_cells_showing_their_code(nb) == [source(shown), source(also_shown)]


def test_the_setup_check_catches_xmode_and_an_unfolded_setup_cell():
    """`%xmode Minimal` gives short errors but prints a line under every chapter's set-up cell; a set-up
    cell that is not folded opens every chapter with a wall of imports."""
    colab = _cell("code", '# On Colab\nimport sys\n\nif "google.colab" in sys.modules:\n'
                          '    %pip install --quiet "mlc_utils @ git+https://example.org/book"', cell_tags=["remove-cell"])
    imports = _cell("code", '%xmode Minimal\n%config InlineBackend.figure_formats = ["retina"]',
                    [_stream("Exception reporting mode: Minimal\n")])
    problems = setup_problems({"cells": [colab, imports]})
    assert 'the imports cell does not set get_ipython().InteractiveTB.set_mode("Minimal")' in problems[0], problems
    assert "the imports cell shows output: 'Exception reporting mode: Minimal'" in problems, problems
    assert "the imports cell is not tagged hide-input (folded behind a toggle in the HTML)" in problems, problems
    assert any("toggle is not labelled 'Show the imports and set-up'" in p for p in problems), problems


def test_the_checks_accept_the_conventions():
    good = {"cells": [
        _cell("markdown", "# Good\n\nThe threshold is `0.5000` and $p = 0.8731$."),
        _cell("code", '# On Colab\nimport sys\n\nif "google.colab" in sys.modules:\n'
                      '    %pip install --quiet "mlc_utils @ git+https://example.org/book"', cell_tags=["remove-cell"]),
        {**_cell("code", 'get_ipython().InteractiveTB.set_mode("Minimal")\n'
                         '%config InlineBackend.figure_formats = ["retina"]', cell_tags=["hide-input"]),
         "metadata": {"tags": ["hide-input"], "mystnb": {"code_prompt_show": "Show the imports and set-up"}}},
        _cell("markdown", "````{exercise} Micro-F1\n:label: ch0-ex-a\n\n```python\nanswer = ...\n```\n````"),
        _cell("code", "answer = ...  # your turn\ncheck('f1', answer)", [_stream("Not yet: answer is ...\n")]),
        _cell("markdown", "```{solution-start} ch0-ex-a\n:class: dropdown\n```"),
        _cell("code", "answer = 1\ncheck('f1', answer)", [_stream("Correct: F1 = 1.\n")]),
        _cell("markdown", "```{solution-end}\n```"),
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    assert not uncomputed_numbers(good) and not nested_fences(good)
    assert not exercise_problems(good) and not setup_problems(good)
