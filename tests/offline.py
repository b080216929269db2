"""Refuse every network connection that leaves the machine.

Loaded into each notebook kernel the test suite starts (as an IPython start-up file, see
``conftest.py``), so the notebooks are proven to run with no network: a notebook that tries to download
anything fails its nbval test with ``ConnectionRefusedError``. Loopback stays open because the kernel
talks to the test runner over it.
"""

import ipaddress
import socket

MESSAGE = "network access is disabled while the book's tests run"


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:  # a host name: only localhost is local
        return False


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def _check(sock: socket.socket, address) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(str(address[0])):
        raise ConnectionRefusedError(f"{MESSAGE}: refused a connection to {address!r}")


def _guarded_connect(self, address):
    _check(self, address)
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    _check(self, address)
    return _connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host is not None and not _is_loopback(host.decode() if isinstance(host, bytes) else str(host)):
        raise socket.gaierror(f"{MESSAGE}: refused to resolve {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex
socket.getaddrinfo = _guarded_getaddrinfo
