"""Import TensorFlow and Keras without their start-up log lines.

TensorFlow 2.21 writes several lines to the process's stderr while it loads (oneDNN notices, "Could not
find cuda drivers", absl's "All log messages before absl::InitializeLog()"), and no longer honours
``TF_CPP_MIN_LOG_LEVEL`` for them. In a notebook they land in the stored outputs, with timestamps and
process ids that differ on every run. Every module of the package that needs TensorFlow (``losses``,
``models``, ``training``, ``cache``, and ``inference`` inside its functions) imports it through this
module, which points file descriptor 2 at ``/dev/null`` for the duration of the first import only;
errors raised by the import itself are still raised normally.

``quiet_keras()`` is the one place that silences the warnings Keras raises inside its own code.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _import_quietly():
    if "tensorflow" in sys.modules:
        import keras
        import tensorflow

        return tensorflow, keras
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import keras
            import tensorflow
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    return tensorflow, keras


tf, keras = _import_quietly()

__all__ = ["tf", "keras", "quiet_keras"]

# Keras 3.15 converts variables and tensors with np.array(x, copy=False), which NumPy 2 answers with a
# DeprecationWarning; loading weights that do not fit warns once per layer ("Skipping ...") before it
# raises. Neither is the reader's business: the callers report what went wrong themselves.
_KERAS_NOISE = (
    (DeprecationWarning, r"__array__ implementation doesn't accept a copy keyword"),
    (UserWarning, r"Skipping"),
)


@contextlib.contextmanager
def quiet_keras():
    """Silence, for the ``with`` block, the warnings Keras raises inside its own code (``_KERAS_NOISE``)."""
    with warnings.catch_warnings():
        for category, message in _KERAS_NOISE:
            warnings.filterwarnings("ignore", message=message, category=category)
        yield
