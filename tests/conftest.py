"""Hypothesis profiles for the unit tests (the notebook set-up lives in the root conftest.py).

In CI (``CI`` set, as ``.ci/run`` does) the property tests are derandomized: the same examples on
every run, so a red CI is reproducible and a green one cannot be luck; no example database is
written. Locally they stay random, so new edge cases keep being explored.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
