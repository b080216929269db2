"""Importing the light modules must not import TensorFlow; show_source displays a function's code."""

import subprocess
import sys

import pytest

import mlc_utils


def test_light_modules_do_not_import_tensorflow():
    code = (
        "import sys\n"
        "import mlc_utils, mlc_utils.data, mlc_utils.labels, mlc_utils.metrics, mlc_utils.thresholds\n"
        "import mlc_utils.plotting, mlc_utils.exercises\n"
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
