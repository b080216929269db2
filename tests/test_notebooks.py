"""The stored chapter notebooks follow the book's conventions (CONVENTIONS.md).

nbval proves the stored outputs are what the code produces; these checks prove the notebooks were run
top to bottom, keep nbval's ignores rare, and end with a summary and exercises that have solutions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

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


pytestmark = pytest.mark.skipif(not NOTEBOOKS, reason="no chapter notebooks yet")
chapter = pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])


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
    exercises = re.findall(r"```\{exercise\}[^\n]*\n:label: *([\w-]+)", text)
    solutions = re.findall(r"```\{solution-start\} *([\w-]+)", text)
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


@chapter
def test_glued_names_are_glued_in_the_notebook(path):
    nb = load(path)
    used = set(re.findall(r"\{glue(?::\w+)?\}`([\w.-]+)", markdown(nb)))
    used = {name.split(":")[0] for name in used}
    code = "\n".join(source(c) for c in code_cells(nb))
    # glue("name", ...) or glue(f"name_{average}", ...): an f-string field matches any text.
    names = re.findall(r"glue\(\s*f?[\"']([^\"']+)[\"']", code)
    patterns = [re.compile(re.sub(r"\\\{[^}]*\\\}", ".+", re.escape(name))) for name in names]
    missing = sorted(name for name in used if not any(p.fullmatch(name) for p in patterns))
    assert not missing, f"glue references with no glue() call: {missing}"
