"""Start Marsad's own processes (worker, connectors) as children and stop exactly those."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass
class Children:
    """The child processes started by one supervisor; stopped by pid, in reverse order."""

    procs: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def start(
        self,
        name: str,
        *args: str,
        env: Mapping[str, str] | None = None,
        log_to: Path | None = None,
        metrics: str | None = None,
    ) -> None:
        """Start ``marsad ARGS...``; its output goes to ``log_to`` if given, else to ours.

        ``metrics``, the address the child serves its metrics on, is logged with its pid so
        that one log line says which process to scrape where.
        """
        cmd = [sys.executable, "-m", "cli.main", *args]
        out = None
        if log_to is not None:
            log_to.parent.mkdir(parents=True, exist_ok=True)
            out = log_to.open("ab")
        try:
            proc = subprocess.Popen(  # noqa: S603 - our own entry point
                cmd,
                env={**os.environ, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT if out else None,
            )
        finally:
            if out is not None:
                out.close()
        extra = (f" log={log_to}" if log_to else "") + (f" metrics={metrics}" if metrics else "")
        log.info("started %s pid=%d%s", name, proc.pid, extra)
        self.procs.append((name, proc))

    def failed(self) -> list[tuple[str, int]]:
        """Children that have exited, with their exit codes."""
        return [(name, code) for name, p in self.procs if (code := p.poll()) is not None]

    def stop(self, timeout_s: float = 20.0) -> None:
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                log.info("stopping %s pid=%d", name, proc.pid)
        deadline = time.monotonic() + timeout_s
        for name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s pid=%d did not stop in %.0fs: killing", name, proc.pid, timeout_s)
                proc.kill()
                proc.wait()
        self.procs.clear()
