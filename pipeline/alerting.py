"""Alerting's I/O around the pure core (:mod:`pipeline.alerts`): what the worker and the
commands read and write.

    alerting_parts(settings, groups) -> Alerting       rules, tagger, notifiers of a deployment
    notifiers_from(settings) -> (Notifier, ...)        webhook and/or e-mail, from the settings
    published_deliveries(settings) -> {delivery id}    what news.alerts.v1 already holds
    alert_events(sink, ...) / load_marks(sink, rules)  the alerts index: events, analysts' marks
    mark_alert(sink, alert_id, verdict)                an analyst's mark on every event of an alert

The alerts index holds one document per alert event (id: the delivery id,
``<alert id>:<change>:<event time>:<digest>``); an alert's state is its newest event. A mark
(``triage``: ``noise`` or ``expected``, ``triaged_at``) is written on every event of the alert,
and read back by the worker into the evaluator's :class:`~pipeline.alerts.Feedback`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from kernel.exceptions import MarsadError
from kernel.settings import Settings
from kernel.topics import ALERTS
from pipeline.alerts import AlertState, Evaluator, RuleSet, build_evaluator, load_rules
from pipeline.notifiers import (
    EmailNotifier,
    Notifier,
    SmtpConfig,
    WebhookNotifier,
    delivery_of,
)
from pipeline.sinks.types import IndexAction, SearchSink
from pipeline.tagging import Tagger

log = logging.getLogger(__name__)

VERDICTS = ("noise", "expected")
MAX_EVENTS = 10_000


class AlertConfigError(MarsadError):
    """The alerting settings are incomplete (a webhook without its secret, ...)."""


@dataclass(frozen=True, slots=True)
class Alerting:
    """Everything the worker's alert agents need, loaded once at start."""

    ruleset: RuleSet
    tagger: Tagger
    groups: Mapping[str, str]
    notifiers: tuple[Notifier, ...]

    def evaluator(self, state: AlertState | None = None) -> Evaluator:
        return build_evaluator(self.ruleset, self.tagger, state=state)


def alerting_parts(
    settings: Settings, groups: Mapping[str, str], tagger: Tagger | None = None
) -> Alerting:
    """The deployment's rules (a broken rule raises RuleConfigError naming it and the field),
    the tagger (for watchlist aliases) and the notifiers the settings configure."""
    ruleset = load_rules(settings.alerts_path())
    return Alerting(
        ruleset=ruleset,
        tagger=tagger if tagger is not None else Tagger.load(settings.lexicons_path()),
        groups=dict(groups),
        notifiers=notifiers_from(settings),
    )


def notifiers_from(settings: Settings) -> tuple[Notifier, ...]:
    """A webhook notifier if ``MARSAD_ALERT_WEBHOOK_URL`` is set, an e-mail one if
    ``MARSAD_ALERT_SMTP_HOST`` is; what each needs besides is checked here, by name."""
    notifiers: list[Notifier] = []
    if settings.alert_webhook_url:
        secret = settings.alert_webhook_secret
        if secret is None or not secret.get_secret_value():
            raise AlertConfigError(
                "MARSAD_ALERT_WEBHOOK_URL is set but MARSAD_ALERT_WEBHOOK_SECRET is not: "
                "the webhook signs every request with it"
            )
        notifiers.append(
            WebhookNotifier(settings.alert_webhook_url, secret.get_secret_value().encode())
        )
    if settings.alert_smtp_host:
        recipients = tuple(
            r.strip() for r in (settings.alert_email_to or "").split(",") if r.strip()
        )
        if not settings.alert_email_from or not recipients:
            raise AlertConfigError(
                "MARSAD_ALERT_SMTP_HOST is set: MARSAD_ALERT_EMAIL_FROM and "
                "MARSAD_ALERT_EMAIL_TO (comma-separated) are needed too"
            )
        password = settings.alert_smtp_password
        notifiers.append(
            EmailNotifier(
                SmtpConfig(
                    host=settings.alert_smtp_host,
                    port=settings.alert_smtp_port,
                    sender=settings.alert_email_from,
                    recipients=recipients,
                    starttls=settings.alert_smtp_starttls,
                    username=settings.alert_smtp_username,
                    password=password.get_secret_value() if password is not None else None,
                )
            )
        )
    return tuple(notifiers)


async def published_deliveries(settings: Settings) -> set[str]:
    """The delivery ids of every alert event on ``news.alerts.v1`` (read to its end once, at
    the alert stage's start: the topic is small, a few events an hour)."""
    topic = settings.topic(ALERTS)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        enable_auto_commit=False,
        **settings.kafka_security().aiokafka_kwargs(),
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(ALERTS.partitions)]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        found: set[str] = set()
        for tp in partitions:
            while await consumer.position(tp) < ends[tp]:
                batch = await consumer.getmany(tp, timeout_ms=1000)
                for message in batch.get(tp, []):
                    found.add(_delivery_of(message.value))
        found.discard("")
        return found
    finally:
        await consumer.stop()


def _delivery_of(value: bytes | None) -> str:
    try:
        return delivery_of(json.loads(value or b""))
    except (ValueError, KeyError, TypeError):
        return ""  # not an alert event: nothing to skip for it


# -- the alerts index -----------------------------------------------------------------------


async def alert_events(
    sink: SearchSink,
    *,
    alert_id: str | None = None,
    rule: str | None = None,
    query: str | None = None,
    size: int = MAX_EVENTS,
) -> list[dict[str, Any]]:
    """Alert event documents, newest first: one alert's (``alert_id``), one rule's, or those
    matching ``query`` (key values, rule, reason; the engine's simple query syntax)."""
    filters: list[dict[str, Any]] = []
    if alert_id is not None:
        filters.append({"term": {"alert_id": alert_id}})
    if rule is not None:
        filters.append({"term": {"rule": rule}})
    must: list[dict[str, Any]] = []
    if query:
        must.append(
            {
                "simple_query_string": {
                    "query": query,
                    "fields": ["key.*", "rule", "evidence.reason", "evidence.groups"],
                    "default_operator": "and",
                    "lenient": True,
                }
            }
        )
    body = {
        "size": min(size, MAX_EVENTS),
        "query": {"bool": {"filter": filters, "must": must or [{"match_all": {}}]}},
        "sort": [{"at": {"order": "desc"}}],
    }
    response = await sink.search("alerts", body)
    return [{"_id": hit["_id"], **hit["_source"]} for hit in response["hits"]["hits"]]


def latest_by_alert(events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One entry per alert (its newest event, with how many events it had and its mark),
    open alerts first, then newest first."""
    latest: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    for event in events:  # newest first
        ident = str(event["alert_id"])
        counts[ident] = counts.get(ident, 0) + 1
        latest.setdefault(ident, dict(event))
        if event.get("triage") and not latest[ident].get("triage"):
            latest[ident]["triage"] = event["triage"]
            latest[ident]["triaged_at"] = event.get("triaged_at")
    alerts = [{**src, "events": counts[ident]} for ident, src in latest.items()]
    alerts.sort(key=lambda a: str(a.get("at", "")), reverse=True)
    alerts.sort(key=lambda a: a.get("change") == "resolve")
    return alerts


async def mark_alert(sink: SearchSink, alert_id: str, verdict: str) -> int:
    """Mark every event of ``alert_id`` as ``verdict`` (noise / expected); the number marked."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    events = await alert_events(sink, alert_id=alert_id)
    now = datetime.now(UTC).isoformat()
    actions = [
        IndexAction(
            "alerts",
            str(event["_id"]),
            {k: v for k, v in event.items() if k != "_id"} | {"triage": verdict, "triaged_at": now},
        )
        for event in events
    ]
    if actions:
        await sink.bulk(actions)
        await sink.refresh("alerts")
    return len(actions)


async def load_marks(
    sink: SearchSink, ruleset: RuleSet
) -> list[tuple[str, tuple[str, ...], str, datetime]]:
    """Analysts' marks, as the evaluator's feedback takes them: (rule, key in the rule's key
    order, verdict, when); marks of rules no longer in the rule set are left out."""
    body = {
        "size": MAX_EVENTS,
        "query": {"exists": {"field": "triage"}},
        "_source": ["rule", "key", "triage", "triaged_at"],
    }
    response = await sink.search("alerts", body)
    fields = {rule.id: rule.key for rule in ruleset.rules}
    marks: dict[tuple[str, tuple[str, ...]], tuple[str, datetime]] = {}
    for hit in response["hits"]["hits"]:
        src = hit["_source"]
        order = fields.get(str(src.get("rule")))
        key = src.get("key") or {}
        if order is None or not all(f in key for f in order) or src.get("triage") not in VERDICTS:
            continue
        when = datetime.fromisoformat(str(src.get("triaged_at")))
        ident = (str(src["rule"]), tuple(str(key[f]) for f in order))
        if ident not in marks or marks[ident][1] < when:
            marks[ident] = (str(src["triage"]), when)
    return [(rule, key, verdict, when) for (rule, key), (verdict, when) in marks.items()]
