"""What the connector remembers across restarts, in one SQLite file (stdlib ``sqlite3``).

- ``articles``: every article URL discovered, by ``url_id``: ``pending`` until Kafka has
  acknowledged its page (then ``fetched``), or ``failed`` when it cannot be fetched. Pending
  rows survive a restart and are fetched then; fetched ones are never fetched again.
- ``documents``: the last ``ETag`` / ``Last-Modified`` of each feed, sitemap and listing page,
  for conditional GET, and what kind of document it was.
- ``sources``: each source's polling state (:class:`connectors.schedule.SourceState`).

Rows older than the retention are pruned, so the file does not grow without bound.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from connectors.fetch import Validators
from connectors.outcomes import FetchOutcome, PublishOutcome
from connectors.schedule import SourceState

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    url_id TEXT PRIMARY KEY,
    source_id TEXT NOT NULL,
    url TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'fetched', 'failed')),
    title TEXT,
    published_at REAL,
    discovered_at REAL NOT NULL,
    fetched_at REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    last_outcome TEXT
);
CREATE INDEX IF NOT EXISTS articles_due ON articles (source_id, status, next_attempt_at);
CREATE INDEX IF NOT EXISTS articles_age ON articles (discovered_at);
CREATE TABLE IF NOT EXISTS documents (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    kind TEXT,
    checked_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    source_id TEXT PRIMARY KEY,
    state TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class NewArticle:
    url_id: str
    source_id: str
    url: str
    title: str | None
    published: datetime | None


@dataclass(frozen=True, slots=True)
class PendingArticle:
    url_id: str
    url: str
    title: str | None
    published: datetime | None
    attempts: int


def _epoch(when: datetime | None) -> float | None:
    return when.timestamp() if when is not None else None


class StateStore:
    """The connector's SQLite state; ``":memory:"`` for a connector that forgets on exit."""

    def __init__(self, path: Path | str = ":memory:") -> None:
        if isinstance(path, Path):
            path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    # articles -----------------------------------------------------------------------------

    def known(self, url_id: str) -> bool:
        row = self._db.execute("SELECT 1 FROM articles WHERE url_id = ?", (url_id,)).fetchone()
        return row is not None

    def add_pending(self, articles: Iterable[NewArticle], now: float | None = None) -> list[str]:
        """Insert the articles not known yet; return the url_ids that were new."""
        now = time.time() if now is None else now
        added: list[str] = []
        with self._db:
            self._db.execute("BEGIN")
            for a in articles:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO articles (url_id, source_id, url, status, title,"
                    " published_at, discovered_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)",
                    (a.url_id, a.source_id, a.url, a.title, _epoch(a.published), now),
                )
                if cursor.rowcount:
                    added.append(a.url_id)
        return added

    def due(self, source_id: str, limit: int, now: float | None = None) -> list[PendingArticle]:
        """Pending articles of a source whose next attempt is due, newest first."""
        now = time.time() if now is None else now
        rows = self._db.execute(
            "SELECT url_id, url, title, published_at, attempts FROM articles"
            " WHERE source_id = ? AND status = 'pending' AND next_attempt_at <= ?"
            " ORDER BY published_at IS NULL, published_at DESC, discovered_at, rowid LIMIT ?",
            (source_id, now, limit),
        ).fetchall()
        return [
            PendingArticle(
                url_id,
                url,
                title,
                datetime.fromtimestamp(published, UTC) if published is not None else None,
                attempts,
            )
            for url_id, url, title, published, attempts in rows
        ]

    def mark_fetched(self, url_id: str, now: float | None = None) -> None:
        """Kafka acknowledged the article's page: it is never fetched again."""
        self._db.execute(
            "UPDATE articles SET status = 'fetched', fetched_at = ?, last_outcome = ?"
            " WHERE url_id = ?",
            (time.time() if now is None else now, PublishOutcome.PUBLISHED, url_id),
        )

    def mark_failed(self, url_id: str, outcome: FetchOutcome | PublishOutcome) -> None:
        """Give up on an article (counted by the caller)."""
        self._db.execute(
            "UPDATE articles SET status = 'failed', attempts = attempts + 1, last_outcome = ?"
            " WHERE url_id = ? AND status = 'pending'",
            (outcome, url_id),
        )

    def retry_later(
        self, url_id: str, outcome: FetchOutcome, at: float, *, count: bool = True
    ) -> None:
        """Fetch the article again at ``at``; ``count``: the failure counts as an attempt."""
        self._db.execute(
            "UPDATE articles SET attempts = attempts + ?, next_attempt_at = ?, last_outcome = ?"
            " WHERE url_id = ? AND status = 'pending'",
            (1 if count else 0, at, outcome, url_id),
        )

    def status(self, url_id: str) -> str | None:
        row = self._db.execute("SELECT status FROM articles WHERE url_id = ?", (url_id,))
        found = row.fetchone()
        return str(found[0]) if found else None

    def counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT status, COUNT(*) FROM articles GROUP BY status")
        return {str(status): int(n) for status, n in rows.fetchall()}

    def prune(self, older_than_s: float, now: float | None = None) -> int:
        """Forget articles discovered more than ``older_than_s`` ago; return how many."""
        cutoff = (time.time() if now is None else now) - older_than_s
        cursor = self._db.execute("DELETE FROM articles WHERE discovered_at < ?", (cutoff,))
        self._db.execute("DELETE FROM documents WHERE checked_at < ?", (cutoff,))
        return cursor.rowcount

    # documents ----------------------------------------------------------------------------

    def validators(self, url: str) -> tuple[Validators, str | None]:
        row = self._db.execute(
            "SELECT etag, last_modified, kind FROM documents WHERE url = ?", (url,)
        ).fetchone()
        if row is None:
            return Validators(), None
        return Validators(row[0], row[1]), row[2]

    def save_validators(self, url: str, validators: Validators, kind: str) -> None:
        self._db.execute(
            "INSERT INTO documents (url, etag, last_modified, kind, checked_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,"
            " last_modified = excluded.last_modified, kind = excluded.kind,"
            " checked_at = excluded.checked_at",
            (url, validators.etag, validators.last_modified, kind, time.time()),
        )

    # sources ------------------------------------------------------------------------------

    def load_source(self, source_id: str) -> SourceState | None:
        row = self._db.execute(
            "SELECT state FROM sources WHERE source_id = ?", (source_id,)
        ).fetchone()
        return SourceState.from_json(row[0]) if row else None

    def save_source(self, state: SourceState) -> None:
        self._db.execute(
            "INSERT INTO sources (source_id, state) VALUES (?, ?)"
            " ON CONFLICT (source_id) DO UPDATE SET state = excluded.state",
            (state.source_id, state.to_json()),
        )

    def source_states(self) -> dict[str, SourceState]:
        rows = self._db.execute("SELECT state FROM sources").fetchall()
        states = [SourceState.from_json(r[0]) for r in rows]
        return {s.source_id: s for s in states}
