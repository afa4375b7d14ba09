"""Attribution: who reports, claims or denies what the paragraph says (``attribution.yaml``).

Named monitors, agencies and media count wherever they are named. Generic sources ("ناشطون",
"مصادر محلية") and actors count as the subject of a reporting verb: the first one named within
``subject_window`` words after the verb with only title words before it ("أعلن المتحدث باسم
التحالف الدولي"), else one ending right before the verb or before "قد"/"كان" ("وكان المرصد قد
أشار"); a preposition ("بحسب") takes only what follows it. A source right after the subject
behind a relay word is relayed ("نقلت رويترز عن نشطاء"). Denial verbs ("نفى") make a denial.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from pipeline.tagging.entities import Entity, Mention, SourceName
from pipeline.tagging.lexicon import AttributionFile
from pipeline.tagging.matcher import Match, Proclitics, WordSet
from pipeline.tagging.paragraph import Paragraph
from pipeline.tagging.tags import Attribution, ClaimKind

_PUNCTUATION = re.compile(r"[^\w\s]")


class AttributionResolver:
    def __init__(self, lexicon: AttributionFile) -> None:
        self._lexicon = lexicon
        self._claims = WordSet(lexicon.claim_verbs, Proclitics.CONJUNCTION)
        self._prepositions = WordSet(lexicon.prepositions, Proclitics.CONJUNCTION)
        self._denials = WordSet(lexicon.denial_verbs, Proclitics.CONJUNCTION)
        self._titles = WordSet(lexicon.subject_titles)
        self._gap = WordSet(lexicon.subject_gap, Proclitics.EXACT)
        self._relays = WordSet(lexicon.relay_words, Proclitics.EXACT)
        self._cues = WordSet(
            (*lexicon.claim_verbs, *lexicon.prepositions, *lexicon.denial_verbs),
            Proclitics.CONJUNCTION,
        )
        self._relay_letters = tuple(w for w in lexicon.relay_words if len(w) == 1)

    def entries(self) -> Iterator[tuple[str, Entity, Proclitics]]:
        for source in self._lexicon.sources:
            payload = SourceName(source.id, source.kind == "generic")
            for name in source.names:
                yield name, payload, Proclitics.NAME

    @staticmethod
    def mentions(matches: Sequence[Match[Entity]]) -> list[Mention]:
        """Source mentions in text order."""
        return [
            Mention(m.first, m.end, p.source_id, "source", p.generic)
            for m in matches
            for p in m.payloads
            if isinstance(p, SourceName)
        ]

    def resolve(
        self, paragraph: Paragraph, sources: Sequence[Mention], actors: Sequence[Mention]
    ) -> tuple[Attribution, ...]:
        everyone = sorted((*sources, *actors), key=lambda m: (m.first, m.kind))
        starting = {m.first: m for m in everyone}
        found: dict[tuple[str, ClaimKind], Attribution] = {}

        def add(mention: Mention, kind: ClaimKind) -> None:
            surface = paragraph.surface(mention.first, mention.end)
            found.setdefault((mention.id, kind), Attribution(mention.id, surface, kind))

        for i, word in enumerate(paragraph.words):
            if word not in self._cues:
                continue
            denial = word in self._denials
            preposition = word in self._prepositions
            if not (denial or preposition or word in self._claims):
                continue
            subject = self._subject(paragraph, i, starting, everyone, backward=not preposition)
            if subject is None:
                continue
            add(subject, "denial" if denial else "claim")
            relayed = self._relayed(paragraph, subject, starting)
            if relayed is not None:
                add(relayed, "claim")
        for mention in sources:
            if not mention.generic:
                add(mention, "claim")
        order = {m.id: m.first for m in reversed(everyone)}
        return tuple(sorted(found.values(), key=lambda a: order.get(a.source_id, 0)))

    def _subject(
        self,
        paragraph: Paragraph,
        verb: int,
        starting: dict[int, Mention],
        everyone: Sequence[Mention],
        *,
        backward: bool,
    ) -> Mention | None:
        window = self._lexicon.subject_window
        for j in range(verb + 1, min(len(paragraph), verb + 1 + window)):
            if not paragraph.same_sentence(verb, j):
                break
            if j in starting:
                return starting[j]
            if paragraph.words[j] not in self._titles:
                break
        if not backward:
            return None
        gap = verb
        while gap > 0 and paragraph.words[gap - 1] in self._gap:
            gap -= 1
        for mention in everyone:
            if mention.end == gap and mention.end > 0:
                between = paragraph.norm[paragraph.ends[mention.end - 1] : paragraph.starts[verb]]
                if not _PUNCTUATION.search(between):  # "... مع الأسد"، وأكد" is another clause
                    return mention
        return None

    def _relayed(
        self, paragraph: Paragraph, subject: Mention, starting: dict[int, Mention]
    ) -> Mention | None:
        after = subject.end
        if after >= len(paragraph):
            return None
        if paragraph.words[after] in self._relays:
            candidate = starting.get(after + 1)
        else:
            candidate = starting.get(after)
            if candidate is not None and not paragraph.words[after].startswith(self._relay_letters):
                candidate = None
        if candidate is None or candidate.kind != "source":
            return None
        return candidate
