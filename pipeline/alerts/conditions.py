"""Each rule kind's condition over a key's state, and the evidence it gives.

    count_mention(key_state, window_start, mention, when)   a cluster counts once per key
    condition(rule, rule_state, key_state, window_start) -> (fires, Evidence)

Spike rules judge the window's count against the previous window or a seasonal baseline with
:func:`pipeline.alerts.stats.judge`; threshold, frequency and new-term rules are counts with
minimum outlet groups. Flatline rules are judged in :mod:`pipeline.alerts.evaluate` (silence
is found as time passes, not when a mention arrives).
"""

from __future__ import annotations

import heapq
import math
from datetime import UTC, datetime, timedelta

from pipeline.alerts.calendar import moment, seasonal_starts
from pipeline.alerts.events import ClusterEvidence, Evidence
from pipeline.alerts.keystate import Bucket, ClusterSeen, KeyState, RuleState
from pipeline.alerts.mentions import Mention
from pipeline.alerts.rules import (
    FrequencyRule,
    NewTermRule,
    Rule,
    SpikeRule,
    ThresholdRule,
    WatchlistRule,
)
from pipeline.alerts.stats import judge

EPOCH = datetime(1970, 1, 5, tzinfo=UTC)  # a Monday: windows align with weeks
TOP_CLUSTERS = 5


def window_start(when: datetime, window: timedelta) -> datetime:
    """Tumbling windows aligned to a Monday 00:00 UTC, so a week holds a whole number."""
    return when - (when - EPOCH) % window


def count_mention(
    ks: KeyState,
    start: datetime,
    mention: Mention,
    when: datetime,
    *,
    unit: str = "cluster",
    recent: bool = False,
    terms: tuple[str, ...] = (),
) -> tuple[datetime, str] | None:
    """Count the mention's cluster (or story, ``unit``) once per key, in the window where it
    was first seen; a copy from another article adds its outlet group. Returns the window
    whose bucket changed (None: nothing changed, e.g. the same article processed again).
    ``recent``: keep it in :attr:`KeyState.recent` (sliding frequency rules); ``terms``: the
    watchlist terms the paragraph matched (kept in the bucket for the evidence). Returns the
    window and the cluster (or story) whose records changed, or None."""
    ident = mention.unit(unit)
    counted_in = ks.counted.get(ident)
    if counted_in is None:
        ks.counted[ident] = start
        bucket = ks.buckets.setdefault(start, Bucket())
        bucket.clusters[ident] = ClusterSeen(mention.url, when, {mention.group})
        bucket.groups.add(mention.group)
        bucket.terms.update(terms)
        if recent:
            ks.recent.append((when, ident, mention.group))
        return start, ident
    earlier = ks.buckets.get(counted_in)
    seen = earlier.clusters.get(ident) if earlier is not None else None
    if earlier is None or seen is None:
        return None
    changed = not earlier.terms.issuperset(terms)
    earlier.terms.update(terms)
    if mention.url != seen.url and mention.url not in seen.copies:  # a copy, not the same
        seen.copies.add(mention.url)  # article processed again: a sighting, not a count
        changed = True
    if mention.group not in seen.groups:  # its outlet group joins the evidence
        seen.groups.add(mention.group)
        earlier.groups.add(mention.group)
        changed = True
    if when < seen.first:
        seen.first = when
        changed = True
    return (counted_in, ident) if changed else None


def condition(
    rule: Rule, rs: RuleState, ks: KeyState, start: datetime, scale: float = 1.0
) -> tuple[bool, Evidence]:
    """Whether the rule's condition holds for the key in the window at ``start``. ``scale``
    (analysts' noise mark, :mod:`pipeline.alerts.feedback`) multiplies a spike's reference rate
    and a threshold's or frequency's count."""
    bucket = ks.buckets.get(start, Bucket())
    observed, groups = bucket.count, len(bucket.groups)
    if isinstance(rule, SpikeRule):
        return spike(rule, rs, ks, start, bucket, scale=scale)
    if isinstance(rule, FrequencyRule):
        last = ks.last_seen or start
        recent = [(t, c, g) for t, c, g in ks.recent if t > last - rule.timeframe]
        ks.recent = recent
        observed = len({c for _, c, _ in recent})
        groups = len({g for _, _, g in recent})
        needed = math.ceil(max(rule.count, rule.min_count) * scale)
        fires = observed >= needed and groups >= rule.min_groups
        why = f"{observed} in {rule.timeframe} (needs {needed}, {rule.min_groups} groups)"
        groups_seen = sorted({g for *_, g in recent})
        return fires, evidence_of(bucket, observed, why, groups=groups_seen, full=fires)
    if isinstance(rule, ThresholdRule | WatchlistRule):
        needed = math.ceil(max(rule.count, rule.min_count) * scale)
        fires = observed >= needed and groups >= rule.min_groups
        why = f"{observed} in window (needs {needed}, {rule.min_groups} groups)"
        notes: dict[str, object] = {}
        if isinstance(rule, WatchlistRule):
            notes = {"query": rule.query, "matched": sorted(bucket.terms)}
        return fires, evidence_of(bucket, observed, why, notes=notes, full=fires)
    if isinstance(rule, NewTermRule):
        fires = ks.new_window == start and observed >= rule.min_count and groups >= rule.min_groups
        why = f"first mention in {rule.lookback.days} days"
        return fires, evidence_of(bucket, observed, why, full=fires)
    return False, evidence_of(bucket, observed, "flatline counts silences", full=False)


def spike(
    rule: SpikeRule, rs: RuleState, ks: KeyState, start: datetime, bucket: Bucket, *, scale: float
) -> tuple[bool, Evidence]:
    origin = window_start(rs.started or start, rule.window)
    if rule.reference == "previous":
        references = [start - rule.window]
    else:
        references = seasonal_starts(start, rule.seasonal_weeks)
    covered = [ref for ref in references if ref >= origin]
    notes: dict[str, object] = {"reference": rule.reference}
    if rule.reference == "seasonal":
        when = moment(start)
        notes |= {
            "hour_of_week": when.hour_of_week,
            "rest_day": when.rest_day,
            "season": when.season.value,
            "baseline_windows": [ref.isoformat() for ref in covered],
        }
    if not covered:
        return False, evidence_of(bucket, bucket.count, "no reference yet", notes=notes, full=False)
    counts = [scale * (ks.buckets[ref].count if ref in ks.buckets else 0) for ref in covered]
    mean = sum(counts) / len(counts)
    variance = sum((c - mean) ** 2 for c in counts) / (len(counts) - 1) if len(counts) > 1 else mean
    verdict = judge(
        bucket.count,
        len(bucket.groups),
        mean,
        variance=variance if rule.distribution == "negbin" else None,
        p_value=rule.p_value,
        min_count=rule.min_count,
        min_groups=rule.min_groups,
        min_ratio=rule.min_ratio,
        floor=rule.expected_floor * scale,
    )
    spread = math.sqrt(max(variance, mean))
    low = max(0, math.floor(mean - 2 * spread))
    evidence = evidence_of(
        bucket,
        bucket.count,
        verdict.reason,
        expected=mean,
        expected_range=(low, verdict.expected_high),
        p_value=verdict.p_value,
        notes=notes,
        full=verdict.fires,
    )
    return verdict.fires, evidence


def evidence_of(
    bucket: Bucket,
    observed: int,
    reason: str,
    *,
    expected: float | None = None,
    expected_range: tuple[int, int] | None = None,
    p_value: float | None = None,
    groups: list[str] | None = None,
    notes: dict[str, object] | None = None,
    full: bool = True,
) -> Evidence:
    """The evidence of a count. ``full=False`` (the condition does not hold, nothing will
    carry this evidence) leaves out the top clusters and first sighting, which cost a pass
    over every cluster of the window."""
    if not full:
        return Evidence(
            observed=observed,
            expected=expected,
            expected_range=expected_range,
            p_value=p_value,
            groups=tuple(sorted(bucket.groups if groups is None else groups)),
            top_clusters=(),
            first_seen=None,
            reason=reason,
            notes=dict(notes or {}),
        )
    ranked = heapq.nsmallest(  # sorted(...)[:TOP_CLUSTERS] without sorting every cluster
        TOP_CLUSTERS,
        bucket.clusters.items(),
        key=lambda item: (-len(item[1].groups), -item[1].sightings, item[0]),
    )
    top = tuple(
        ClusterEvidence(cid, seen.url, seen.sightings, tuple(sorted(seen.groups)))
        for cid, seen in ranked
    )
    first = min((seen.first for seen in bucket.clusters.values()), default=None)
    return Evidence(
        observed=observed,
        expected=expected,
        expected_range=expected_range,
        p_value=p_value,
        groups=tuple(sorted(bucket.groups if groups is None else groups)),
        top_clusters=top,
        first_seen=first,
        reason=reason,
        notes=dict(notes or {}),
    )
