"""Import TensorFlow and Keras without their start-up log lines.

TensorFlow 2.21 writes several lines to the process's stderr while it loads (oneDNN notices, "Could not
find cuda drivers", absl's "All log messages before absl::InitializeLog()"), and no longer honours
``TF_CPP_MIN_LOG_LEVEL`` for them. In a notebook they land in the stored outputs, with timestamps and
process ids that differ on every run. ``models`` and ``training`` import TensorFlow through this module,
which points file descriptor 2 at ``/dev/null`` for the duration of the first import only; errors raised
by the import itself are still raised normally.
"""

from __future__ import annotations

import os
import sys

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

__all__ = ["tf", "keras"]
