"""Article-level state: what each url_id carried, and the stories (same text, many URLs).

Records ``a:<url_id>`` and ``s:<16 hex>`` of the changelog (see :mod:`pipeline.dedupe.state`).
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING, Final

from pipeline.dedupe.state import Record, int_key, iso_time, parse_time

if TYPE_CHECKING:
    from pipeline.dedupe.verdicts import ArticleInput


Article = tuple[str, str, int, int, datetime, tuple[int, ...]]
"""A url_id as last processed: (source, url, story key, how many texts it had, last seen, the
keys of the versions it carried). A plain tuple of atomic values, replaced when the url_id is
seen again: the garbage collector stops tracking it (the state holds one per url_id)."""
A_SOURCE: Final = 0
A_URL: Final = 1
A_STORY: Final = 2
A_VERSION: Final = 3
A_SEEN: Final = 4
A_VERSIONS: Final = 5

Story = tuple[int, datetime, datetime, tuple[tuple[str, str, str], ...]]
"""One article text (all paragraphs' words): (key, first seen, last seen, the (url_id, source,
url) of every URL that had it, in order). A plain tuple of atomic values, like
:data:`Article`."""
S_KEY: Final = 0
S_FIRST: Final = 1
S_LAST: Final = 2
S_URLS: Final = 3


def article_record(article: Article) -> Record:
    source, url, story, version, seen, versions = article
    return {
        "source": source,
        "url": url,
        "story": "%016x" % story,  # hex_key, inline
        "version": version,
        "seen": iso_time(seen),
        "versions": ["%016x" % key for key in versions],
    }


def article_from_record(value: Record) -> Article:
    return (
        str(value["source"]),
        str(value["url"]),
        int_key(value["story"]),
        int(value["version"]),
        parse_time(value["seen"], "seen"),
        tuple(int_key(k) for k in value["versions"]),
    )


def story_sources(story: Story) -> tuple[str, ...]:
    """The outlets that published the story's text, first seen first."""
    urls = story[S_URLS]
    if len(urls) == 1:  # most stories
        return (urls[0][1],)
    return tuple(dict.fromkeys([source for _, source, _ in urls]))


def story_urls(story: Story) -> tuple[str, ...]:
    """The URLs under which the story's text was seen, first seen first."""
    urls = story[S_URLS]
    if len(urls) == 1:
        return (urls[0][2],)
    return tuple([url for _, _, url in urls])


def story_record(story: Story) -> Record:
    _, first, last, urls = story
    return {"urls": [list(entry) for entry in urls], "first": iso_time(first),
            "last": iso_time(last)}  # fmt: skip


def story_from_record(key: int, value: Record) -> Story:
    urls = tuple((str(u), str(s), str(url)) for u, s, url in value["urls"])
    return key, parse_time(value["first"], "first"), parse_time(value["last"], "last"), urls


def file_story(
    stories: dict[int, Story],
    dirty: set[int],
    previous: Article | None,
    article: ArticleInput,
    story_key: int,
) -> Story:
    """Put ``article``'s URL under its story (and out of its previous text's story)."""
    url_id, seen = article.url_id, article.seen_at
    if previous is not None and previous[A_STORY] != story_key:
        old = stories.get(previous[A_STORY])
        if old is not None:
            kept = tuple(entry for entry in old[S_URLS] if entry[0] != url_id)
            if kept:
                stories[old[S_KEY]] = (old[S_KEY], old[S_FIRST], old[S_LAST], kept)
            else:
                del stories[old[S_KEY]]
            dirty.add(previous[A_STORY])
    story = stories.get(story_key)
    key, first, last, urls = story if story is not None else (story_key, seen, seen, ())
    changed = False
    for entry in urls:  # a loop, not any(): most stories have one URL
        if entry[0] == url_id:
            break
    else:
        urls = (*urls, (url_id, sys.intern(article.source), article.url))
        changed = True
    if seen > last:
        last = seen
        if story is not None:
            del stories[story_key]  # re-filed last: oldest sighting first
        changed = True
    if story is None or changed:
        story = stories[story_key] = (key, first, last, urls)
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
        articles[url_id] = (sys.intern(given.source), url, story_key, version, seen, versions)
        return True
    source, old_url, old_story, old_version, last, old_versions = previous
    if (old_story, old_version, old_versions, old_url) == (story_key, version, versions, url) and (
        seen <= last
    ):
        return False
    if seen > last:
        last = seen
        del articles[url_id]  # re-filed last: oldest sighting first
    articles[url_id] = (source, url, story_key, version, last, versions)
    return True
