"""The one way the worker and ``marsad alerts test`` build an evaluator: rules, state, marks,
and the watchlist queries compiled with the tagger's actor names."""

from __future__ import annotations

from pipeline.alerts.evaluate import Evaluator
from pipeline.alerts.feedback import Feedback
from pipeline.alerts.rules import RuleSet, WatchlistRule
from pipeline.alerts.state import AlertState
from pipeline.alerts.watchlist import actor_aliases, compile_query, parse_query
from pipeline.tagging import Tagger


def build_evaluator(
    ruleset: RuleSet,
    tagger: Tagger,
    state: AlertState | None = None,
    feedback: Feedback | None = None,
) -> Evaluator:
    """An evaluator of ``ruleset`` on ``state`` (a new one if None) with analysts' marks; a
    watchlist term that is an actor's name in ``tagger``'s lexicon also matches paragraphs
    tagged with that actor."""
    aliases = actor_aliases({a.id: a.names for a in tagger.lexicons.actors.actors})
    queries = {
        rule.id: compile_query(parse_query(rule.query), aliases)
        for rule in ruleset.rules
        if isinstance(rule, WatchlistRule)
    }
    return Evaluator(ruleset, state, feedback, queries)
