"""Stopping the local stack: only the JVMs it recorded (or marked as its own) are signalled."""

from __future__ import annotations

import logging
import time

from devtools.stack import process
from devtools.stack import state as state_file
from devtools.stack.config import StackSettings
from devtools.stack.console import ProgressFn, print_progress
from devtools.stack.exceptions import StackError
from kernel.settings import Settings

logger = logging.getLogger(__name__)


def _stop(name: str, pid: int, timeout_s: float, say: ProgressFn) -> bool:
    say(f"stopping {name} (pid {pid})...")
    began = time.monotonic()
    stopped = process.stop_group(pid, timeout_s)
    if stopped:
        say(f"{name} stopped ({time.monotonic() - began:.1f} s)")
    else:
        say(f"{name} (pid {pid}) is still running after SIGKILL")
    return stopped


def down(
    settings: Settings,
    stack_settings: StackSettings | None = None,
    progress: ProgressFn | None = None,
) -> None:
    """Stop the recorded services; raise :class:`StackError` if one of them survives."""
    config = stack_settings if stack_settings is not None else StackSettings()
    say = progress if progress is not None else print_progress
    home = settings.home
    stack_dir = state_file.stack_dir(home)
    survivors: list[str] = []
    with state_file.lock(home):
        state = state_file.load(home)
        if not state.services:
            say("no stack recorded in " + str(state_file.state_path(home)))
        for name, record in sorted(state.services.items()):
            if process.is_ours(record.pid, name, stack_dir):
                if not _stop(name, record.pid, config.stop_timeout_s, say):
                    survivors.append(f"{name} (pid {record.pid})")
                    continue
            elif process.is_alive(record.pid):
                say(f"{name}: pid {record.pid} now runs another program; left alone")
            else:
                say(f"{name} (pid {record.pid}) was not running")
            state = state.without(name)
            state_file.save(home, state)
        # A JVM whose pid was never recorded (an interrupted `up`) still carries our marker.
        for pid, name in sorted(process.find_marked(stack_dir).items()):
            say(f"found an unrecorded {name} JVM of this stack (pid {pid})")
            if not _stop(name, pid, config.stop_timeout_s, say):
                survivors.append(f"{name} (pid {pid})")
    if survivors:
        raise StackError(
            f"still running after SIGKILL: {', '.join(survivors)}. Check them with "
            f"ps -o pid,stat,cmd -p <pid>; a process stuck in the kernel (state D) ends "
            f"only when its I/O completes"
        )
    logger.debug("stack in %s is down", stack_dir)


def stop_service(
    settings: Settings,
    name: str,
    stack_settings: StackSettings | None = None,
    progress: ProgressFn | None = None,
) -> bool:
    """Stop one recorded service (its recorded pid only); False if none was recorded.

    Raises :class:`StackError` if it survives SIGKILL.
    """
    config = stack_settings if stack_settings is not None else StackSettings()
    say = progress if progress is not None else print_progress
    home = settings.home
    stack_dir = state_file.stack_dir(home)
    with state_file.lock(home):
        state = state_file.load(home)
        record = state.get(name)
        if record is None:
            return False
        if process.is_ours(record.pid, name, stack_dir):
            if not _stop(name, record.pid, config.stop_timeout_s, say):
                raise StackError(f"{name} (pid {record.pid}) is still running after SIGKILL")
        elif process.is_alive(record.pid):
            say(f"{name}: pid {record.pid} now runs another program; left alone")
        state_file.save(home, state.without(name))
    return True
