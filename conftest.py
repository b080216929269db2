"""Test-suite set-up shared by the unit tests and nbval's notebook runs."""

import os
import shutil
import tempfile
from pathlib import Path

OFFLINE = Path(__file__).parent / "tests" / "offline.py"


def pytest_configure(config):
    # Every kernel nbval starts inherits this environment: a fresh IPython directory whose start-up
    # file refuses network connections, so the notebooks are executed offline (and without any
    # start-up files of the learner's own).
    ipython_dir = Path(tempfile.mkdtemp(prefix="mlc-ipython-"))
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    # run_path keeps the guard's own names out of the notebook's namespace.
    (startup / "00-offline.py").write_text(f"__import__('runpy').run_path({str(OFFLINE)!r})\n")
    os.environ["IPYTHONDIR"] = str(ipython_dir)
    config._mlc_ipython_dir = ipython_dir


def pytest_unconfigure(config):
    ipython_dir = getattr(config, "_mlc_ipython_dir", None)
    if ipython_dir is not None:
        shutil.rmtree(ipython_dir, ignore_errors=True)
