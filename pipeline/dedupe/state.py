"""The stage's paragraph state: versions and clusters, and their JSON records.

Objects (``__slots__``, no dicts) are what the engine works on; each kind has one record
prefix in the durable table, with a JSON-serialisable value::

    v:<key>      a version: one distinct normalized paragraph text (text kept if indexed),
                 written when it first appears
    l:<key>      when that version was last seen, once seen again (its ``v:`` record, text
                 included, is not rewritten for every sighting)
    c:<key>      a cluster of versions: first sighting, outlets, article count
    a:<url_id>   an article (:mod:`~pipeline.dedupe.stories`)
    s:<key>      a story (:mod:`~pipeline.dedupe.stories`)
    b:<key>:<source>   a short line of one site (:mod:`~pipeline.dedupe.boilerplate`)
    m            the stage's clock and sequence counter (:mod:`~pipeline.dedupe.changelog`)

Keys are 16 hex digits of 63-bit integers (BLAKE2b of the normalized text, or the article's
SHA-256). Times are ISO 8601 strings.
"""

from __future__ import annotations

import functools
from codecs import charmap_decode as _charmap_decode
from codecs import charmap_encode as _charmap_encode
from datetime import datetime
from encodings.cp1256 import decoding_table as _CP1256_DECODING
from encodings.cp1256 import encoding_table as _CP1256_ENCODING
from typing import Any, Final

from marsad_native import untrack

from pipeline.dedupe.exceptions import StateError
from pipeline.dedupe.numbers import NumericChange
from pipeline.dedupe.verdicts import FirstSeen, OtherEvent

Record = dict[str, Any]
Change = tuple[str, Record | None]


def hex_key(key: int) -> str:
    return "%016x" % key


def int_key(text: str) -> int:
    try:
        return int(text, 16)
    except ValueError:
        raise StateError(f"not a hex key: {text!r}") from None


def cluster_id(key: int) -> str:
    return "c%016x" % key


def story_id(key: int) -> str:
    return "s%016x" % key


_ISO_TEXTS: dict[int, tuple[datetime, str]] = {}
_ISO_TEXTS_SIZE = 4096
_last_iso: tuple[datetime | None, str] = (None, "")


def iso_time(when: datetime) -> str:
    """``when.isoformat()``. The texts of up to 4,096 recent datetime objects are remembered
    (by identity: the entry keeps its object alive; the cache is emptied when full), as one
    drain writes the time of the article just processed into most of its records, and a
    republished paragraph's version carries the time of the article that founded it."""
    global _last_iso  # noqa: PLW0603 - a one-entry cache in front of the table
    last = _last_iso
    if last[0] is when:
        return last[1]
    cached = _ISO_TEXTS.get(id(when))
    if cached is None:
        if len(_ISO_TEXTS) >= _ISO_TEXTS_SIZE:
            _ISO_TEXTS.clear()
        cached = (when, when.isoformat())
        _ISO_TEXTS[id(when)] = cached
    _last_iso = cached
    return cached[1]


def parse_time(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise StateError(f"{what}: expected an ISO time, got {value!r}")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise StateError(f"{what}: bad ISO time {value!r}") from None
    if when.tzinfo is None:
        raise StateError(f"{what}: time without a timezone {value!r}")
    return when


Founding = tuple[
    float,
    tuple[tuple[str, str | None, str | None], ...],
    tuple[int, ...],
    tuple[tuple[str, float, tuple[str, ...], tuple[str, ...]], ...],
]
"""How a version compared with what was known when it first appeared: (similarity, the
fields of each :class:`~pipeline.dedupe.numbers.NumericChange`, the cluster keys it was linked
to (a rewording of them), the fields of each :class:`~pipeline.dedupe.verdicts.OtherEvent`).
Plain tuples of atomic values: the garbage collector stops tracking them (the state holds one
per version). :func:`founding` builds one, :func:`numeric_changes` and :func:`other_events` give
the objects back."""
SIMILARITY: Final = 0
NUMERIC_DIFF: Final = 1
RELATED: Final = 2
OTHER_EVENTS: Final = 3

NO_FOUNDING: Founding = (0.0, (), (), ())


def founding(
    similarity: float,
    numeric_diff: tuple[NumericChange, ...],
    related: tuple[int, ...],
    others: tuple[OtherEvent, ...],
) -> Founding:
    if not (numeric_diff or related or others):
        return plain_founding(similarity)
    changes = tuple([(c.subject, c.before, c.after) for c in numeric_diff])
    events = tuple([(o.cluster_id, o.similarity, o.these, o.those) for o in others])
    return similarity, changes, related, events


@functools.cache
def plain_founding(similarity: float) -> Founding:
    """A shared Founding with only a similarity: no per-version object. Similarities are
    rounded to 4 decimals, so at most 10,001 of these ever exist (about 1 MB)."""
    return (similarity, (), (), ()) if similarity else NO_FOUNDING


def numeric_changes(found: Founding) -> tuple[NumericChange, ...]:
    return tuple(map(NumericChange._make, found[NUMERIC_DIFF])) if found[NUMERIC_DIFF] else ()


def other_events(found: Founding) -> tuple[OtherEvent, ...]:
    events = found[OTHER_EVENTS]
    return tuple([OtherEvent(*event) for event in events]) if events else ()


def founding_record(found: Founding) -> Record:
    similarity, changes, related, events = found
    return {
        "similarity": similarity,
        "numeric_diff": [{"subject": s, "before": b, "after": a} for s, b, a in changes],
        "related": [hex_key(k) for k in related],
        "other_events": [  # OtherEvent.as_json
            {"cluster_id": c, "similarity": sim, "these": list(these), "those": list(those)}
            for c, sim, these, those in events
        ],
    }


def founding_from_record(value: Record) -> Founding:
    return founding(
        float(value["similarity"]),
        tuple(NumericChange(c["subject"], c["before"], c["after"]) for c in value["numeric_diff"]),
        tuple(int_key(k) for k in value["related"]),
        tuple(
            OtherEvent(o["cluster_id"], float(o["similarity"]), tuple(o["these"]),
                       tuple(o["those"]))
            for o in value["other_events"]
        ),
    )  # fmt: skip


def encode_text(text: str) -> bytes:
    """Normalized text in one byte a letter (Windows-1256 covers the normalized Arabic
    alphabet, digits and Latin); anything else as UTF-8 behind a NUL marker.

    ``text.encode("cp1256")`` without the codec lookup and its Python wrapper (called for
    every new paragraph text)."""
    try:
        return _charmap_encode(text, "strict", _CP1256_ENCODING)[0]
    except UnicodeEncodeError:
        return b"\0" + text.encode("utf-8")


def decode_text(data: bytes) -> str:
    if data[:1] == b"\0":
        return data[1:].decode("utf-8")
    return _charmap_decode(data, "strict", _CP1256_DECODING)[0]


class Cluster:
    """Near-identical paragraphs: one first sighting, the outlets and articles that carried it.

    Not tracked by the garbage collector (:func:`marsad_native.untrack`), like a
    :class:`Version`: a cluster refers only to atomic values and tuples of them, so no
    reference cycle goes through it.
    """

    __slots__ = (
        "articles", "first_source", "first_time", "first_url_id", "founder", "key", "last", "live",
        "outlets",
    )  # fmt: skip

    def __init__(self, key: int, founder: int, first: FirstSeen, outlets: tuple[str, ...]) -> None:
        self.key = key
        self.founder = founder
        """Key of the version that founded the cluster."""
        self.first_source = first.source
        self.first_url_id = first.url_id
        self.first_time = first.time
        self.outlets = outlets
        self.articles = 0
        self.live = 0
        """Versions of the cluster still retained."""
        self.last = first.time
        untrack(self)

    @property
    def id(self) -> str:
        return cluster_id(self.key)

    @property
    def first(self) -> FirstSeen:
        return FirstSeen(self.first_source, self.first_url_id, self.first_time)

    def to_record(self) -> Record:
        first = iso_time(self.first_time)
        return {
            "founder": "%016x" % self.founder,  # hex_key, inline: one record a sighting
            "first": {  # FirstSeen.as_json, without building a FirstSeen
                "source": self.first_source,
                "url_id": self.first_url_id,
                "time": first,
            },
            "outlets": list(self.outlets),
            "articles": self.articles,
            "last": first if self.last is self.first_time else iso_time(self.last),
        }

    @classmethod
    def from_record(cls, key: int, value: Record) -> Cluster:
        first = value["first"]
        cluster = cls(
            key,
            int_key(value["founder"]),
            FirstSeen(first["source"], first["url_id"], parse_time(first["time"], "first")),
            tuple(value["outlets"]),
        )
        cluster.articles = int(value["articles"])
        cluster.last = parse_time(value["last"], "last")
        return cluster


def _founding_from(version: Record) -> Founding:
    """A version record's founding: a nested record, or (when it has only a similarity) the
    version's ``similarity``, or neither (nothing compared)."""
    value = version.get("founding")
    if not value:
        similarity = version.get("similarity")
        return plain_founding(float(similarity)) if similarity is not None else NO_FOUNDING
    return founding_from_record(value)


class Version:
    """One distinct normalized paragraph text and where it was first seen.

    Not tracked by the garbage collector (:func:`marsad_native.untrack`): the state holds
    hundreds of thousands of versions for weeks, and every full collection (one each time the
    tracked objects grow by a quarter) would scan them all, about 2 µs a paragraph. A version
    refers to its cluster (itself untracked), its founding record (tuples of atomic values) and
    atomic values, so no reference cycle goes through it; give it nothing that refers back.
    """

    __slots__ = (
        "cluster", "first", "founding", "handle", "key", "last", "seq", "source", "text",
        "url_id", "words",
    )  # fmt: skip

    def __init__(  # noqa: PLR0917 - positional: the stage builds one for every new text
        self,
        key: int,
        seq: int,
        cluster: Cluster,
        source: str,
        url_id: str,
        first: datetime,
        words: int,
        text: bytes | None,
        founding: Founding,
    ) -> None:
        self.key = key
        self.seq = seq
        """Order of appearance: ranks candidates and re-fills the index in the same order."""
        self.cluster = cluster
        self.source = source
        self.url_id = url_id
        """The article whose occurrence founded this version."""
        self.first = first
        self.last = first
        self.words = words
        self.text = text
        """The normalized words (:func:`encode_text`), kept only for indexed versions."""
        self.founding = founding
        self.handle = -1
        """Position in the LSH index's handle table; -1 if not indexed."""
        untrack(self)

    def to_record(self, text: str | None = None) -> Record:
        """The ``v:`` record; ``text``: the version's normalized text if the caller has it
        (spares decoding the stored bytes)."""
        first = iso_time(self.first)
        record: Record = {
            "seq": self.seq,
            "cluster": "%016x" % self.cluster.key,  # hex_key, inline
            "source": self.source,
            "url_id": self.url_id,
            "first": first,
            "last": first if self.last is self.first else iso_time(self.last),
            "words": self.words,
            "text": None if self.text is None else text or decode_text(self.text),
        }
        found = self.founding
        if found[NUMERIC_DIFF] or found[RELATED] or found[OTHER_EVENTS]:
            record["founding"] = founding_record(found)
        elif found is not NO_FOUNDING:  # only a similarity: no nested record
            record["similarity"] = found[SIMILARITY]
        return record

    @classmethod
    def from_record(cls, key: int, value: Record, cluster: Cluster) -> Version:
        text = value.get("text")
        version = cls(
            key=key,
            seq=int(value["seq"]),
            cluster=cluster,
            source=value["source"],
            url_id=value["url_id"],
            first=parse_time(value["first"], "first"),
            words=int(value["words"]),
            text=encode_text(text) if isinstance(text, str) else None,
            founding=_founding_from(value),
        )
        version.last = parse_time(value["last"], "last")
        return version


def stored_text(version: Version) -> bytes:
    """The stored (encoded) text of an indexed version, as the native core reads it."""
    if version.text is None:
        raise StateError(f"version {hex_key(version.key)} is not indexed: it has no text")
    return version.text


def indexed_text(version: Version) -> str:
    """The normalized text of an indexed version (only indexed versions keep it)."""
    return decode_text(stored_text(version))
