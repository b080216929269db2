"""Test-suite set-up shared by the unit tests and nbval's notebook runs: notebooks run offline.

Every kernel nbval starts gets a fresh IPython directory whose start-up file loads the socket guard of
``tools/offline.py`` (and no start-up files of the learner's own). Where Linux allows it, the kernel
also runs in a network namespace with only loopback (``unshare``), so that nothing at all can leave;
it then talks to pytest over Unix-domain sockets (ZeroMQ ``ipc``) instead of loopback TCP. The
report header says which of the two is in force.
"""

import importlib.util
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

OFFLINE = Path(__file__).parent / "tools" / "offline.py"


def _load_offline():
    # Loaded as a plain module: its guard is installed only in the kernels, never in pytest itself.
    spec = importlib.util.spec_from_file_location("mlc_offline", OFFLINE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


offline = _load_offline()


def _namespaced_kernel_manager(base, prefix, ipc_dir):
    """A KernelManager whose kernels start inside a loopback-only network namespace."""

    class NamespacedKernelManager(base):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("transport", "ipc")
            # An absolute, short path for the Unix sockets, the same for pytest and the kernel.
            kwargs.setdefault("ip", os.path.join(ipc_dir, uuid.uuid4().hex[:12]))
            super().__init__(*args, **kwargs)

        def format_kernel_cmd(self, extra_arguments=None):
            command = super().format_kernel_cmd(extra_arguments)
            return [*prefix, sys.executable, str(OFFLINE), "inside", "--", *command]

    return NamespacedKernelManager


def pytest_configure(config):
    ipython_dir = offline.guarded_ipython_dir()
    os.environ["IPYTHONDIR"] = str(ipython_dir)
    config._mlc_cleanup = [ipython_dir]
    prefix, _ = offline.namespace_prefix()
    if prefix is None:
        os.environ[offline.MODE_VARIABLE] = offline.GUARD
        return
    try:
        import nbval.kernel
    except ImportError:  # no nbval: no kernels to isolate
        return
    ipc_dir = Path(tempfile.mkdtemp(prefix="mlc-ipc-"))
    config._mlc_cleanup.append(ipc_dir)
    config._mlc_kernel_manager = nbval.kernel.KernelManager
    nbval.kernel.KernelManager = _namespaced_kernel_manager(nbval.kernel.KernelManager, prefix, str(ipc_dir))
    os.environ.pop(offline.MODE_VARIABLE, None)  # set to "network namespace" inside, by offline.py


def pytest_report_header(config):
    return offline.describe()


def pytest_unconfigure(config):
    original = getattr(config, "_mlc_kernel_manager", None)
    if original is not None:
        import nbval.kernel

        nbval.kernel.KernelManager = original
    for folder in getattr(config, "_mlc_cleanup", []):
        shutil.rmtree(folder, ignore_errors=True)


# --- Tiers: the fast unit tests run first, so a failure shows early (pyproject.toml names the markers) ---
_TIERS = ("slow", "notebook", "book")


def _tier(item) -> int:
    for rank, marker in enumerate(_TIERS, start=1):
        if item.get_closest_marker(marker):
            return rank
    return 0


def pytest_collection_modifyitems(session, config, items):
    import pytest

    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.notebook)
    # A stable sort: inside a tier the collection order stays (nbval's cells stay in notebook order).
    items.sort(key=_tier)


# Hypothesis (appended by the test-policy work of issue 13): derandomized in CI (`CI` set, as
# .ci/run does), so a red run is reproducible and a green one is not luck; random locally.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
_hypothesis_settings.register_profile("dev", print_blob=True)
_hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")
