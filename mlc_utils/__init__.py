"""Helpers shared by the chapters of *Multi-Label Classification with Deep Learning*.

One module per concern, imports running one way down (``tests/test_package.py`` holds the floors):
``data``, ``labels``, ``metrics`` and ``losses`` on the private ground (``_validation``,
``_counting``, ``_tensorflow``); ``models`` (architectures) above them; ``training`` (recipes),
``thresholds``, ``plotting`` and ``inference`` above that; ``cache`` (trained models) and
``exercises`` at the top. Importing the package does not import TensorFlow; ``losses``, ``models``,
``training`` and ``cache`` do, and ``data`` and ``inference`` only in the functions that need it.
"""

from __future__ import annotations

import inspect
import textwrap
from typing import Any, Callable

__version__ = "0.1.0"

__all__ = ["__version__", "show_source", "say"]


class _Source:
    """The source of a function, displayed as a Python code block (Markdown) in Jupyter."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.text}\n```"

    def __repr__(self) -> str:  # text/plain: deterministic, no memory address
        return self.text


def show_source(obj: Callable[..., Any] | type, *, start: str | None = None, note: str = "") -> None:
    """Display the source code of a function or class from ``mlc_utils`` (or anywhere).

    In Jupyter the source is rendered as a highlighted Python code block; the ``text/plain``
    representation is the bare source, so stored notebook outputs are deterministic.
    ``start``: show only the signature, a ``...`` line that says what was left out (the docstring,
    and for a function the argument checks before ``start``), then the body from the first line
    after the docstring that begins with ``start``; ``note`` adds comment lines under the ``...``.
    Raises ``TypeError`` if ``obj`` has no retrievable source (a builtin, a number, ...) and
    ``ValueError`` if ``start`` cannot be found in the body of a ``def`` or ``class``.
    """
    try:
        text = inspect.getsource(obj)
    except (TypeError, OSError) as error:
        raise TypeError(
            f"obj: expected a Python function or class with source code, got {type(obj).__name__}"
        ) from error
    if start is not None and (not isinstance(start, str) or not start.strip()):
        raise TypeError(f"start: expected the beginning of a line of the source, got {start!r}")
    if not isinstance(note, str):
        raise TypeError(f"note: expected a string, got {type(note).__name__}")
    text = textwrap.dedent(text).rstrip()
    if start is not None:
        text = _excerpt(text, start.strip(), note, getattr(obj, "__name__", type(obj).__name__))
    source = _Source(text)
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is always there in the book's environment
        print(source.text)
        return
    display(source)


def _excerpt(text: str, start: str, note: str, name: str) -> str:
    """The signature, a line saying what was left out, and the body from the line that begins with start."""
    import ast

    lines = text.splitlines()
    tree = ast.parse(text)
    node = tree.body[0] if tree.body else None
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        raise ValueError(f"start: {name} is not defined with def or class, so it has no body to start in")
    first = node.body[0]
    body = first.lineno - 1  # index of the body's first line: everything above is the signature
    if body <= node.lineno - 1:
        raise ValueError(f"start: {name} is defined on one line; show it whole (no start)")
    docstring = (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                 and isinstance(first.value.value, str))
    after_doc = first.end_lineno if docstring else body
    found = next((i for i in range(after_doc, len(lines)) if lines[i].strip().startswith(start)), None)
    if found is None:
        raise ValueError(f"start: no line of {name}'s body (after its docstring) begins with {start!r}")
    others = [line for line in lines[after_doc:found] if line.strip() and not line.strip().startswith("#")]
    is_class = isinstance(node, ast.ClassDef)
    skipped = (["docstring"] if docstring else []) + (
        [f"{len(others)} line{'s' if len(others) > 1 else ''}" if is_class else "argument checks"] if others else [])
    indent = lines[found][: len(lines[found]) - len(lines[found].lstrip())]
    gap = [f"{indent}...  # {' and '.join(skipped)} left out" + (";" if note else "")] if skipped else []
    gap += [f"{indent}{'     ' if skipped else ''}# {part}" for part in note.splitlines()]
    return "\n".join(lines[:body] + gap + lines[found:])


class _Sentence:
    """Markdown text that renders as prose in Jupyter and in the HTML book."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:  # text/plain: the same words, so nbval compares the sentence itself
        return self.text


def say(text: str) -> None:
    """Display ``text`` (Markdown) as a paragraph of the chapter.

    A sentence that states computed numbers is written as an f-string in the cell that has the
    numbers, so the number is computed once and the reader sees it wherever the notebook is opened:
    the HTML book, JupyterLab, VS Code or Colab (glue names only render in the HTML book).
    Use plain Markdown and ``$math$``; MyST roles such as ``{doc}`` do not render outside the book.
    Raises ``TypeError`` if ``text`` is not a string and ``ValueError`` if it is empty.
    """
    if not isinstance(text, str):
        raise TypeError(f"text: expected a Markdown string, got {type(text).__name__}")
    if not text.strip():
        raise ValueError("text: expected a non-empty Markdown string")
    sentence = _Sentence(text.strip())
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is always there in the book's environment
        print(sentence.text)
        return
    display(sentence)
