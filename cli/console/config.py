"""What the console reads and how: the settings, the sink, the lexicons, the health figures,
the write token. Every seam a test replaces is a field here."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool

from cli.console.health import HealthReport
from kernel.exceptions import MarsadError
from kernel.settings import Settings
from pipeline.sinks.types import SearchSink
from pipeline.tagging import Tagger

log = logging.getLogger(__name__)


@dataclass
class ConsoleConfig:
    """What the console reads and how: every seam a test replaces is here."""

    settings: Callable[[], Settings]
    """The settings with the service addresses resolved (called per request: a stack started
    after the console is found)."""
    open_sink: Callable[[Settings], SearchSink]
    load_tagger: Callable[[], Tagger | None]
    """The lexicons' tagger (names, precisions, tags in the text); None: show ids."""
    health: Callable[[Settings], HealthReport]
    token: SecretStr | None = None
    allowed_hosts: list[str] | None = None
    """Host headers accepted (loopback names when bound to loopback: no DNS rebinding)."""
    health_timeout_s: float = 20.0
    actor_names: Mapping[str, str] = field(default_factory=dict)
    """Actor id -> its first name as ``actors.yaml`` spells it (the loaded lexicon holds the
    normalized form, which reads wrongly: "جبهه النصره")."""
    _tagger: list[Tagger | None] = field(default_factory=list)
    _tagger_lock: asyncio.Lock | None = None

    async def tagger(self) -> Tagger | None:
        """The tagger, loaded once on first use (about 2 s: GeoNames), off the event loop."""
        if self._tagger:
            return self._tagger[0]
        if self._tagger_lock is None:
            self._tagger_lock = asyncio.Lock()
        async with self._tagger_lock:
            if not self._tagger:
                try:
                    self._tagger.append(await run_in_threadpool(self.load_tagger))
                except MarsadError as exc:
                    log.warning("lexicons not loaded, showing ids: %s", exc)
                    self._tagger.append(None)
        return self._tagger[0]


__all__ = ["ConsoleConfig"]
