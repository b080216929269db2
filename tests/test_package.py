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


def _excerpt_fixture(
    values,  # a comment inside the signature
    mapping={"k":
             1},
):  # a comment after the colon
    """Sum the values.

    return value: the sum (a docstring line that begins like the start text)
    """
    if not values:
        raise ValueError("values")
    total = sum(values)
    return total


def _docstring_only(x):
    """Doc."""
    return x


def _plain(x):
    y = x + 1
    return y


class _Fields:
    """A class."""

    size: int = 3
    name: str = "x"

    def twice(self):
        return 2 * self.size


def _shown(capsys, obj, **kwargs):
    mlc_utils.show_source(obj, **kwargs)
    return capsys.readouterr().out.rstrip()


def test_show_source_from_a_line_keeps_a_whole_signature_and_skips_the_docstring(capsys):
    assert _shown(capsys, _excerpt_fixture, start="return", note="two lines\nof note") == "\n".join([
        "def _excerpt_fixture(",
        "    values,  # a comment inside the signature",
        '    mapping={"k":',
        "             1},",
        "):  # a comment after the colon",
        "    ...  # docstring and argument checks left out;",
        "         # two lines",
        "         # of note",
        "    return total",
    ])


def test_show_source_from_a_line_says_only_what_it_left_out(capsys):
    assert _shown(capsys, _docstring_only, start="return") == (
        "def _docstring_only(x):\n    ...  # docstring left out\n    return x")
    assert _shown(capsys, _plain, start="return") == "def _plain(x):\n    ...  # argument checks left out\n    return y"
    assert _shown(capsys, _plain, start="y =") == "def _plain(x):\n    y = x + 1\n    return y"
    assert _shown(capsys, _plain, start="y =", note="a note") == (
        "def _plain(x):\n    # a note\n    y = x + 1\n    return y")
    assert _shown(capsys, _Fields, start="def twice") == "\n".join([
        "class _Fields:", "    ...  # docstring and 2 lines left out", "    def twice(self):",
        "        return 2 * self.size"])
    with pytest.raises(ValueError, match="begins with 'sum'"):  # "total = sum(values)" only contains it
        mlc_utils.show_source(_excerpt_fixture, start="sum")


def test_show_source_from_a_line_shows_the_books_listing(capsys):
    from mlc_utils.thresholds import tuned_minus_half

    lines = _shown(capsys, tuned_minus_half, start="rng, half =").splitlines()
    assert lines[0].startswith("def tuned_minus_half(") and lines[0].endswith(":")
    assert lines[1] == "    ...  # docstring and argument checks left out"
    assert lines[2].startswith("    rng, half =") and lines[-1].startswith("    return corrected_resampled_ttest(")


@pytest.mark.parametrize("obj, start, note, error, message", [
    ("cooccurrence", "no such line", "", ValueError, "start: no line of cooccurrence's body .* begins with"),
    ("cooccurrence", "Entry", "", ValueError, "after its docstring"),  # a line of the docstring only
    ("one_line", "return", "", ValueError, "start: one_line is defined on one line"),
    ("cooccurrence", "", "", TypeError, "start"),
    ("cooccurrence", 3, "", TypeError, "start"),
    ("cooccurrence", "return", 3, TypeError, "note"),
])
def test_show_source_refuses_a_start_it_cannot_find_and_bad_types(obj, start, note, error, message):
    from mlc_utils.labels import cooccurrence

    def one_line(x): return x  # noqa: E704

    with pytest.raises(error, match=message):
        mlc_utils.show_source({"cooccurrence": cooccurrence, "one_line": one_line}[obj], start=start, note=note)


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
