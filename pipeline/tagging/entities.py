"""What a matched name points to, and where in the paragraph a resolved entity was named.

One automaton holds the names of actors, places and sources (and phrases that block them); a
match's payloads say which. Overlaps between them are settled longest-first, so "قوات سوريا
الديمقراطية" is an actor, not a mention of Syria, and "جبهة علماء حلب" is a source, not Aleppo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pipeline.tagging.gazetteer import PlaceName


@dataclass(frozen=True, slots=True)
class ActorName:
    actor_ids: tuple[str, ...]
    role: Literal["name", "anaphor", "demonym", "country"]


@dataclass(frozen=True, slots=True)
class SourceName:
    source_id: str
    generic: bool
    """A generic source (activists, unnamed sources) counts only as a reporting verb's subject."""


@dataclass(frozen=True, slots=True)
class Blocked:
    """A phrase that contains a name without meaning it ("النظام الدولي")."""


Entity = ActorName | PlaceName | SourceName | Blocked


@dataclass(frozen=True, slots=True)
class Mention:
    """A resolved actor or source named by words ``first`` to ``end - 1``."""

    first: int
    end: int
    id: str
    kind: Literal["actor", "source"]
    generic: bool = False
    party: bool = False
    """Named by a country's or capital's name read as a party, not as a location."""
