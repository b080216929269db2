"""The classroom editions of the book: a student edition with no answer in it, and nbgrader assignments.

The teacher's edition is the book itself: every exercise is followed by a "your turn" cell that runs
an automatic check, then by a gated solution between a ``{solution-start}`` and a ``{solution-end}``
Markdown cell. From it this module makes

* the **student edition** (``make student``): the same notebooks with every solution block removed
  (the marker cells and every cell between them, not hidden) and the exercise cells' outputs cleared,
  plus the book's configuration, so that Jupyter Book builds an HTML edition whose pages, ``_sources``
  and download buttons hold no solution, and whose launch buttons are off (they would open the
  teacher's notebooks);
* **nbgrader source notebooks** (``make assignments``): each solution becomes an autograded answer cell
  between ``### BEGIN SOLUTION`` and ``### END SOLUTION``, and each exercise's check becomes a test cell
  that fails unless the check says "Correct"; nbgrader's own ``generate_assignment`` turns them into
  the students' version.

Command line (``make student``, ``make assignments``): ``python tools/classroom.py student OUT`` or
``python tools/classroom.py assignments OUT``; the book is the repository this file lives in. A build
tool, not part of the learners' package: it needs PyYAML (installed with Jupyter Book, the ``book``
extra). The graded test cells call ``mlc_utils.exercises.graded``, which learners do have.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import shutil
import sys
import textwrap
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "solution_blocks",
    "student_notebook",
    "assignment_notebook",
    "write_student_edition",
    "write_assignments",
]

ROOT = Path(__file__).resolve().parents[1]  # the book's repository
_START = re.compile(r"\{solution-start\}\s*([\w-]+)")
_END = re.compile(r"\{solution-end\}")
_CHECK_LINE = re.compile(r"^\s*(?:check|check_value|check_array)\(")


def _text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _check_notebook(notebook: Any) -> dict:
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise TypeError("notebook: expected a notebook as a dict with a 'cells' list (json.load of an .ipynb)")
    return notebook


def solution_blocks(notebook: dict) -> list[tuple[str, int, int]]:
    """The gated solutions of a notebook: ``(label, start, end)`` with the indices of the marker cells.

    Raises ``ValueError`` if a ``{solution-start}`` has no matching ``{solution-end}``, if blocks nest,
    or if an end marker has no start: a student edition made from such a notebook could leak an answer.
    """
    cells = _check_notebook(notebook)["cells"]
    blocks, open_block = [], None
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown":
            continue
        text = _text(cell)
        start, end = _START.search(text), _END.search(text)
        if start and end:
            raise ValueError(f"notebook: cell {index} holds both solution markers; give each its own cell")
        if start:
            if open_block is not None:
                raise ValueError(f"notebook: solution {start.group(1)!r} starts inside {open_block[0]!r}")
            open_block = (start.group(1), index)
        elif end:
            if open_block is None:
                raise ValueError(f"notebook: cell {index} ends a solution that never started")
            blocks.append((open_block[0], open_block[1], index))
            open_block = None
    if open_block is not None:
        raise ValueError(f"notebook: solution {open_block[0]!r} has no {{solution-end}}")
    return blocks


def _exercise_section_start(cells: list[dict]) -> int:
    for index, cell in enumerate(cells):
        if cell.get("cell_type") == "markdown" and re.search(r"^## Exercises\s*$", _text(cell), re.M):
            return index
    return len(cells)


def student_notebook(notebook: dict) -> dict:
    """A copy of ``notebook`` with every solution block removed and the exercise cells' outputs cleared."""
    notebook = copy.deepcopy(_check_notebook(notebook))
    remove = {i for _, start, end in solution_blocks(notebook) for i in range(start, end + 1)}
    exercises_from = _exercise_section_start(notebook["cells"])
    cells = []
    for index, cell in enumerate(notebook["cells"]):
        if index in remove:
            continue
        if cell.get("cell_type") == "code" and index > exercises_from:
            cell["outputs"], cell["execution_count"] = [], None
        cells.append(cell)
    notebook["cells"] = cells
    return notebook


def _split_checks(code: str) -> tuple[str, list[str]]:
    """Split solution code into the answer and the top-level check calls (whole statements)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:  # IPython magics: fall back to whole lines
        lines = code.splitlines()
        return ("\n".join(line for line in lines if not _CHECK_LINE.match(line)).strip(),
                [line.strip() for line in lines if _CHECK_LINE.match(line)])
    lines = code.splitlines()
    check_lines: set[int] = set()
    checks = []
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in {
                "check", "check_value", "check_array"}:
            checks.append(ast.get_source_segment(code, node))
            check_lines.update(range(node.lineno - 1, node.end_lineno))
    answer = "\n".join(line for i, line in enumerate(lines) if i not in check_lines).strip()
    return answer, checks


def _turn_context(code: str) -> str:
    """A "your turn" cell without its placeholders (``answer = ...``) and its check calls."""
    def placeholder(line: str) -> bool:
        return bool(re.match(r"^\s*[\w, ]+=\s*\.\.\.\s*(#.*)?$", line)) or bool(_CHECK_LINE.match(line))

    try:
        tree = ast.parse(code)
    except SyntaxError:  # IPython magics: fall back to whole lines
        return "\n".join(line for line in code.splitlines() if not placeholder(line))
    kept = []
    for node in tree.body:
        value = getattr(node, "value", None)
        is_check = isinstance(node, ast.Expr) and isinstance(value, ast.Call) and isinstance(
            value.func, ast.Name) and value.func.id in {"check", "check_value", "check_array"}
        is_placeholder = isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(
            value, ast.Constant) and value.value is Ellipsis
        if not (is_check or is_placeholder):
            kept.append(ast.get_source_segment(code, node))
    return "\n".join(kept)


def _nbgrader(grade_id: str, *, solution: bool, grade: bool, points: int = 0) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return meta


def assignment_notebook(notebook: dict) -> dict:
    """An nbgrader source notebook: each solution becomes an answer region plus a graded test cell.

    The solution's code cells become one autograded answer cell whose code (the check calls left out)
    sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION``; the check calls become a test cell,
    worth one point, that raises unless every check prints "Correct". The "your turn" cells are replaced
    by the answer cell, which keeps what they set up (inputs, imports) in front of its answer region;
    solution prose is left to the teacher's edition. Exercises with
    no check keep their solution as a manually graded answer cell.
    """
    notebook = copy.deepcopy(_check_notebook(notebook))
    cells, blocks = notebook["cells"], solution_blocks(notebook)
    by_start = {start: (label, end) for label, start, end in blocks}
    exercises_from = _exercise_section_start(cells)
    out, index, pending_turn = [], 0, []
    while index < len(cells):
        cell = cells[index]
        if index in by_start:
            label, end = by_start[index]
            code = "\n\n".join(_text(c) for c in cells[index + 1:end] if c.get("cell_type") == "code")
            answer, checks = _split_checks(code)
            # What the "your turn" cells set up (inputs, imports) stays, in front of the answer region.
            context = "\n".join(_turn_context(_text(c)) for c in pending_turn).strip()
            body = "\n".join([*([context, ""] if context else []),
                              "### BEGIN SOLUTION", answer, "### END SOLUTION"])
            graded_answer = bool(checks)
            out.append({"cell_type": "code", "id": f"{label}-answer"[:64], "execution_count": None,
                        "outputs": [], "source": body,
                        "metadata": {"nbgrader": _nbgrader(f"{label}-answer", solution=True,
                                                           grade=not graded_answer, points=1)}})
            if graded_answer:
                test = "from mlc_utils.exercises import graded\n\nwith graded():\n" + textwrap.indent(
                    "\n".join(checks), "    ")
                out.append({"cell_type": "code", "id": f"{label}-check"[:64], "execution_count": None,
                            "outputs": [], "source": test,
                            "metadata": {"nbgrader": _nbgrader(f"{label}-check", solution=False,
                                                               grade=True, points=1)}})
            pending_turn = []
            index = end + 1
            continue
        if index > exercises_from and cell.get("cell_type") == "code" and any(
                _CHECK_LINE.match(line) for line in _text(cell).splitlines()):
            pending_turn.append(cell)  # a "your turn" cell: the answer cell takes its place
            index += 1
            continue
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        out.append(cell)
        index += 1
    notebook["cells"] = out
    return notebook


def _chapters(root: Path) -> list[Path]:
    chapters = sorted((root / "book").glob("[0-9][0-9]_*.ipynb"))
    if not chapters:
        raise ValueError(f"root: no chapter notebooks under {root.name}/book")
    return chapters


def _check_out(root: Path, out: Path) -> None:
    # `out` is replaced: refuse anything whose removal would delete the book itself.
    if out == root or out in root.parents or out == root / "book" or root / "book" in out.parents:
        raise ValueError(f"out: must be a folder outside the book's sources, got {out.name!r}")


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _write(path: Path, notebook: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def write_student_edition(root: str | Path, out: str | Path) -> list[Path]:
    """Write the student edition of the book at ``root`` into ``out`` (replaced); return its notebooks.

    ``out`` receives the student notebooks, the other pages and assets of ``book/``, and a copy of
    ``_config.yml``/``_toc.yml`` with the title marked as the student edition and the launch and
    repository buttons off, so ``jupyter-book build out`` makes the student HTML book.
    """
    root, out = Path(root).resolve(), Path(out).resolve()
    _check_out(root, out)
    chapters = _chapters(root)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(root / "book", out / "book",
                    ignore=shutil.ignore_patterns("[0-9][0-9]_*.ipynb", "_build", ".ipynb_checkpoints",
                                                  "__pycache__"))
    written = []
    for chapter in chapters:
        target = out / "book" / chapter.name
        _write(target, student_notebook(_read(chapter)))
        written.append(target)
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = f"{config['title']} (student edition)"
    config.pop("launch_buttons", None)
    html = config.setdefault("html", {})
    html.update(use_repository_button=False, use_issues_button=False, use_edit_page_button=False)
    (out / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
                                     encoding="utf-8")
    shutil.copy2(root / "_toc.yml", out / "_toc.yml")
    return written


def write_assignments(root: str | Path, out: str | Path) -> list[Path]:
    """Write one nbgrader source notebook per chapter into ``out/source/<chapter>/`` (replaced).

    That is nbgrader's course layout: ``nbgrader generate_assignment <chapter>`` run in ``out`` makes
    the students' version in ``out/release/<chapter>/``.
    """
    root, out = Path(root).resolve(), Path(out).resolve()
    _check_out(root, out)
    chapters = _chapters(root)
    if out.exists():
        shutil.rmtree(out)
    written = []
    for chapter in chapters:
        target = out / "source" / chapter.stem / chapter.name
        _write(target, assignment_notebook(_read(chapter)))
        images = root / "book" / "images"
        if images.is_dir():
            shutil.copytree(images, target.parent / "images")
        written.append(target)
    (out / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821 (nbgrader's configuration object)\n"
        "c.ClearSolutions.code_stub = {'python': '# YOUR CODE HERE\\nraise NotImplementedError()'}\n",
        encoding="utf-8",
    )
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] not in {"student", "assignments"}:
        print("usage: python tools/classroom.py {student|assignments} OUT", file=sys.stderr)
        return 2
    writer = write_student_edition if argv[0] == "student" else write_assignments
    written = writer(ROOT, argv[1])
    print(f"{len(written)} notebooks written to {argv[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
