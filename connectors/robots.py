"""robots.txt rules per host, re-read once a day.

A robots.txt that answers 4xx allows everything; 5xx disallows everything for a while (the
site is in trouble: hold off, as the major crawlers do); a network failure is the fetch's
failure and is not cached. ``Crawl-delay`` raises the host's minimum delay (capped).
"""

from __future__ import annotations

import time
import urllib.robotparser
from dataclasses import dataclass

RULES_TTL_S = 24 * 3600.0
TROUBLE_TTL_S = 600.0
MAX_CRAWL_DELAY_S = 30.0
MAX_ROBOTS_BYTES = 512 * 1024


@dataclass(slots=True)
class RobotsRules:
    parser: urllib.robotparser.RobotFileParser
    expires_at: float
    status: int

    def allows(self, user_agent: str, url: str) -> bool:
        return self.parser.can_fetch(user_agent, url)

    def crawl_delay(self, user_agent: str) -> float:
        delay = self.parser.crawl_delay(user_agent)
        if delay is None:
            return 0.0
        try:
            return min(float(delay), MAX_CRAWL_DELAY_S)
        except (TypeError, ValueError):
            return 0.0

    def expired(self, now: float | None = None) -> bool:
        return (time.monotonic() if now is None else now) >= self.expires_at


def rules_from_response(status: int, text: str, now: float | None = None) -> RobotsRules:
    """Rules for a robots.txt answer with ``status`` and (for 2xx) its ``text``."""
    now = time.monotonic() if now is None else now
    parser = urllib.robotparser.RobotFileParser()
    if status >= 500:
        parser.parse(["User-agent: *", "Disallow: /"])
        return RobotsRules(parser, now + TROUBLE_TTL_S, status)
    if status >= 400:
        parser.parse([])
    else:
        parser.parse(text[:MAX_ROBOTS_BYTES].splitlines())
    return RobotsRules(parser, now + RULES_TTL_S, status)
