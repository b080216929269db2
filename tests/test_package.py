"""The package as a whole: its modules import one way down, importing the light modules does not
import TensorFlow, and the two helpers of ``mlc_utils/__init__.py`` (``show_source``, ``say``)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import mlc_utils

PACKAGE = Path(mlc_utils.__file__).resolve().parent

# The house, floor by floor (DESIGN.md, "The package"): a module may import only from floors below
# its own. Ground: the package's face and the private helpers every module may use.
FLOORS = {
    "mlc_utils": 0, "_validation": 0, "_counting": 0, "_tensorflow": 0,
    "data": 1, "labels": 1, "metrics": 1, "losses": 1, "stats": 1, "files": 1,
    "models": 2,
    "training": 3, "thresholds": 3, "plotting": 3, "inference": 3, "calibration": 3, "explain": 3,
    "cache": 4, "exercises": 4,
}


def package_imports(path):
    """The package modules that the file at ``path`` imports, anywhere in it (inside functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module] if node.module else [alias.name for alias in node.names]
            found |= {name or "mlc_utils" for name in names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mlc_utils"):
            found.add(node.module.partition(".")[2] or "mlc_utils")
        elif isinstance(node, ast.Import):
            found |= {a.name.partition(".")[2] or "mlc_utils" for a in node.names if a.name.startswith("mlc_utils")}
    return found


def test_every_module_has_a_floor_and_imports_only_from_below():
    modules = {path.stem if path.stem != "__init__" else "mlc_utils": path for path in PACKAGE.glob("*.py")}
    assert set(modules) == set(FLOORS), "a module was added or removed: give it its floor in FLOORS"
    upward = [f"{name} -> {used}" for name, path in modules.items() for used in sorted(package_imports(path))
              if used != "mlc_utils" and FLOORS[used] >= FLOORS[name]]
    assert upward == []  # no import sideways or up, so no cycle either


def test_the_floor_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from .training import set_seed\n    from . import labels\n")
    assert package_imports(module) == {"training", "labels"}


def test_light_modules_do_not_import_tensorflow():
    code = (
        "import sys\n"
        "import mlc_utils, mlc_utils.data, mlc_utils.labels, mlc_utils.metrics, mlc_utils.thresholds\n"
        "import mlc_utils.plotting, mlc_utils.exercises, mlc_utils._counting, mlc_utils._validation\n"
        "import mlc_utils.inference, mlc_utils.stats, mlc_utils.files\n"
        "heavy = sorted(m for m in ('tensorflow', 'keras') if m in sys.modules)\n"
        "print(','.join(heavy) or 'none')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "none"


def test_version_is_a_string():
    assert isinstance(mlc_utils.__version__, str) and mlc_utils.__version__.count(".") == 2


def test_show_source_displays_the_code(capsys):
    from mlc_utils.labels import cooccurrence

    mlc_utils.show_source(cooccurrence)
    out = capsys.readouterr().out
    assert out.startswith("def cooccurrence(")
    assert "return Y.T @ Y" in out


def test_show_source_markdown_is_a_python_code_block():
    from mlc_utils import _Source

    source = _Source("def f():\n    return 1")
    assert source._repr_markdown_() == "```python\ndef f():\n    return 1\n```"
    assert repr(source) == "def f():\n    return 1"


def test_show_source_from_a_line_shows_the_signature_a_gap_and_the_body_from_there(capsys):
    from mlc_utils.thresholds import tuned_minus_half

    mlc_utils.show_source(tuned_minus_half, start="rng, half =", note="two lines\nof note")
    lines = capsys.readouterr().out.rstrip().splitlines()
    assert lines[0].startswith("def tuned_minus_half(") and lines[0].endswith(":")
    assert lines[1:4] == ["    ...  # docstring and argument checks left out;", "         # two lines",
                          "         # of note"]
    assert lines[4].strip().startswith("rng, half =") and lines[-1].strip().startswith("return ")
    assert not any('"""' in line or "check_int" in line for line in lines)


def test_show_source_without_a_note_ends_the_gap_line_without_a_semicolon(capsys):
    from mlc_utils.labels import cooccurrence

    mlc_utils.show_source(cooccurrence, start="return")
    lines = capsys.readouterr().out.rstrip().splitlines()
    assert lines[1] == "    ...  # docstring and argument checks left out" and lines[2].strip() == "return Y.T @ Y"


@pytest.mark.parametrize("start, note, error, message", [
    ("no such line", "", ValueError, "start: no line of cooccurrence's body begins with"),
    ("", "", TypeError, "start"),
    (3, "", TypeError, "start"),
    ("return", 3, TypeError, "note"),
])
def test_show_source_refuses_a_start_it_cannot_find_and_bad_types(start, note, error, message):
    from mlc_utils.labels import cooccurrence

    with pytest.raises(error, match=message):
        mlc_utils.show_source(cooccurrence, start=start, note=note)


def test_show_source_rejects_objects_without_source():
    with pytest.raises(TypeError, match="obj"):
        mlc_utils.show_source(len)


def test_say_displays_markdown_whose_plain_text_is_the_sentence():
    from IPython.core.formatters import DisplayFormatter

    shown = []
    import IPython.display

    original = IPython.display.display
    IPython.display.display = shown.append
    try:
        mlc_utils.say("  A micro-F1 of **0.873**.  ")
    finally:
        IPython.display.display = original
    (sentence,) = shown
    data, _ = DisplayFormatter().format(sentence)
    assert data["text/markdown"] == "A micro-F1 of **0.873**."
    assert data["text/plain"] == "A micro-F1 of **0.873**."


@pytest.mark.parametrize("bad, error", [(0.873, TypeError), (None, TypeError), ("   ", ValueError)])
def test_say_refuses_what_is_not_a_sentence(bad, error):
    with pytest.raises(error, match="text"):
        mlc_utils.say(bad)


def test_the_counting_module_imports_only_numpy():
    # The ground floor: every module of the package may import it, so it imports nothing of theirs.
    tree = ast.parse((PACKAGE / "_counting.py").read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__", "typing", "numpy"}, imported
