"""The one way the worker and ``marsad alerts test`` build an evaluator."""

from __future__ import annotations

from pipeline.alerts.evaluate import Evaluator
from pipeline.alerts.rules import RuleSet
from pipeline.alerts.state import AlertState
from pipeline.tagging import Tagger


def build_evaluator(ruleset: RuleSet, tagger: Tagger, state: AlertState | None = None) -> Evaluator:
    """An evaluator of ``ruleset`` on ``state`` (a new one if None)."""
    del tagger  # watchlist queries will be compiled with the tagger's actor names
    return Evaluator(ruleset, state)
