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
    ``start``: show only the signature, then ``...`` in place of the docstring and the argument
    checks, then the body from the first line that begins with ``start`` (the lines that carry the
    idea); ``note`` adds a comment to that ``...`` line. Raises ``TypeError`` if ``obj`` has no
    retrievable source (a builtin, a number, ...) and ``ValueError`` if no line begins with ``start``.
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
        lines = text.splitlines()
        end = next(i for i, line in enumerate(lines) if line.rstrip().endswith(":"))  # the signature's end
        first = next((i for i, line in enumerate(lines) if i > end and line.strip().startswith(start.strip())),
                     None)
        if first is None:
            raise ValueError(f"start: no line of {getattr(obj, '__name__', 'obj')}'s body begins with {start!r}")
        gap = ["    ...  # docstring and argument checks left out" + (";" if note else "")]
        gap += [f"         # {part}" for part in note.splitlines()]
        text = "\n".join(lines[: end + 1] + gap + lines[first:])
    source = _Source(text)
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is always there in the book's environment
        print(source.text)
        return
    display(source)


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
