"""Watchlist queries: a saved Arabic query matched against each paragraph at ingest.

    query = parse_query('داعش "دير الزور" OR الرقة -هدنة')     syntax only (rule validation)
    compiled = compile_query(query, aliases)                    with the tagger's actor names
    compiled.match(words, actors) -> matched terms | None

Syntax: words and ``"quoted phrases"`` are terms; terms side by side must all match (AND);
``OR`` between two terms makes them alternatives (``a b OR c d`` = a AND (b OR c) AND d); a
leading ``-`` excludes paragraphs matching the term (NOT). No parentheses.

Matching goes through the project's one normalizer and tokenizer (:func:`kernel.text.tokens`:
hamzas, ta marbuta, alef maqsura and diacritics folded, lower-cased), word by word, so a term
never matches inside a longer word. Each word of a term may carry the proclitics the tagger
tolerates on names (و ف ب ل ك and their pairs, :func:`pipeline.tagging.matcher.variants`) and
the article ال (or لل after ل): ``الرقة`` matches ``وبالرقة`` and ``للرقة``, ``رقة`` matches
``الرقة``. A term that is one of an actor's names in the tagger's lexicon also matches every
paragraph the tagger tagged with that actor, whatever name it used (``داعش`` matches
``تنظيم الدولة``); that is how search's aliases and the tagger agree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kernel.text.normalize import tokens
from pipeline.tagging.matcher import Proclitics, variants

_TOKEN = re.compile(r'-?"[^"]*"|\S+')
ARTICLE = "ال"


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    """As written in the query (without quotes or ``-``): what the evidence lists."""
    words: tuple[str, ...]
    """Normalized words."""


@dataclass(frozen=True, slots=True)
class Query:
    """All of ``required`` (each a tuple of alternatives), none of ``excluded``."""

    text: str
    required: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...]


def parse_query(text: str) -> Query:
    """Parse a query; ValueError says what is wrong (the rule's validator reports it)."""
    required: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    for raw in _TOKEN.findall(text):
        if raw == "OR":
            if not required or pending_or:
                raise ValueError("OR needs a term on each side")
            pending_or = True
            continue
        negated = raw.startswith("-") and len(raw) > 1
        body = raw[1:] if negated else raw
        if body.startswith('"'):
            body = body[1:-1] if body.endswith('"') and len(body) > 1 else body[1:]
        words = tuple(tokens(body))
        if not words:
            raise ValueError(f"term {raw!r} has no words")
        term = Term(body.strip(), words)
        if negated:
            if pending_or:
                raise ValueError(f"a NOT term cannot be an OR alternative: {raw!r}")
            excluded.append(term)
        elif pending_or:
            required[-1].append(term)
            pending_or = False
        else:
            required.append([term])
    if pending_or:
        raise ValueError("OR needs a term on each side")
    if not required:
        raise ValueError("a query needs at least one term that is not excluded")
    return Query(text, tuple(tuple(c) for c in required), tuple(excluded))


def word_forms(word: str) -> frozenset[str]:
    """The written forms a query word matches: with proclitics, with or without ال."""
    forms = {form for form, _ in variants(word, Proclitics.NAME)}
    if not word.startswith(ARTICLE):
        forms |= {form for form, _ in variants(ARTICLE + word, Proclitics.NAME)}
    return frozenset(forms)


@dataclass(frozen=True, slots=True)
class _Compiled:
    term: Term
    forms: tuple[frozenset[str], ...]
    actors: frozenset[str]

    def found(self, words: Sequence[str], actors: frozenset[str]) -> bool:
        if self.actors & actors:
            return True
        first, size = self.forms[0], len(self.forms)
        for i in range(len(words) - size + 1):
            if words[i] in first and all(words[i + j] in self.forms[j] for j in range(1, size)):
                return True
        return False


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    query: Query
    required: tuple[tuple[_Compiled, ...], ...]
    excluded: tuple[_Compiled, ...]

    def match(self, words: Sequence[str], actors: Sequence[str]) -> tuple[str, ...] | None:
        """The terms that matched (one per required clause, every alternative that did), or
        None when the paragraph (its normalized ``words``, its tagged ``actors``) does not
        match."""
        tagged = frozenset(actors)
        if any(term.found(words, tagged) for term in self.excluded):
            return None
        matched: list[str] = []
        for clause in self.required:
            hits = [term.term.text for term in clause if term.found(words, tagged)]
            if not hits:
                return None
            matched += hits
        return tuple(dict.fromkeys(matched))


def compile_query(query: Query, aliases: Mapping[str, frozenset[str]]) -> CompiledQuery:
    """``aliases``: an actor name (normalized words joined by one space) -> the actor ids it
    names (from the tagger's lexicon, :func:`actor_aliases`)."""

    def one(term: Term) -> _Compiled:
        forms = tuple(word_forms(word) for word in term.words)
        return _Compiled(term, forms, aliases.get(" ".join(term.words), frozenset()))

    return CompiledQuery(
        query,
        tuple(tuple(one(t) for t in clause) for clause in query.required),
        tuple(one(t) for t in query.excluded),
    )


def actor_aliases(names: Mapping[str, Sequence[str]]) -> dict[str, frozenset[str]]:
    """Actor id -> its names (normalized, as the lexicon loader leaves them) turned into
    name -> actor ids."""
    aliases: dict[str, set[str]] = {}
    for actor, actor_names in names.items():
        for name in actor_names:
            aliases.setdefault(" ".join(tokens(name)), set()).add(actor)
    return {name: frozenset(ids) for name, ids in aliases.items()}
