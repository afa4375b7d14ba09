"""What a search query means, read with the tagger's lexicons: the query words, the names of
actors and sources in them (whose other names are searched too), the proclitic forms of each
word, and the place names that stand bare as common words.

    expansion = QueryExpansion.load(lexicon_dir)      # or .of(lexicons, gazetteer); .none()
    expanded = expansion.expand("لداعش في حلب")
    expanded.segments   # Segment("داعش", group=isis), Segment("في"), Segment("حلب")

- **Names.** Actor names (``actors.yaml``: ``names``, not anaphors or demonyms) and the news
  sources of ``attribution.yaml`` (their ``names``) are found in
  the query as the tagger finds them in a paragraph (same matcher, same proclitics, longest
  name first). A found name is searched as any name of its actor, each as an exact phrase with
  the proclitics of its first word; the hit says which name it matched. The names of countries
  and capitals (``located``: an actor only when it acts, a place otherwise) are searched as
  themselves: a query has no context to tell, and "دمشق" alone asks for the city.
- **Proclitics.** Every other word is searched with the forms the tagger reads: و ف ب ل ك and
  their pairs, لل for a word with ال (:func:`pipeline.tagging.matcher.variants`). The engine's
  light stemmer strips only و and the article forms, so ``بحلب``, ``لدمشق``, ``كقذيفة`` were lost.
- **Common words that are place names.** A ``guarded`` name of ``stopwords.yaml`` standing in
  the query without a settlement word before it (``التضامن``, not ``حي التضامن``) is read as the
  common word, as the tagger reads it: paragraphs the tagger put at that place are left out.

Pure: no I/O after loading, one object per process (loading the gazetteer takes ~2 s).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.tagging.gazetteer import Gazetteer
from pipeline.tagging.lexicon import Lexicons, load_lexicons
from pipeline.tagging.matcher import PhraseMatcher, Proclitics, WordSet, longest_first, variants
from pipeline.tagging.paragraph import Paragraph


@dataclass(frozen=True, slots=True)
class AliasGroup:
    """The names of one actor or news source (normalized, as the tagger reads them)."""

    id: str
    name_en: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Guarded:
    name: str
    place_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Located:
    name: str


@dataclass(frozen=True, slots=True)
class Segment:
    """One word of the query, or the words of a name found in it."""

    words: tuple[str, ...]
    """Normalized words, without the proclitic the query may have put before a name."""
    group: AliasGroup | None = None
    """The actor or source these words name (then any of its names is searched)."""
    surface: str = ""
    """A plain word as the query wrote it: sent as written, the engine's analyzer normalizes
    it (the one mirrored by :mod:`kernel.text.normalize`, and the only one an engine with a
    simpler analyzer has)."""

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True, slots=True)
class ExpandedQuery:
    segments: tuple[Segment, ...]
    common_words: Mapping[str, tuple[str, ...]]
    """Query word read as a common word → the place ids whose paragraphs are left out."""

    @property
    def excluded_places(self) -> tuple[str, ...]:
        return tuple(sorted({p for ids in self.common_words.values() for p in ids}))


def word_forms(word: str) -> list[str]:
    """``word`` and its proclitic forms, as the tagger matches a name (``حلب`` → ``بحلب``...)."""
    return [form for form, _ in variants(word, Proclitics.NAME)]


class QueryExpansion:
    """Reads queries with the names of the lexicons (see the module docstring)."""

    def __init__(
        self,
        groups: Sequence[AliasGroup],
        guarded: Mapping[str, Sequence[str]],
        settlement_triggers: Iterable[str],
        located: Iterable[str] = (),
    ) -> None:
        self.groups = {g.id: g for g in groups}
        self._guarded = {name: tuple(sorted(set(ids))) for name, ids in guarded.items()}
        places = set(located)
        entries: list[tuple[str, AliasGroup | _Guarded | _Located, Proclitics]] = []
        owner: dict[str, str] = {}
        for group in groups:
            for name in group.names:
                if name in places:
                    entries.append((name, _Located(name), Proclitics.NAME))
                elif owner.setdefault(name, group.id) == group.id:  # first group keeps a name
                    entries.append((name, group, Proclitics.NAME))
        entries += [(n, _Guarded(n, ids), Proclitics.NAME) for n, ids in self._guarded.items()]
        self._names: PhraseMatcher[AliasGroup | _Guarded | _Located] = PhraseMatcher(entries)
        self._triggers = WordSet(settlement_triggers)

    @classmethod
    def none(cls) -> QueryExpansion:
        """No names: only the proclitic forms of each word."""
        return cls([], {}, [])

    @classmethod
    def of(cls, lexicons: Lexicons, gazetteer: Gazetteer) -> QueryExpansion:
        groups = [AliasGroup(a.id, a.name_en, tuple(a.names)) for a in lexicons.actors.actors]
        groups += [
            AliasGroup(s.id, s.name_en, tuple(s.names)) for s in lexicons.attribution.sources
        ]
        guarded: dict[str, list[str]] = {}
        for phrase, payload in gazetteer.names:
            if payload.guarded:
                guarded.setdefault(phrase, []).append(payload.place_id)
        return cls(groups, guarded, lexicons.stopwords.settlement_triggers, lexicons.actors.located)

    @classmethod
    def load(cls, lexicon_dir: Path) -> QueryExpansion:
        """From a lexicon folder; raises :class:`~pipeline.tagging.LexiconError`."""
        lexicons = load_lexicons(lexicon_dir)
        return cls.of(lexicons, Gazetteer.build(lexicons))

    def expand(self, query: str) -> ExpandedQuery:
        paragraph = Paragraph.of(query)
        words = paragraph.words
        found = {m.first: m for m in longest_first(self._names.find(paragraph))}
        segments: list[Segment] = []
        common: dict[str, tuple[str, ...]] = {}
        i = 0
        while i < len(words):
            match = found.get(i)
            if match is None:
                bare = self._guarded.get(words[i]) or self._guarded.get("ال" + words[i])
                if bare and not (i and words[i - 1] in self._triggers):
                    common[words[i]] = bare
                segments.append(Segment((words[i],), surface=paragraph.surface(i, i + 1)))
                i += 1
                continue
            payload = match.payloads[0]
            named = _name_of(words[match.first : match.end], match.proclitic, payload)
            if isinstance(payload, AliasGroup):
                segments.append(Segment(named, payload))
            else:
                if isinstance(payload, _Guarded) and not (i and words[i - 1] in self._triggers):
                    common[" ".join(named)] = payload.place_ids
                segments.extend(Segment((w,)) for w in named)
            i = match.end
        return ExpandedQuery(tuple(segments), common)


def _name_of(
    written: Sequence[str], proclitic: str, payload: AliasGroup | _Guarded | _Located
) -> tuple[str, ...]:
    """The name a match read, without the query's proclitic (``للرقة`` → ``الرقة``)."""
    rest = list(written[1:])
    first = written[0].removeprefix(proclitic)
    names = payload.names if isinstance(payload, AliasGroup) else (payload.name,)
    for candidate in (first, "ا" + first):  # لل + a name with ال is written without its ا
        if " ".join([candidate, *rest]) in names:
            return (candidate, *rest)
    return (first, *rest)


__all__ = ["AliasGroup", "ExpandedQuery", "QueryExpansion", "Segment", "word_forms"]
