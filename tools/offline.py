"""Run the notebooks with no network: a network namespace where Linux allows it, a socket guard elsewhere.

Two layers, used by ``conftest.py`` (nbval's kernels) and the Makefile's ``execute`` target:

1. **Network namespace** (Linux, root or unprivileged user namespaces): the kernel, or the whole
   ``jupyter nbconvert`` of ``make execute``, runs under ``unshare -n`` (``unshare -rn`` when not
   root) in a namespace whose only interface is loopback, brought up by this script. Nothing can
   leave, whatever the code does: UDP, raw ``_socket``, C libraries, ``!pip`` and other child
   processes alike. nbval's kernels talk to pytest (outside the namespace) over Unix-domain sockets
   (ZeroMQ's ``ipc`` transport), which do not depend on the network.
2. **Socket guard** (everywhere, and the only layer where no namespace is possible): loaded into each
   kernel as an IPython start-up file, it refuses TCP and UDP to any non-loopback address
   (``connect``, ``connect_ex``, ``sendto``, ``sendmsg``, also through ``_socket`` used directly)
   and name resolution of non-local names (``getaddrinfo``, ``gethostbyname``,
   ``gethostbyname_ex``, ``gethostbyaddr``). It cannot cover child processes or C extensions.

Command line (``python tests/offline.py ...``):

- ``mode``: print which layer is in force here, and why;
- ``run -- CMD ...``: run CMD offline (in a namespace, else with the guard in a fresh IPython dir);
- ``inside -- CMD ...``: (internal) bring loopback up, then replace this process by CMD.

Loopback stays open in both layers because Jupyter kernels need it (the ``tcp`` transport).
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

MESSAGE = "network access is disabled while the book's tests run"
#: The ``run_name`` under which the IPython start-up file runs this script to install the guard.
GUARD_RUN_NAME = "__mlc_offline_guard__"
#: Set in the environment of whatever runs offline: "network namespace" or "socket guard".
MODE_VARIABLE = "MLC_OFFLINE"
NAMESPACE, GUARD = "network namespace", "socket guard"
THIS = Path(__file__).resolve()
# TEST-NET-1 (RFC 5737): an address that belongs to nobody, used to prove nothing leaves.
UNREACHABLE = "192.0.2.1"


# ------------------------------------------------------------------------------------------------
# Layer 2: the socket guard
# ------------------------------------------------------------------------------------------------


def is_loopback(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host)
    if host.lower() in ("localhost", "localhost.", "ip6-localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:  # a host name: only localhost is local
        return False


def install_guard() -> None:
    """Patch ``socket`` and ``_socket`` so that nothing but loopback can be reached or resolved."""
    import _socket

    if getattr(socket, "_mlc_offline_guard", False):
        return
    inet = (socket.AF_INET, socket.AF_INET6)

    def check(sock, address) -> None:
        if sock.family in inet and isinstance(address, tuple) and address and not is_loopback(address[0]):
            raise ConnectionRefusedError(f"{MESSAGE}: refused {address!r}")

    def check_name(host) -> None:
        if host is not None and not is_loopback(host):
            raise socket.gaierror(f"{MESSAGE}: refused to resolve {host!r}")

    def guard_methods(cls, base):
        connect, connect_ex, sendto, sendmsg = base.connect, base.connect_ex, base.sendto, base.sendmsg

        def guarded_connect(self, address):
            check(self, address)
            return connect(self, address)

        def guarded_connect_ex(self, address):
            check(self, address)
            return connect_ex(self, address)

        def guarded_sendto(self, data, *args):
            check(self, args[-1] if args else None)  # sendto(data, address) or (data, flags, address)
            return sendto(self, data, *args)

        def guarded_sendmsg(self, buffers, *args):
            if len(args) >= 3:  # sendmsg(buffers, ancdata, flags, address)
                check(self, args[2])
            return sendmsg(self, buffers, *args)

        cls.connect, cls.connect_ex = guarded_connect, guarded_connect_ex
        cls.sendto, cls.sendmsg = guarded_sendto, guarded_sendmsg

    # socket.socket is a Python class: patch it in place (every socket made through `socket`).
    guard_methods(socket.socket, _socket.socket)

    # _socket.socket is a C type: `_socket.socket(...)` used directly gets a guarded subclass.
    class GuardedRawSocket(_socket.socket):
        __slots__ = ()

    guard_methods(GuardedRawSocket, _socket.socket)
    _socket.socket = _socket.SocketType = GuardedRawSocket

    def resolver(original, name_index=0):
        def guarded(*args, **kwargs):
            check_name(args[name_index] if len(args) > name_index else kwargs.get("host"))
            return original(*args, **kwargs)

        return guarded

    for module in (socket, _socket):
        for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
            setattr(module, name, resolver(getattr(module, name)))
    socket._mlc_offline_guard = True


# ------------------------------------------------------------------------------------------------
# Layer 1: a network namespace with only loopback
# ------------------------------------------------------------------------------------------------


def loopback_up() -> None:
    """Bring ``lo`` up in the current network namespace (a new one starts with it down)."""
    import fcntl
    import struct

    SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        if not flags & IFF_UP:
            fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | IFF_UP))


def namespace_id() -> str:
    """The current network namespace (``net:[inode]``), or "" where /proc does not say."""
    try:
        return os.readlink("/proc/self/ns/net")
    except OSError:
        return ""


def _candidates() -> list[list[str]]:
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return [[unshare, "--net"], [unshare, "--map-root-user", "--net"]]
    return [[unshare, "--map-root-user", "--net"]]


_PROBED: tuple[list[str] | None, str] | None = None


def namespace_prefix() -> tuple[list[str] | None, str]:
    """The command prefix that runs a program in a loopback-only network namespace, and a reason.

    Tries ``unshare --net`` (root) and ``unshare --map-root-user --net`` (unprivileged user
    namespaces) with a probe that checks, inside, that loopback works and that an outside address is
    unreachable. Returns ``(None, why)`` where neither works (not Linux, no ``unshare``, user
    namespaces disabled, a container that forbids them...).
    """
    global _PROBED
    if _PROBED is not None:
        return _PROBED
    if not sys.platform.startswith("linux"):
        _PROBED = (None, f"no network namespaces on {sys.platform}")
        return _PROBED
    candidates = _candidates()
    if not candidates:
        _PROBED = (None, "the unshare command (util-linux) is not installed")
        return _PROBED
    reasons = []
    for prefix in candidates:
        try:
            probe = subprocess.run(
                [*prefix, sys.executable, str(THIS), "probe", namespace_id()],
                capture_output=True, text=True, timeout=60,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            reasons.append(f"{' '.join(Path(p).name for p in prefix)}: {error}")
            continue
        if probe.returncode == 0 and probe.stdout.strip() == "ok":
            _PROBED = (prefix, "only loopback is up")
            return _PROBED
        last = (probe.stderr.strip() or probe.stdout.strip() or f"exit status {probe.returncode}").splitlines()[-1]
        reasons.append(f"{' '.join(Path(p).name for p in prefix)}: {last}")
    _PROBED = (None, "; ".join(reasons))
    return _PROBED


def describe() -> str:
    prefix, why = namespace_prefix()
    if prefix is not None:
        command = " ".join(Path(prefix[0]).name if i == 0 else part for i, part in enumerate(prefix))
        return f"offline: {NAMESPACE} ({command}), {why}; the socket guard is loaded too"
    return f"offline: {GUARD} only (no network namespace: {why})"


def guarded_ipython_dir() -> Path:
    """A fresh IPython directory whose start-up file loads the socket guard into every kernel."""
    ipython_dir = Path(tempfile.mkdtemp(prefix="mlc-ipython-"))
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    # run_path keeps the guard's own names out of the notebook's namespace.
    (startup / "00-offline.py").write_text(
        f"__import__('runpy').run_path({str(THIS)!r}, run_name={GUARD_RUN_NAME!r})\n"
    )
    return ipython_dir


def _probe(outside: str) -> int:
    loopback_up()
    if outside and namespace_id() == outside:
        print("still in the outer network namespace", file=sys.stderr)
        return 1
    with socket.socket() as server, socket.socket() as client:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        client.connect(server.getsockname())
    with socket.socket() as sock:
        sock.settimeout(5)
        try:
            sock.connect((UNREACHABLE, 80))
        except OSError:
            pass
        else:
            print(f"{UNREACHABLE} is reachable", file=sys.stderr)
            return 1
    print("ok")
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("mode", "run", "inside", "probe"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "probe":
        return _probe(argv[1] if len(argv) > 1 else "")
    if argv[0] == "mode":
        print(describe())
        return 0
    command = argv[2:] if argv[1:2] == ["--"] else argv[1:]
    if not command:
        print("offline.py: no command given", file=sys.stderr)
        return 2
    if argv[0] == "inside":
        loopback_up()
        os.environ[MODE_VARIABLE] = NAMESPACE
        os.execvp(command[0], command)
    # run
    ipython_dir = guarded_ipython_dir()
    env = dict(os.environ, IPYTHONDIR=str(ipython_dir))
    prefix, _ = namespace_prefix()
    try:
        if prefix is not None:
            full = [*prefix, sys.executable, str(THIS), "inside", "--", *command]
        else:
            full, env[MODE_VARIABLE] = command, GUARD
        return subprocess.run(full, env=env).returncode
    finally:
        shutil.rmtree(ipython_dir, ignore_errors=True)


if __name__ == GUARD_RUN_NAME:
    install_guard()
elif __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
