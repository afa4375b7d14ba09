"""Loopback ports: is one free, who holds it, and what to tell the user when it is taken."""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Callable

from devtools.stack.exceptions import PortInUseError

logger = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"


def is_free(port: int, host: str = LOOPBACK) -> bool:
    """True if nothing listens on ``host:port`` and it can be bound now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        if probe.connect_ex((host, port)) == 0:
            return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bind:
        bind.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            bind.bind((host, port))
        except OSError:
            return False
    return True


def accepts(port: int, host: str = LOOPBACK, timeout_s: float = 1.0) -> bool:
    """True if something accepts TCP connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(timeout_s)
        return probe.connect_ex((host, port)) == 0


def holder(port: int) -> str | None:
    """Best effort: "pid N (name)" of the process listening on ``port``, if it can be told."""
    try:
        import psutil  # noqa: PLC0415 - optional, a development dependency
    except ImportError:
        return None
    with contextlib.suppress(psutil.Error, OSError):
        for connection in psutil.net_connections(kind="tcp"):
            if (
                connection.status == psutil.CONN_LISTEN
                and connection.laddr
                and connection.laddr.port == port
                and connection.pid
            ):
                name = psutil.Process(connection.pid).name()
                return f"pid {connection.pid} ({name})"
    return None


def next_free(start: int, is_port_free: Callable[[int], bool] = is_free, span: int = 100) -> int:
    """The first free port after ``start`` (within ``span``), to suggest to the user."""
    for port in range(start + 1, min(start + 1 + span, 65536)):
        if is_port_free(port):
            return port
    return start + span


def conflict_message(
    port: int, purpose: str, env_var: str, suggestion: int, held_by: str | None
) -> str:
    who = f" by {held_by}" if held_by else ""
    return (
        f"port {port} ({purpose}) on {LOOPBACK} is already in use{who}, "
        f"and it is not a process of this Marsad stack. Stop that process, or choose another "
        f"port: {env_var}={suggestion} marsad stack up"
    )


def require_free(
    port: int,
    purpose: str,
    env_var: str,
    is_port_free: Callable[[int], bool] = is_free,
    who_holds: Callable[[int], str | None] = holder,
) -> None:
    """Raise :class:`PortInUseError` naming the port and the variable to change if it is taken."""
    if is_port_free(port):
        return
    message = conflict_message(
        port, purpose, env_var, next_free(port, is_port_free), who_holds(port)
    )
    raise PortInUseError(message, port)
