"""The evaluator: mentions in, alert events out; pure and deterministic.

    evaluator = Evaluator(ruleset, state=AlertState())
    evaluator.process(mention, now=None) -> [AlertEvent]   count, judge, change alerts
    evaluator.advance(now) -> [AlertEvent]                  time passes: close windows,
                                                            resolve, detect silence

Windows are tumbling, by event time, aligned to the epoch (so a week holds a whole number of
them). The watermark is the latest event time seen; a window closes ``allowed_lateness`` after
its end. A mention for a closed window is still counted, but what it changes is reported as
``historical`` (a backfill does not page anyone), as is anything about a window closed before
``now`` (the wall clock the caller passes, if any).

Lifecycle: an alert opens when its rule's condition holds for a key in a window (id: hash of
rule, key and that window's start); it is updated, one event per change, when the count grows
or new outlet groups join, or when a later window holds the condition too; it resolves once a
whole window after its latest has closed without the condition; then the key is quiet for the
rule's ``cooldown``. Flatline alerts open when a key's silence passes its usual gap and resolve
when it is mentioned again.

Every state record the evaluator changes is marked in ``state.touched`` where it changes, so
:meth:`AlertState.take_changes` serializes only those. State kept under a rule id whose kind,
key fields or window changed (or whose rule is gone) is dropped when the evaluator is built.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from kernel.text.normalize import tokens
from pipeline.alerts.conditions import condition, count_mention, window_start
from pipeline.alerts.events import AlertEvent, Change, Evidence, alert_id
from pipeline.alerts.feedback import Feedback, Mark, noise_factor
from pipeline.alerts.keystate import Alert, Key, KeyState, Reported, RuleState, Touched
from pipeline.alerts.mentions import Mention, key_values, passes
from pipeline.alerts.rules import (
    FeedbackConfig,
    FlatlineRule,
    FrequencyRule,
    NewTermRule,
    Rule,
    RuleSet,
    SpikeRule,
    WatchlistRule,
)
from pipeline.alerts.state import AlertState
from pipeline.alerts.watchlist import CompiledQuery, compile_query, parse_query

MAX_GAPS = 50
FLATLINE_CHECK = timedelta(minutes=1)


class Evaluator:
    """Runs a rule set over mentions; all state is in :attr:`state`."""

    def __init__(
        self,
        ruleset: RuleSet,
        state: AlertState | None = None,
        feedback: Feedback | None = None,
        queries: Mapping[str, CompiledQuery] | None = None,
    ) -> None:
        """``queries``: the watchlist rules' queries compiled with the tagger's actor names
        (:func:`pipeline.alerts.build_evaluator`); a watchlist rule missing from it matches
        words only."""
        self.ruleset = ruleset
        self.state = state if state is not None else AlertState()
        self.feedback = feedback if feedback is not None else Feedback()
        """Analysts' marks; the worker replaces them (``feedback.replace``) as they change."""
        given = queries or {}
        self._queries = {
            rule.id: given.get(rule.id) or compile_query(parse_query(rule.query), {})
            for rule in ruleset.rules
            if isinstance(rule, WatchlistRule)
        }
        self._words: tuple[str, tuple[str, ...]] = ("", ())
        shapes = {rule.id: shape(rule) for rule in ruleset.rules}
        for rule_id, rs in list(self.state.rules.items()):
            if shapes.get(rule_id) != rs.shape:  # a rule gone, or its key or window changed:
                self.state.forget_rule(rule_id)  # what it counted means nothing now

    def _rules_state(self, rule: Rule) -> RuleState:
        rs = self.state.rules.get(rule.id)
        if rs is None:
            rs = self.state.rules[rule.id] = RuleState(shape=shape(rule))
            self.state.touched.rule(rule.id)
        return rs

    def _set_watermark(self, when: datetime) -> None:
        state = self.state
        if state.watermark is None or when > state.watermark:
            state.watermark = when
            state.touched.watermark = True

    def process(self, mention: Mention, now: datetime | None = None) -> list[AlertEvent]:
        if mention.time.tzinfo is None:
            raise ValueError("mention time must be timezone-aware")
        when = mention.time.astimezone(UTC)
        state = self.state
        previous = state.watermark
        self._set_watermark(when)
        watermark = self._watermark()
        horizon = watermark if now is None else max(watermark, now)
        events: list[AlertEvent] = []
        for rule in self.ruleset.rules:
            rules_state = self._rules_state(rule)
            if (
                rules_state.started is None
                or when < rules_state.started
                or (previous is not None and when - previous > _memory(rule))
            ):  # (nothing at all for longer than the rule remembers: what it knew is stale,
                # so it learns again: no flood of "new" terms)
                rules_state.started = when
                state.touched.rule(rule.id)
            if not passes(mention, rule.filters):
                continue
            terms: tuple[str, ...] = ()
            if isinstance(rule, WatchlistRule):
                found = self._queries[rule.id].match(self._words_of(mention), mention.actors)
                if found is None:
                    continue
                terms = found
            query = rule.query if isinstance(rule, WatchlistRule) else ""
            for key in key_values(mention, rule.key, rule.match, rule.keywords, query):
                events += self._observe(
                    rule,
                    rs=rules_state,
                    key=key,
                    mention=mention,
                    when=when,
                    horizon=horizon,
                    terms=terms,
                )
        events += self.advance(watermark)
        return events

    # -- one mention, one key -----------------------------------------------------------------

    def _observe(
        self,
        rule: Rule,
        *,
        rs: RuleState,
        key: Key,
        mention: Mention,
        when: datetime,
        horizon: datetime,
        terms: tuple[str, ...] = (),
    ) -> list[AlertEvent]:
        touched = self.state.touched
        touched.key(rule.id, key)
        ks = rs.keys.setdefault(key, KeyState())
        start = window_start(when, rule.window)
        before = ks.last_seen
        if before is not None and when > before:
            ks.gaps = [*ks.gaps[-(MAX_GAPS - 1) :], (when - before).total_seconds()]
        ks.last_seen = when if before is None else max(before, when)
        changed = count_mention(
            ks,
            start,
            mention,
            when,
            unit=rule.unit,
            recent=isinstance(rule, FrequencyRule),
            terms=terms,
        )
        if changed is not None:
            touched.bucket(rule.id, key, changed[0])
            touched.cluster(rule.id, key, *changed)
        if isinstance(rule, FlatlineRule):
            return self._resolve(rule, rs, key, when)
        if isinstance(rule, NewTermRule):
            warmup = rule.warmup if rule.warmup is not None else rule.lookback
            unseen = before is None or when - before > rule.lookback
            if unseen and rs.started is not None and rs.started + warmup <= when:
                ks.new_window = start
        closed = start + rule.window + self.ruleset.allowed_lateness <= horizon
        mark = self.feedback.active(rule.id, key, start, start + rule.window, self._config)
        if mark is not None and mark.kind == "noise" and isinstance(rule, NewTermRule):
            return []  # not news for the noise period: a first mention cannot rise higher
        fires, evidence = condition(rule, rs, ks, start, noise_factor(mark, self._config))
        if not fires:
            return []
        evidence = self._marked(evidence, mark)
        if closed:
            return self._historical(rule, rs, key, start, evidence)
        expected = mark is not None and mark.kind == "expected"
        return self._change(rule, rs=rs, key=key, start=start, evidence=evidence, known=expected)

    def _change(
        self,
        rule: Rule,
        *,
        rs: RuleState,
        key: Key,
        start: datetime,
        evidence: Evidence,
        known: bool = False,
    ) -> list[AlertEvent]:
        """The condition holds for ``key`` in the window at ``start``: open or update. ``known``
        (marked expected): growth alone is no update."""
        groups = frozenset(evidence.groups)
        alert = rs.alerts.get(key)
        if alert is not None:
            later = start > alert.window
            joined = not groups <= alert.groups
            counts = not (known or isinstance(rule, NewTermRule))  # a new term is news once;
            grew = start == alert.window and (  # its spread across groups is, not repetition
                joined or (counts and evidence.observed > alert.observed)
            )
            if not (later or grew):
                return []
            alert.groups = groups if later else alert.groups | groups
            alert.window, alert.observed, alert.evidence = start, evidence.observed, evidence
            return [
                self._event(
                    rule, key, start, ident=alert.id, change=Change.UPDATE, evidence=evidence
                )
            ]
        quiet = rs.quiet_until.get(key)
        if quiet is not None and self._watermark() < quiet:
            return []  # cooldown
        ident = alert_id(rule.id, key, start)
        rs.alerts[key] = Alert(
            ident, key, start, start, evidence.observed, groups, evidence.first_seen, evidence
        )
        return [self._event(rule, key, start, ident=ident, change=Change.OPEN, evidence=evidence)]

    def _historical(
        self, rule: Rule, rs: RuleState, key: Key, start: datetime, evidence: Evidence
    ) -> list[AlertEvent]:
        """The window had closed: report (once per change) without touching live alerts."""
        groups = frozenset(evidence.groups)
        ident = alert_id(rule.id, key, start)
        live = rs.alerts.get(key)
        if (
            live is not None
            and live.id == ident
            and evidence.observed <= live.observed
            and groups <= live.groups
        ):
            return []  # the live alert already said so (its data processed again)
        reports = rs.historical.setdefault(key, {})
        last = reports.get(start)
        if last is not None and evidence.observed <= last.observed and groups <= last.groups:
            return []
        reports[start] = Reported(evidence.observed, groups, self._watermark())
        change = Change.OPEN if last is None else Change.UPDATE
        return [
            self._event(
                rule, key, start, ident=ident, change=change, evidence=evidence, historical=True
            )
        ]

    def _resolve(self, rule: Rule, rs: RuleState, key: Key, when: datetime) -> list[AlertEvent]:
        """Close the key's open alert (a silence heard again, a window long past), if any."""
        alert = rs.alerts.pop(key, None)
        if alert is None:
            return []
        self.state.touched.key(rule.id, key)
        rs.quiet_until[key] = when + rule.cooldown
        return [
            self._event(
                rule,
                key,
                alert.window,
                ident=alert.id,
                change=Change.RESOLVE,
                evidence=alert.evidence,
            )
        ]

    # -- time passes --------------------------------------------------------------------------

    def advance(self, now: datetime) -> list[AlertEvent]:
        """Move the watermark to ``now`` (if later): resolve finished alerts, find silences."""
        touched = self.state.touched
        self._set_watermark(now)
        watermark = self._watermark()
        lateness = self.ruleset.allowed_lateness
        events: list[AlertEvent] = []
        for rule in self.ruleset.rules:
            rs = self._rules_state(rule)
            if isinstance(rule, FlatlineRule):
                if rs.checked is None or watermark - rs.checked >= FLATLINE_CHECK:
                    rs.checked = watermark
                    touched.rule(rule.id)
                    events += self._silences(rule, rs, watermark)
            else:
                for key, alert in sorted(rs.alerts.items()):
                    if alert.window + 2 * rule.window + lateness <= watermark:
                        events += self._resolve(rule, rs, key, watermark)
            current = window_start(watermark, rule.window)
            if rs.pruned != current:
                rs.pruned = current
                touched.rule(rule.id)
                _prune(rule, rs, watermark - _retention(rule) - lateness, watermark, touched)
        return events

    def _silences(self, rule: FlatlineRule, rs: RuleState, watermark: datetime) -> list[AlertEvent]:
        events: list[AlertEvent] = []
        for key, ks in sorted(rs.keys.items()):
            if key in rs.alerts or ks.last_seen is None or len(ks.gaps) < rule.min_gaps:
                continue
            quiet = rs.quiet_until.get(key)
            if quiet is not None and watermark < quiet:
                continue
            usual = _quantile(ks.gaps, rule.gap_quantile)
            mark = self.feedback.active(rule.id, key, watermark, watermark, self._config)
            limit = max(rule.min_silence.total_seconds(), rule.gap_factor * usual)
            limit *= noise_factor(mark, self._config)
            silence = (watermark - ks.last_seen).total_seconds()
            if silence <= limit:
                continue
            evidence = Evidence(
                observed=0,
                expected=None,
                expected_range=None,
                p_value=None,
                groups=(),
                top_clusters=(),
                first_seen=ks.last_seen,
                reason=f"silent {silence / 3600:.1f} h > {limit / 3600:.1f} h",
                notes={"usual_gap_s": round(usual), "limit_s": round(limit)},
            )
            evidence = self._marked(evidence, mark)
            ident = alert_id(rule.id, key, ks.last_seen)
            self.state.touched.key(rule.id, key)
            rs.alerts[key] = Alert(
                ident, key, ks.last_seen, ks.last_seen, 0, frozenset(), ks.last_seen, evidence
            )
            events.append(
                self._event(
                    rule, key, ks.last_seen, ident=ident, change=Change.OPEN, evidence=evidence
                )
            )
        return events

    # -- helpers ------------------------------------------------------------------------------

    def _words_of(self, mention: Mention) -> tuple[str, ...]:
        """The paragraph's normalized words (computed once for every watchlist rule)."""
        if self._words[0] is not mention.text:
            self._words = (mention.text, tuple(tokens(mention.text)))
        return self._words[1]

    @property
    def _config(self) -> FeedbackConfig:
        return self.ruleset.feedback

    def _marked(self, evidence: Evidence, mark: Mark | None) -> Evidence:
        """The evidence, saying which analyst's mark was in force (``notes.feedback``)."""
        if mark is None:
            return evidence
        return replace(evidence, notes={**evidence.notes, "feedback": mark.note(self._config)})

    def _watermark(self) -> datetime:
        if self.state.watermark is None:
            raise RuntimeError("no watermark before the first mention or advance")
        return self.state.watermark

    def _event(
        self,
        rule: Rule,
        key: Key,
        start: datetime,
        *,
        ident: str,
        change: Change,
        evidence: Evidence,
        historical: bool = False,
    ) -> AlertEvent:
        return AlertEvent(
            alert_id=ident,
            change=change,
            rule=rule.id,
            kind=rule.kind,
            key=dict(zip(rule.key, key, strict=True)),
            window_start=start,
            window_end=start + rule.window,
            at=self._watermark(),
            historical=historical,
            evidence=evidence,
        )


def _retention(rule: Rule) -> timedelta:
    if isinstance(rule, SpikeRule):
        history = (
            rule.seasonal_weeks * timedelta(weeks=1)
            if rule.reference == "seasonal"
            else rule.window
        )
    elif isinstance(rule, FrequencyRule):
        history = rule.timeframe
    else:
        history = rule.window
    return history + 2 * rule.window


def _memory(rule: Rule) -> timedelta:
    """How far back the rule looks: a silence of the whole stream longer than this resets it."""
    if isinstance(rule, NewTermRule):
        return rule.lookback
    return _retention(rule)


def _forget(
    rule: str, key: Key, ks: KeyState, *, old: list[datetime], stale: list[str], touched: Touched
) -> None:
    """Drop the key's ``old`` window buckets (their clusters' records go; those still counted
    become orphans) and the ``stale`` counted clusters."""
    for start in old:
        for cluster in ks.buckets.pop(start).clusters:
            touched.cluster(rule, key, start, cluster)
            if ks.counted.get(cluster) == start:
                ks.orphans.setdefault(start, set()).add(cluster)
        touched.bucket(rule, key, start)
    for cluster in stale:
        start = ks.counted.pop(cluster)
        left = ks.orphans.get(start)
        if left is not None:
            left.discard(cluster)
            if not left:
                del ks.orphans[start]


def _prune(
    rule: Rule, rs: RuleState, before: datetime, watermark: datetime, touched: Touched
) -> None:
    """Forget windows older than the rule needs, expired cooldowns and old historical reports;
    keys with nothing left (and nothing a new_term or flatline rule must remember) go. Every
    key or bucket changed is marked touched."""
    counted_since = before - timedelta(days=1)  # a copy a day later is still not news
    for key in list(rs.keys):
        ks = rs.keys[key]
        old = [start for start in ks.buckets if start < before]
        stale = [c for c, start in ks.counted.items() if start < counted_since]
        recent = [r for r in ks.recent if r[0] >= before]
        if old or stale or len(recent) != len(ks.recent):
            touched.key(rule.id, key)
            _forget(rule.id, key, ks, old=old, stale=stale, touched=touched)
            ks.recent = recent
        if isinstance(rule, FlatlineRule):
            continue
        remembered = (
            isinstance(rule, NewTermRule)
            and ks.last_seen is not None
            and (ks.last_seen > before - rule.lookback)
        )
        if not ks.buckets and key not in rs.alerts and not remembered:
            del rs.keys[key]
            touched.key(rule.id, key)
    for key, until in list(rs.quiet_until.items()):
        if until <= watermark:
            del rs.quiet_until[key]
            touched.key(rule.id, key)
    for key, reports in list(rs.historical.items()):
        kept = {start: r for start, r in reports.items() if r.noted >= before}
        if len(kept) != len(reports):
            touched.key(rule.id, key)
            if kept:
                rs.historical[key] = kept
            else:
                del rs.historical[key]


def shape(rule: Rule) -> str:
    """What a rule's state depends on: its kind, key fields, window and unit."""
    return f"{rule.kind}|{','.join(rule.key)}|{int(rule.window.total_seconds())}|{rule.unit}"


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]
