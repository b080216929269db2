"""The notebooks run with no network: the socket guard, the network namespace, and which one is in force.

``conftest.py`` puts nbval's kernels in a loopback-only network namespace where Linux allows it and
loads the socket guard of ``tools/offline.py`` into them everywhere; ``make execute`` runs through
``tools/offline.py run``. These tests prove both layers from the outside.
"""

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # starts kernels and processes, some in a network namespace

ROOT = Path(__file__).resolve().parents[1]
OFFLINE = ROOT / "tools" / "offline.py"

def _load_offline():
    # The helpers of tools/offline.py as a plain module (its guard is installed only in kernels).
    spec = importlib.util.spec_from_file_location("mlc_offline_for_tests", OFFLINE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


offline = _load_offline()

# Runs in a kernel or a child process: tries to leave the machine in every way the guard knows and
# through loopback, and prints one JSON line with what happened.
PROBE = textwrap.dedent(
    """
    import json as _json, os as _os, socket as _s, _socket as _raw

    def _attempt(action):
        try:
            action()
        except (OSError, ValueError) as error:
            return f"refused: {type(error).__name__}: {error}"
        return "reached"

    def _tcp():
        with _s.socket() as sock:
            sock.settimeout(3)
            sock.connect(("192.0.2.1", 80))

    def _udp():
        with _s.socket(_s.AF_INET, _s.SOCK_DGRAM) as sock:
            sock.sendto(b"x", ("192.0.2.1", 53))

    def _udp_flags():
        with _s.socket(_s.AF_INET, _s.SOCK_DGRAM) as sock:
            sock.sendto(b"x", 0, ("192.0.2.1", 53))

    def _udp_sendmsg():
        with _s.socket(_s.AF_INET, _s.SOCK_DGRAM) as sock:
            sock.sendmsg([b"x"], [], 0, ("192.0.2.1", 53))

    def _raw_udp():
        sock = _raw.socket(_raw.AF_INET, _raw.SOCK_DGRAM)
        try:
            sock.sendto(b"x", ("192.0.2.1", 53))
        finally:
            sock.close()

    def _raw_tcp():
        sock = _raw.socket(_raw.AF_INET, _raw.SOCK_STREAM)
        sock.settimeout(3)
        try:
            sock.connect(("192.0.2.1", 80))
        finally:
            sock.close()

    def _loopback():
        with _s.socket() as server, _s.socket() as client:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            client.connect(server.getsockname())
            connection, _ = server.accept()
            client.sendall(b"ping")
            assert connection.recv(4) == b"ping"
            connection.close()
        with _s.socket(_s.AF_INET, _s.SOCK_DGRAM) as receiver, _s.socket(_s.AF_INET, _s.SOCK_DGRAM) as sender:
            receiver.bind(("127.0.0.1", 0))
            sender.sendto(b"pong", receiver.getsockname())
            assert receiver.recv(4) == b"pong"
        assert _s.gethostbyname("localhost").startswith("127.")

    try:
        _netns = _os.readlink("/proc/self/ns/net")
    except OSError:
        _netns = ""
    print(_json.dumps({
        "mode": _os.environ.get("MLC_OFFLINE"),
        "netns": _netns,
        "tcp": _attempt(_tcp),
        "udp": _attempt(_udp),
        "udp_flags": _attempt(_udp_flags),
        "udp_sendmsg": _attempt(_udp_sendmsg),
        "raw_udp": _attempt(_raw_udp),
        "raw_tcp": _attempt(_raw_tcp),
        "connect_ex": _attempt(lambda: _s.socket().connect_ex(("192.0.2.1", 80)) == 0 or _bad()),
        "create_connection": _attempt(lambda: _s.create_connection(("192.0.2.1", 80), timeout=3).close()),
        "gethostbyname": _attempt(lambda: _s.gethostbyname("example.com")),
        "gethostbyname_ex": _attempt(lambda: _s.gethostbyname_ex("example.com")),
        "getaddrinfo": _attempt(lambda: _s.getaddrinfo("example.com", 80)),
        "raw_getaddrinfo": _attempt(lambda: _raw.getaddrinfo("example.com", 80)),
        "loopback": _attempt(_loopback),
    }))
    """
)
OUTWARD = ["tcp", "udp", "udp_flags", "udp_sendmsg", "raw_udp", "raw_tcp", "connect_ex", "create_connection",
           "gethostbyname", "gethostbyname_ex", "getaddrinfo", "raw_getaddrinfo"]
# connect_ex reports failure by its return value: turn "not connected" into an exception.
PROBE = PROBE.replace("import json as _json", "def _bad():\n    raise OSError('connect_ex failed')\n\nimport json as _json")


def probe_result(output: str) -> dict:
    lines = [line for line in output.splitlines() if line.startswith("{")]
    assert lines, output
    return json.loads(lines[-1])


def test_report_says_which_layer_is_in_force(request, record_property):
    """The report header names the layer conftest.py really put in force for nbval's kernels."""
    pytest.importorskip("nbval")
    import nbval.kernel

    headers = request.config.hook.pytest_report_header(config=request.config, start_path=ROOT)
    lines = [line for result in headers for line in ([result] if isinstance(result, str) else result)]
    offline_lines = [line for line in lines if line.startswith("offline:")]
    assert len(offline_lines) == 1, f"the report header should say once which offline layer is in force: {lines}"
    line = offline_lines[0]
    print(line)
    record_property("offline", line)
    # What conftest.py did, read from its effects: kernels started in a namespace, or the guard's mode set.
    namespaced = nbval.kernel.KernelManager.__name__ == "NamespacedKernelManager"
    if namespaced:
        assert line.startswith(f"offline: {offline.NAMESPACE} ("), line
        assert offline.MODE_VARIABLE not in os.environ
    else:
        assert line.startswith(f"offline: {offline.GUARD} only (no network namespace: "), line
        assert os.environ.get(offline.MODE_VARIABLE) == offline.GUARD


def test_the_socket_guard_alone_refuses_everything_but_loopback(tmp_path):
    """The fallback layer, in a plain Python process outside any namespace."""
    script = tmp_path / "probe.py"
    script.write_text(
        f"import runpy\nrunpy.run_path({str(OFFLINE)!r}, run_name={offline.GUARD_RUN_NAME!r})\n" + PROBE
    )
    result = probe_result(subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                                         timeout=120, check=True).stdout)
    for attempt in OUTWARD:
        assert result[attempt].startswith("refused"), (attempt, result[attempt])
        assert offline.MESSAGE in result[attempt], (attempt, result[attempt])
    assert result["loopback"] == "reached"


def run_in_kernel(code: str, timeout: float = 120) -> str:
    """Run ``code`` in a kernel started exactly as nbval starts one; return its printed output."""
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME, start_new_kernel

    km, kc = start_new_kernel(kernel_name=CURRENT_ENV_KERNEL_NAME, cwd=str(ROOT / "book"))
    chunks = []
    try:
        def collect(message):
            if message["msg_type"] == "stream":
                chunks.append(message["content"]["text"])
            elif message["msg_type"] == "error":
                chunks.append("\n".join(message["content"]["traceback"]))

        reply = kc.execute_interactive(code, output_hook=collect, timeout=timeout)
        assert reply["content"]["status"] == "ok", "".join(chunks)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return "".join(chunks)


CHILD = (
    "import subprocess, sys\n"
    "child = subprocess.run([sys.executable, '-c', {probe!r}], capture_output=True, text=True, timeout=120)\n"
    "print('CHILD', child.stdout.strip().splitlines()[-1])\n"
)


def test_a_notebook_kernel_cannot_leave_the_machine_and_can_use_loopback(record_property):
    pytest.importorskip("nbval")
    pytest.importorskip("ipykernel")
    output = run_in_kernel(PROBE + "\n" + CHILD.format(probe=PROBE))
    kernel = probe_result(output.split("CHILD")[0])
    child = json.loads(output.split("CHILD", 1)[1].strip())
    mode = kernel["mode"]
    print(f"kernel offline layer: {mode}")
    record_property("kernel_offline_layer", mode)

    for attempt in OUTWARD:
        assert kernel[attempt].startswith("refused"), (attempt, kernel[attempt])
    assert kernel["loopback"] == "reached"  # ipykernel and the notebooks may use it

    prefix, why = offline.namespace_prefix()
    if prefix is None:
        assert mode == offline.GUARD
        pytest.skip(f"socket guard only (child processes are not covered): {why}")
    # The namespace: the kernel is not in pytest's network, and its children cannot leave either,
    # although they run without the guard.
    assert mode == offline.NAMESPACE
    assert kernel["netns"] and kernel["netns"] != offline.namespace_id()
    assert child["netns"] == kernel["netns"]
    for attempt in ("tcp", "udp", "raw_udp", "raw_tcp", "create_connection"):
        assert child[attempt].startswith("refused") and offline.MESSAGE not in child[attempt], (
            attempt, child[attempt])
    assert child["loopback"] == "reached"


def test_make_execute_runs_offline():
    """``make execute`` runs each notebook through ``tools/offline.py run``."""
    recipe = (ROOT / "Makefile").read_text().split("\nexecute:", 1)[1].split("\n\n", 1)[0]
    assert "tools/offline.py run" in recipe
    result = subprocess.run([sys.executable, str(OFFLINE), "run", "--", sys.executable, "-c", PROBE],
                            capture_output=True, text=True, timeout=120, check=True)
    outcome = probe_result(result.stdout)
    assert outcome["loopback"] == "reached"
    if offline.namespace_prefix()[0] is None:
        assert outcome["mode"] == offline.GUARD  # a plain process: only kernels get the guard
        pytest.skip("socket guard only: " + offline.namespace_prefix()[1])
    assert outcome["mode"] == offline.NAMESPACE and outcome["netns"] != offline.namespace_id()
    for attempt in ("tcp", "udp", "raw_udp", "raw_tcp", "create_connection"):
        assert outcome[attempt].startswith("refused"), (attempt, outcome[attempt])
