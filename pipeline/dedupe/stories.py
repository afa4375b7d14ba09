"""Article-level state: what each url_id carried, and the stories (same text, many URLs).

Records ``a:<url_id>`` and ``s:<16 hex>`` of the changelog (see :mod:`pipeline.dedupe.state`).
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING

from pipeline.dedupe.expiry import touch
from pipeline.dedupe.state import Record, hex_key, int_key, iso_time, parse_time, story_id

if TYPE_CHECKING:
    from pipeline.dedupe.verdicts import ArticleInput


class Article:
    """A url_id as last processed: its story, how many texts it had, the versions it carried."""

    __slots__ = ("seen", "source", "story", "url", "version", "versions")

    def __init__(
        self, *, source: str, url: str, story: int, version: int, seen: datetime,
        versions: tuple[int, ...],
    ) -> None:  # fmt: skip
        self.source = source
        self.url = url
        self.story = story
        self.version = version
        self.seen = seen
        self.versions = versions

    @property
    def last_seen(self) -> datetime:
        return self.seen

    def to_record(self) -> Record:
        return {
            "source": self.source,
            "url": self.url,
            "story": hex_key(self.story),
            "version": self.version,
            "seen": iso_time(self.seen),
            "versions": [f"{key:016x}" for key in self.versions],  # hex_key, inline
        }

    @classmethod
    def from_record(cls, value: Record) -> Article:
        return cls(
            source=value["source"],
            url=value["url"],
            story=int_key(value["story"]),
            version=int(value["version"]),
            seen=parse_time(value["seen"], "seen"),
            versions=tuple(int_key(k) for k in value["versions"]),
        )


class Story:
    """One article text (all paragraphs' words) and every (url_id, source, url) that had it."""

    __slots__ = ("first", "key", "last", "urls")

    def __init__(self, key: int, first: datetime) -> None:
        self.key = key
        self.urls: tuple[tuple[str, str, str], ...] = ()
        """(url_id, source, url) of each URL, in order; a tuple of strings, which the garbage
        collector stops tracking (the state holds one per story)."""
        self.first = first
        self.last = first

    @property
    def id(self) -> str:
        return story_id(self.key)

    @property
    def last_seen(self) -> datetime:
        return self.last

    def sources(self) -> tuple[str, ...]:
        """The outlets that published the story's text, first seen first."""
        urls = self.urls
        if len(urls) == 1:  # most stories
            return (urls[0][1],)
        return tuple(dict.fromkeys([source for _, source, _ in urls]))

    def url_list(self) -> tuple[str, ...]:
        """The URLs under which the story's text was seen, first seen first."""
        urls = self.urls
        if len(urls) == 1:
            return (urls[0][2],)
        return tuple([url for _, _, url in urls])

    def to_record(self) -> Record:
        return {
            "urls": [list(entry) for entry in self.urls],
            "first": iso_time(self.first),
            "last": iso_time(self.last),
        }

    @classmethod
    def from_record(cls, key: int, value: Record) -> Story:
        story = cls(key, parse_time(value["first"], "first"))
        story.urls = tuple((str(u), str(s), str(url)) for u, s, url in value["urls"])
        story.last = parse_time(value["last"], "last")
        return story


def file_story(
    stories: dict[int, Story],
    dirty: set[int],
    previous: Article | None,
    article: ArticleInput,
    story_key: int,
) -> Story:
    """Put ``article``'s URL under its story (and out of its previous text's story)."""
    url_id, seen = article.url_id, article.seen_at
    if previous is not None and previous.story != story_key:
        old = stories.get(previous.story)
        if old is not None:
            old.urls = tuple(entry for entry in old.urls if entry[0] != url_id)
            if not old.urls:
                del stories[old.key]
            dirty.add(previous.story)
    story = stories.get(story_key)
    if story is None:
        story = stories[story_key] = Story(story_key, seen)
    for entry in story.urls:  # a loop, not any(): most stories have one URL
        if entry[0] == url_id:
            break
    else:
        story.urls = (*story.urls, (url_id, sys.intern(article.source), article.url))
        dirty.add(story_key)
    if seen > story.last:
        story.last = seen
        touch(stories, story_key)
        dirty.add(story_key)
    return story


def file_article(
    articles: dict[str, Article],
    previous: Article | None,
    given: ArticleInput,
    *,
    story_key: int,
    version: int,
    versions: tuple[int, ...],
) -> bool:
    """Record what ``given`` carried; True if its record changed."""
    url_id, url, seen = given.url_id, given.url, given.seen_at
    if previous is None:
        articles[url_id] = Article(
            source=sys.intern(given.source), url=url, story=story_key, version=version,
            seen=seen, versions=versions,
        )  # fmt: skip
        return True
    now = (story_key, version, versions, url)
    if (previous.story, previous.version, previous.versions, previous.url) == now and (
        seen <= previous.seen
    ):
        return False
    previous.story, previous.version, previous.versions, previous.url = now
    if seen > previous.seen:
        previous.seen = seen
        touch(articles, url_id)
    return True
