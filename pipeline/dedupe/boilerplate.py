"""Site boilerplate learned online: short lines that recur across many pages of one site.

Extraction keeps what a CMS puts inside every article body of a site (a standing appeal, a
signature, "تابعونا على تلغرام" in the outlet's own words). Such a line is the same on page after
page, so the stage counts, per site, the distinct pages (url_ids) each short line appeared on;
from ``min_pages`` pages on, the line is dropped as ``site_boilerplate`` - unless another
outlet carried it too (then it is news: a wire line, not the site's chrome; the engine checks
that). The first pages that carried it keep it (the stage cannot know yet); a replayed page is
not counted twice.

Only lines of at most ``max_words`` words are counted: article paragraphs are longer. A running
story that one site alone republishes ``min_pages`` times would lose its short lines: the
default (10 pages) makes that rare. Counts expire with the rest of the state.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pipeline.dedupe.state import Record, hex_key, int_key, iso_time, parse_time

LineKey = tuple[int, str]
"""(normalized text key, source)."""


LineCount = tuple[int, datetime, tuple[str, ...]]
"""(distinct pages counted, last sighting, the url_ids counted until the line is known
boilerplate, then none). A plain tuple of atomic values: the garbage collector stops tracking
it (the state holds one per short line of every site)."""


class SiteLines:
    """Per-site counts of short lines over distinct pages."""

    def __init__(self, *, min_pages: int, max_words: int) -> None:
        self.min_pages = min_pages
        self.max_words = max_words
        self._counts: dict[LineKey, LineCount] = {}

    def __len__(self) -> int:
        return len(self._counts)

    def counts(self, word_count: int) -> bool:
        """True if a line of ``word_count`` words is counted at all."""
        return 0 < word_count <= self.max_words

    def observe(self, key: LineKey, url_id: str, seen: datetime) -> tuple[bool, bool]:
        """Count ``url_id`` for the line; returns (is boilerplate now, state changed)."""
        count, last, pages = self._counts.get(key) or (0, seen, ())
        changed = False
        if count < self.min_pages and url_id not in pages:
            count += 1
            pages = () if count >= self.min_pages else (*pages, url_id)
            changed = True
        if seen > last:
            last = seen
            self._counts.pop(key)  # re-inserted last: oldest sighting first
            changed = True
        if changed or key not in self._counts:
            self._counts[key] = (count, last, pages)
        return count >= self.min_pages, changed

    def expire(self, cutoff: datetime) -> list[LineKey]:
        """Forget lines last seen before ``cutoff``; returns their keys."""
        old: list[LineKey] = []
        for key, (_, last, _) in self._counts.items():  # in order of last sighting
            if last >= cutoff:
                break
            old.append(key)
        for key in old:
            del self._counts[key]
        return old

    @staticmethod
    def record_key(key: LineKey) -> str:
        return f"b:{hex_key(key[0])}:{key[1]}"

    def record(self, key: LineKey) -> Record | None:
        entry = self._counts.get(key)
        if entry is None:
            return None
        count, last, pages = entry
        return {"pages": list(pages), "count": count, "last": iso_time(last)}

    def load(self, record_key: str, value: Record) -> LineKey:
        """Load one ``b:`` record (restore); returns its key."""
        _, text_key, source = record_key.split(":", 2)
        key = (int_key(text_key), source)
        pages = tuple(str(page) for page in value["pages"])
        self._counts[key] = (int(value["count"]), parse_time(value["last"], "last"), pages)
        return key

    def order(self) -> None:
        """Sort the counts by last sighting (after a restore)."""
        ordered = sorted(self._counts.items(), key=_last_sighting)
        self._counts = dict(ordered)

    def keys(self) -> Iterator[LineKey]:
        return iter(self._counts)


def _last_sighting(item: tuple[LineKey, LineCount]) -> datetime:
    return item[1][1]
