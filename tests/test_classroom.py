"""The classroom editions: no answer survives in the student edition, which still runs; nbgrader works.

The leak checks compare against the teacher's edition itself: every distinctive line of every solution
cell (its source and its stored output) is looked for in every file of the student edition, with all
whitespace removed so that syntax highlighting in the HTML cannot hide a match.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tools.classroom import (
    assignment_notebook,
    solution_blocks,
    student_notebook,
    write_assignments,
    write_student_edition,
)

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
chapter = pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
MIN_SNIPPET = 20  # shorter lines ("answer = 1", "plt.show()") are not evidence of a leak


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def text_of(cell: dict) -> str:
    return "".join(cell.get("source", ""))


def outputs_of(cell: dict) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        for mime in ("text/plain", "text/markdown", "text/html"):
            parts.append("".join(output.get("data", {}).get(mime, "")))
    return "\n".join(parts)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def outside_solutions(notebook: dict) -> str:
    cells = notebook["cells"]
    inside = {i for _, start, end in solution_blocks(notebook) for i in range(start + 1, end)}
    return squash("\n".join(text_of(c) + outputs_of(c) for i, c in enumerate(cells) if i not in inside))


#: Everything the teacher's edition shows outside its solutions, in every chapter and page: a solution
#: line that also appears there (a plotting idiom another chapter uses) is no evidence of a leak.
SHARED_TEXT = "\n".join([outside_solutions(read(p)) for p in CHAPTERS]
                        + [squash(p.read_text(encoding="utf-8")) for p in (ROOT / "book").glob("*.md")])


def solution_snippets(notebook: dict) -> set[str]:
    """Lines of solution cells (source and output) that appear nowhere else in the teacher's book."""
    cells = notebook["cells"]
    inside = {i for _, start, end in solution_blocks(notebook) for i in range(start + 1, end)}
    outside_text = SHARED_TEXT
    snippets = set()
    for i in inside:
        for line in (text_of(cells[i]) + "\n" + outputs_of(cells[i])).splitlines():
            line = squash(line)
            if len(line) >= MIN_SNIPPET and line not in outside_text:
                snippets.add(line)
    return snippets


def corpus(path: Path) -> str:
    """What a file shows a reader, whitespace removed: page text for HTML, raw text otherwise."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        soup = BeautifulSoup(raw, "html.parser")
        for tag in soup(["script", "style"]):
            tag.decompose()
        return squash(soup.get_text(""))
    if path.suffix == ".ipynb":
        notebook = json.loads(raw)
        return squash("\n".join(text_of(c) + outputs_of(c) for c in notebook["cells"]))
    return squash(raw)


def leaks(folder: Path, snippets: dict[str, set[str]]) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix not in {".html", ".ipynb", ".md", ".txt", ".py", ".json"}:
            continue
        text = corpus(path)
        for chapter_name, lines in snippets.items():
            hits = [line for line in lines if line in text]
            if hits:
                found.append(f"{path.relative_to(folder)}: {len(hits)} lines of {chapter_name}'s solutions, "
                             f"e.g. {hits[0][:70]!r}")
    return found


@pytest.fixture(scope="session")
def all_snippets() -> dict[str, set[str]]:
    return {path.stem: solution_snippets(read(path)) for path in CHAPTERS}


# --- The transformation, on small notebooks -------------------------------------------------------

def _md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text, output=""):
    outputs = [{"output_type": "stream", "name": "stdout", "text": output}] if output else []
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": outputs, "execution_count": 1}


TOY = {"cells": [
    _md("# Toy\n"), _code("x = 2"), _md("## Exercises"),
    _md("````{exercise} Double it\n:label: ch0-ex-double\n\nDouble x.\n````"),
    _code("answer = ...  # your turn\ncheck_value(answer, 2 * x)", "Not yet: answer should be a number."),
    _md("```{solution-start} ch0-ex-double\n:class: dropdown\n```"),
    _code("answer = x + x  # the secret\ncheck_value(answer,\n            2 * x)", "Correct: answer = 4."),
    _md("Adding x to itself doubles it: the secret explanation."),
    _md("```{solution-end}\n```"),
], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_student_notebook_removes_each_solution_block_and_clears_exercise_outputs():
    student = student_notebook(TOY)
    text = json.dumps(student)
    assert "secret" not in text and "solution-start" not in text and "solution-end" not in text
    assert [c["cell_type"] for c in student["cells"]] == ["markdown", "code", "markdown", "markdown", "code"]
    assert student["cells"][1]["execution_count"] == 1  # the chapter keeps its outputs
    assert student["cells"][4]["outputs"] == []  # the exercise cell's do not
    assert len(TOY["cells"]) == 9, "the teacher's notebook must not be modified"


@pytest.mark.parametrize("cells, message", [
    ([_md("```{solution-start} a\n```")], "no {solution-end}"),
    ([_md("```{solution-end}\n```")], "never started"),
    ([_md("```{solution-start} a\n```"), _md("```{solution-start} b\n```")], "starts inside"),
])
def test_unbalanced_solution_markers_are_refused(cells, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        student_notebook({"cells": cells})


def test_bad_notebook_is_refused():
    with pytest.raises(TypeError, match="notebook"):
        student_notebook(["not", "a", "notebook"])


def test_assignment_notebook_has_an_answer_region_and_a_graded_check():
    cells = assignment_notebook(TOY)["cells"]
    graded_cells = [c for c in cells if "nbgrader" in c["metadata"]]
    answer, test = graded_cells
    assert answer["source"] == "### BEGIN SOLUTION\nanswer = x + x  # the secret\n### END SOLUTION"
    assert answer["metadata"]["nbgrader"]["solution"] and not answer["metadata"]["nbgrader"]["grade"]
    assert "with graded():\n    check_value(answer,\n                2 * x)" in test["source"]
    assert test["metadata"]["nbgrader"]["grade"] and test["metadata"]["nbgrader"]["points"] == 1
    assert not any("your turn" in text_of(c) for c in cells), "the answer cell replaces the 'your turn' cell"


def test_assignment_keeps_what_the_your_turn_cell_sets_up():
    notebook = {"cells": TOY["cells"][:4] + [
        _code("y_pair = [1, 2]\nanswer = ...  # your turn\ncheck_value(answer, sum(y_pair))"),
        *TOY["cells"][5:],
    ]}
    answer = next(c for c in assignment_notebook(notebook)["cells"] if "BEGIN SOLUTION" in c["source"])
    assert answer["source"].startswith("y_pair = [1, 2]\n\n### BEGIN SOLUTION\n")


def test_out_folder_that_would_delete_the_book_is_refused():
    for out in (ROOT, ROOT / "book", ROOT.parent):
        with pytest.raises(ValueError, match="out"):
            write_student_edition(ROOT, out)


# --- The whole book ---------------------------------------------------------------------------------

def test_every_chapter_has_solutions_to_leak(all_snippets):
    """The leak check has something to find in every chapter (else it proves nothing)."""
    assert all(len(lines) >= 3 for lines in all_snippets.values()), {k: len(v) for k, v in all_snippets.items()}


def test_leak_check_finds_the_solutions_in_the_teachers_edition(all_snippets):
    found = leaks(ROOT / "book", all_snippets)
    assert len(found) >= len(CHAPTERS), found


@pytest.fixture(scope="session")
def student_edition(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("student") / "edition"
    write_student_edition(ROOT, out)
    return out


@pytest.fixture(scope="session")
def student_html(student_edition) -> Path:
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run([str(jupyter_book), "build", str(student_edition), "-nW", "--keep-going"],
                            capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, f"student build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return student_edition / "_build" / "html"


@pytest.mark.book  # builds or executes a classroom edition
def test_student_notebooks_hold_no_solution(student_edition, all_snippets):
    assert not leaks(student_edition / "book", all_snippets)
    for path in (student_edition / "book").glob("[0-9][0-9]_*.ipynb"):
        text = path.read_text(encoding="utf-8")
        assert "{solution-start}" not in text and "{solution-end}" not in text, path.name


@pytest.mark.book  # builds or executes a classroom edition
def test_student_html_sources_and_downloads_hold_no_solution(student_html, all_snippets):
    pages = list(student_html.rglob("*.html"))
    sources = list((student_html / "_sources").rglob("[0-9][0-9]_*.ipynb"))
    assert len(pages) > len(CHAPTERS) and len(sources) == len(CHAPTERS)
    assert not leaks(student_html, all_snippets)
    assert not list(student_html.rglob("*solution*")), "a page or file named after a solution"


@pytest.mark.book  # builds or executes a classroom edition
def test_student_html_download_serves_the_student_notebooks(student_html):
    page = (student_html / "book" / f"{CHAPTERS[0].stem}.html").read_text(encoding="utf-8")
    downloads = re.findall(r'href="([^"]+\.ipynb)"', page)
    assert downloads, "no .ipynb download link on a chapter page"
    target = (student_html / "book" / downloads[0]).resolve()
    assert target.is_file() and student_html in target.parents
    assert "{solution-start}" not in target.read_text(encoding="utf-8")


@pytest.mark.book  # builds or executes a classroom edition
def test_student_html_has_no_launch_button_to_the_teachers_notebooks(student_html):
    page = (student_html / "book" / f"{CHAPTERS[0].stem}.html").read_text(encoding="utf-8")
    assert "colab.research.google.com" not in page and "mybinder.org" not in page


@pytest.fixture(scope="session")
def executed_student_notebooks(student_edition) -> dict[str, dict]:
    """Every student notebook executed top to bottom in a fresh kernel of its own, from its own folder.

    Two kernels at a time, the longest-running chapters first (by the run times stored in the
    teacher's notebooks): most chapters leave a core idle while they import, plot or wait, so the
    slow ones overlap with the rest instead of queueing behind them.
    """
    paths = sorted((student_edition / "book").glob("[0-9][0-9]_*.ipynb"),
                   key=lambda path: -stored_run_seconds(ROOT / "book" / path.name))
    with ThreadPoolExecutor(max_workers=2) as pool:
        executed = dict(zip((path.stem for path in paths), pool.map(execute, paths)))
    return executed


def stored_run_seconds(path: Path) -> float:
    """How long the stored run of a notebook took, from the execution times nbclient records per cell."""
    from datetime import datetime

    total = 0.0
    for cell in read(path)["cells"]:
        times = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in times and "shell.execute_reply" in times:
            start, end = (datetime.fromisoformat(times[key].replace("Z", "+00:00"))
                          for key in ("iopub.execute_input", "shell.execute_reply"))
            total += (end - start).total_seconds()
    return total


def execute(path: Path):
    """Run a notebook top to bottom in a fresh kernel, from its own folder, errors kept as outputs.

    nbclient runs in a thread of its own: its event loop must not stay behind in the main thread,
    where Playwright's synchronous API (the browser tests) refuses to run inside an asyncio loop.
    """
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=900, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    def run() -> None:
        loop = asyncio.new_event_loop()
        try:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(client.async_execute())
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    with ThreadPoolExecutor(max_workers=1) as pool:  # a thread of its own, with its own event loop
        pool.submit(run).result()
    return notebook


@pytest.mark.book  # builds or executes a classroom edition
@chapter
def test_student_notebook_runs_and_each_check_says_not_yet(executed_student_notebooks, path):
    notebook = executed_student_notebooks[path.stem]
    errors = [
        f"{text_of(c)[:120]!r}: {o.get('ename')}: {o.get('evalue', '')[:200]}"
        for c in notebook["cells"] if c["cell_type"] == "code"
        and "raises-exception" not in c.get("metadata", {}).get("tags", [])
        for o in c.get("outputs", []) if o["output_type"] == "error"
    ]
    assert not errors, "the student edition fails where the teacher's runs (did a later cell need a " \
                       "solution?):\n" + "\n".join(errors)
    exercises_at = next(i for i, c in enumerate(notebook["cells"])
                        if c["cell_type"] == "markdown" and "## Exercises" in text_of(c))
    turns = [c for c in notebook["cells"][exercises_at:] if c["cell_type"] == "code"
             and re.search(r"\bcheck(?:_value|_array)?\(", text_of(c))]
    assert turns, "no 'your turn' check in the exercises"
    for cell in turns:
        shown = outputs_of(cell).strip()
        assert shown.startswith("Not yet"), f"{text_of(cell)[:100]!r} printed {shown[:200]!r}"


# --- nbgrader ---------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def assignments(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("assignments") / "course"
    write_assignments(ROOT, out)
    return out


def _nbgrader_student_version(source: Path):
    """nbgrader's own preprocessors, in generate_assignment's order, on one source notebook."""
    import nbformat
    from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, ClearSolutions, ComputeChecksums,
                                        LockCells)

    notebook = nbformat.read(source, as_version=4)
    resources = {}
    for preprocessor in (CheckCellMetadata(), ClearSolutions(), ClearOutput(), LockCells(), ComputeChecksums()):
        preprocessor.enabled = True
        notebook, resources = preprocessor.preprocess(notebook, resources)
    return notebook


@pytest.mark.book  # builds or executes a classroom edition
@chapter
def test_nbgrader_release_holds_no_solution(assignments, all_snippets, path):
    source = assignments / "source" / path.stem / path.name
    release = _nbgrader_student_version(source)
    text = squash("\n".join(text_of(c) + outputs_of(c) for c in release["cells"]))
    assert "BEGINSOLUTION" not in text and "raiseNotImplementedError()" in text
    hits = [line for line in all_snippets[path.stem] if line in text]
    # A check line may quote an expression that also states the answer (e.g. a recomputation with
    # scikit-learn); the answer code itself (the lines between the markers) must be gone.
    answers = {squash(line) for c in read(source)["cells"] if "### BEGIN SOLUTION" in text_of(c)
               for line in text_of(c).split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0].splitlines()
               if len(squash(line)) >= MIN_SNIPPET}
    assert not [h for h in hits if h in answers], hits


def graded_checks(notebook: dict) -> list[tuple[str, list[str], str]]:
    """For each solution with check calls: its label, the checks, and the stored output of its code."""
    found = []
    for label, start, end in solution_blocks(notebook):
        code = [c for c in notebook["cells"][start + 1:end] if c["cell_type"] == "code"]
        checks = [line for c in code for line in text_of(c).splitlines()
                  if re.match(r"^(?:check|check_value|check_array)\(", line)]
        if checks:
            found.append((label, checks, "".join(outputs_of(c) for c in code)))
    return found


@chapter
def test_every_graded_check_says_correct_in_the_teachers_notebook(path):
    """What nbgrader would grade, read from the teacher's notebook, whose outputs nbval re-executes and
    compares in the same `make test`: each solution's checks print one verdict each, all "Correct".
    The graded test cell of the assignment runs exactly these checks after the same answer code."""
    checked = graded_checks(read(path))
    assert checked, "no exercise with an automatic check"
    for label, checks, shown in checked:
        verdicts = [line for line in shown.splitlines() if line.startswith(("Correct", "Not yet"))]
        assert len(verdicts) >= len(checks), f"{label}: {len(checks)} checks, verdicts {verdicts}"
        assert all(v.startswith("Correct") for v in verdicts), f"{label}: {verdicts}"


def test_graded_checks_reads_the_verdicts_of_a_solution():
    notebook = {"cells": [_md("```{solution-start} ex1\n```"),
                          _code("answer = 2\ncheck_value(answer, 2)", "Correct: answer = 2.\n"),
                          _md("```{solution-end}\n```")]}
    ((label, checks, shown),) = graded_checks(notebook)
    assert (label, checks, shown.strip()) == ("ex1", ["check_value(answer, 2)"], "Correct: answer = 2.")


# The whole nbgrader round trip (generated source notebook, nbgrader's metadata, the graded test cells
# executed in a fresh kernel, nbgrader's own grade) on the first chapter: the other chapters' graded
# checks are read from their verified outputs above instead of executing every chapter a third time.
@pytest.mark.book  # builds or executes a classroom edition
def test_grading_the_teachers_version_scores_full_marks(assignments):
    from nbgrader.utils import determine_grade

    path = CHAPTERS[0]
    source = assignments / "source" / path.stem / path.name
    notebook = execute(source)
    # Autograded tests only: an exercise without a check is a manually graded answer cell.
    scores = [determine_grade(c) for c in notebook.cells
              if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata["nbgrader"]["solution"]]
    failing = [f"{c.metadata.get('nbgrader', {}).get('grade_id', text_of(c)[:60])}: {o['ename']}: "
               f"{o['evalue'][:200]}" for c in notebook.cells if c["cell_type"] == "code"
               for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert len(scores) == len(graded_checks(read(path))), "one graded test cell per checked solution"
    assert sum(s for s, _ in scores if s is not None) == sum(m for _, m in scores), "\n".join(failing)
