"""Detached service processes: start, recognise as ours, stop.

Every JVM the stack starts carries two system properties on its command line,
``-Dmarsad.stack.service=<name>`` and ``-Dmarsad.stack.home=<absolute stack dir>``. A recorded pid
is only treated as ours (and only ever signalled) while its command line still carries both:
a pid reused by an unrelated process after a reboot is left alone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from kernel.localstack import HOME_PROPERTY, SERVICE_PROPERTY, cmdline, marker_args

logger = logging.getLogger(__name__)

__all__ = [
    "HOME_PROPERTY",
    "SERVICE_PROPERTY",
    "cmdline",
    "find_marked",
    "is_alive",
    "is_ours",
    "marker_args",
    "spawn",
    "stop_group",
    "tail",
]


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    # "pid (comm) state ...": comm may contain spaces and parentheses, state follows the last ")".
    fields = stat.rpartition(")")[2].split()
    return bool(fields) and fields[0] in {"Z", "X"}


def _reap(pid: int) -> None:
    """Collect ``pid`` if it is a child of this process that has exited (no zombie left)."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def is_alive(pid: int) -> bool:
    """True if ``pid`` exists and has not exited (a zombie counts as exited)."""
    if pid <= 0:
        return False
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by another user
    return not _is_zombie(pid)


def is_ours(pid: int, service: str, stack_dir: Path) -> bool:
    """True if ``pid`` is alive and is the ``service`` JVM started for ``stack_dir``."""
    _reap(pid)
    args = cmdline(pid)
    return args is not None and all(marker in args for marker in marker_args(service, stack_dir))


def spawn(
    command: Sequence[str],
    log_file: Path,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    markers: Sequence[str] | None = None,
) -> int:
    """Start ``command`` in its own session (process group), output appended to ``log_file``.

    ``markers``: when ``command`` is a launcher that execs the program to record (a wrapper
    such as ``setpriv``, then a shell script), the arguments whose presence on the process's
    command line shows that program runs; by default the command line itself.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - a java command line we built
            list(command),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    logger.debug("started pid %d: %s", process.pid, " ".join(command))

    # Return only once the new program's command line is visible, so that is_ours() holds
    # from the first moment the caller records the pid.
    def started() -> bool:
        args = cmdline(process.pid)
        if markers is None:
            return args == list(command)
        return args is not None and all(marker in args for marker in markers)

    deadline = time.monotonic() + 5
    while not started() and time.monotonic() < deadline:
        if process.poll() is not None:
            break
        time.sleep(0.01)
    return process.pid


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def stop_group(pid: int, timeout_s: float) -> bool:
    """SIGTERM the process group led by ``pid``, SIGKILL it after ``timeout_s``.

    Returns True once neither the leader nor any member of its group remains.
    """
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        _reap(pid)
        if not is_alive(pid) and not _group_alive(pid):
            return True
        time.sleep(0.25)
    logger.warning("process group %d still running after %.0f s: SIGKILL", pid, timeout_s)
    _signal_group(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        _reap(pid)
        if not is_alive(pid) and not _group_alive(pid):
            return True
        time.sleep(0.25)
    return False


def tail(path: Path, count: int = 30) -> str:
    """The last ``count`` lines of a log file ("" if it does not exist)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 256 * 1024))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-count:])


def find_marked(stack_dir: Path) -> dict[int, str]:
    """Every live process started for ``stack_dir``, by pid, with its service name."""
    home_marker = f"{HOME_PROPERTY}{stack_dir.resolve()}"
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        args = cmdline(int(entry.name))
        if args is None or home_marker not in args:
            continue
        service = next(
            (
                arg.removeprefix(SERVICE_PROPERTY)
                for arg in args
                if arg.startswith(SERVICE_PROPERTY)
            ),
            "?",
        )
        found[int(entry.name)] = service
    return found
