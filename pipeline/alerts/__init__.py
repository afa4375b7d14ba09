"""Alerting's pure core: rules, mentions, count statistics, calendar, evaluation.

    load_rules(path) -> RuleSet                        validates deploy/alerts.yaml
    build_evaluator(ruleset, tagger, state, feedback) -> Evaluator   the worker's, the CLI's
    Feedback(marks).replace(marks)                     analysts' noise / expected marks
    Evaluator(ruleset, state).process(mention) -> [AlertEvent]
    Evaluator.advance(now) -> [AlertEvent]             time passes without mentions
    AlertState.take_changes() -> {bytes: bytes | None} the records changed (for a table)
    AlertState.from_records(items) -> AlertState       rebuilt from the table
    coalesce(events)                                   one event per alert for a batch
    poisson_sf / negbin_sf / judge                     the count test
    season(day) / moment(when)                         hour of week, Friday, Ramadan, Eid

Errors (all ``kernel.exceptions.MarsadError``)::

    AlertError
    └── RuleConfigError     a rule is invalid: the rule id and the field

No I/O after loading, no settings, no framework imports; the worker keeps the state in a
changelog-backed table of :mod:`pipeline.alerts.codec` records.
"""

from pipeline.alerts.calendar import Season, moment, season
from pipeline.alerts.conditions import window_start
from pipeline.alerts.evaluate import Evaluator
from pipeline.alerts.events import (
    AlertEvent,
    Change,
    ClusterEvidence,
    Evidence,
    alert_id,
    coalesce,
)
from pipeline.alerts.exceptions import AlertError, RuleConfigError
from pipeline.alerts.factory import build_evaluator
from pipeline.alerts.feedback import Feedback, Mark
from pipeline.alerts.mentions import Mention, group_of
from pipeline.alerts.rules import FeedbackConfig, Rule, RuleSet, load_rules, parse_rules
from pipeline.alerts.state import AlertState
from pipeline.alerts.stats import Judgement, judge, negbin_sf, poisson_sf

__all__ = [
    "AlertError",
    "AlertEvent",
    "AlertState",
    "Change",
    "ClusterEvidence",
    "Evaluator",
    "Evidence",
    "Feedback",
    "FeedbackConfig",
    "Judgement",
    "Mark",
    "Mention",
    "Rule",
    "RuleConfigError",
    "RuleSet",
    "Season",
    "alert_id",
    "build_evaluator",
    "coalesce",
    "group_of",
    "judge",
    "load_rules",
    "moment",
    "negbin_sf",
    "parse_rules",
    "poisson_sf",
    "season",
    "window_start",
]
