"""Alert notifiers: an HMAC-signed webhook and e-mail over SMTP, each with bounded retries and
a dead letter.

One notification per alert change (open, update, resolve): :func:`deliver` sends one
:class:`~pipeline.alerts.AlertEvent` through one notifier, retrying what may succeed later
(the receiver unreachable, HTTP 429 / 5xx, SMTP 4xx) with :data:`NOTIFY_RETRY`, and gives a
:class:`~kernel.records.DeadLetter` (stage ``notify:<name>``, where the event was, why) to the
dead-letter sender for anything refused or still failing at the end. Nothing is dropped
silently and no failure stops the worker.

The webhook's request (``POST``, JSON body of :meth:`AlertEvent.as_json`)::

    Content-Type: application/json
    X-Marsad-Event: open | update | resolve
    X-Marsad-Delivery: <alert id>:<change>:<event time>:<digest>   (the same on every retry)
    X-Marsad-Timestamp: <unix seconds>
    X-Marsad-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>

A receiver recomputes the signature over the timestamp and the raw body, compares in constant
time (:func:`verify_signature` does it) and refuses old timestamps, so a captured request cannot
be replayed later. Credentials (the webhook secret, the SMTP password) come from the settings'
secret fields, never from files.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from enum import StrEnum
from typing import Any, Protocol

import httpx

from kernel.exceptions import MarsadError
from kernel.records import DeadLetter
from kernel.retry import RetryPolicy
from pipeline.alerts import AlertEvent

log = logging.getLogger(__name__)

NOTIFY_RETRY = RetryPolicy(first_delay_s=1.0, max_delay_s=30.0, max_attempts=5, deadline_s=120)
"""Five tries within two minutes: a receiver down for longer gets a dead letter, not a stall."""
SIGNATURE_HEADER = "X-Marsad-Signature"
TIMESTAMP_HEADER = "X-Marsad-Timestamp"


class NotifyError(MarsadError):
    """A notification was not accepted; ``retriable`` if the same one may succeed later."""

    def __init__(self, message: str, *, retriable: bool) -> None:
        super().__init__(message)
        self.retriable = retriable


class Notifier(Protocol):
    name: str

    async def send(self, event: AlertEvent) -> None:
        """Deliver ``event``; return once accepted, else raise :class:`NotifyError`."""
        ...

    async def close(self) -> None:
        """Release connections (the worker stops)."""
        ...


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify_signature(
    secret: bytes,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now: float | None = None,
    tolerance_s: float = 300.0,
) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent."""
    try:
        age = (time.time() if now is None else now) - float(timestamp)
    except ValueError:
        return False
    return abs(age) <= tolerance_s and hmac.compare_digest(sign(secret, timestamp, body), signature)


def delivery_of(data: Mapping[str, Any]) -> str:
    """The id of one alert event given as :meth:`AlertEvent.as_json`: ``<alert id>:<change>:
    <event time>:<digest>``, the digest over the whole event, so two changes at the same event
    time differ, and the same event made again (a restart re-evaluating an article) is the same.
    """
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]
    return f"{data['alert_id']}:{data['change']}:{data['at']}:{digest}"


def delivery_id(event: AlertEvent) -> str:
    return delivery_of(event.as_json())


class WebhookNotifier:
    """POSTs each alert change as JSON, signed with HMAC-SHA256."""

    name = "webhook"

    def __init__(
        self,
        url: str,
        secret: bytes,
        *,
        timeout_s: float = 10.0,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret to sign with (MARSAD_ALERT_WEBHOOK_SECRET)")
        self._url = url
        self._secret = secret
        self._client = client or httpx.AsyncClient(timeout=timeout_s, trust_env=False)
        self._clock = clock

    async def send(self, event: AlertEvent) -> None:
        body = json.dumps(event.as_json(), ensure_ascii=False, sort_keys=True).encode("utf-8")
        timestamp = str(int(self._clock()))
        headers = {
            "Content-Type": "application/json",
            "X-Marsad-Event": event.change.value,
            "X-Marsad-Delivery": delivery_id(event),
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self._secret, timestamp, body),
        }
        try:
            response = await self._client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise NotifyError(f"webhook {self._url}: {exc!r}", retriable=True) from exc
        status = response.status_code
        if 200 <= status < 300:
            return
        raise NotifyError(
            f"webhook {self._url}: HTTP {status}: {response.text[:200]}",
            retriable=status in (408, 429) or status >= 500,
        )

    async def close(self) -> None:
        await self._client.aclose()


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    starttls: bool = True
    username: str | None = None
    password: str | None = None
    timeout_s: float = 20.0


def email_message(event: AlertEvent, sender: str, recipients: Sequence[str]) -> EmailMessage:
    """The e-mail of one alert change: a subject that says what and where, the evidence in the
    body (plain text), the whole event as JSON attached."""
    key = ", ".join(f"{name}={value}" for name, value in event.key.items())
    evidence = event.evidence
    message = EmailMessage()
    message["Subject"] = f"[marsad] {event.change.value}: {event.rule} ({key})"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Message-ID"] = (
        f"<{event.alert_id}.{event.change.value}.{int(event.at.timestamp())}@marsad>"
    )
    lines = [
        f"rule: {event.rule} ({event.kind})",
        f"key: {key}",
        f"change: {event.change.value}{' (historical: a backfill)' if event.historical else ''}",
        f"window: {event.window_start.isoformat()} .. {event.window_end.isoformat()}",
        f"observed: {evidence.observed}, expected: {evidence.expected}, "
        f"range: {evidence.expected_range}, p-value: {evidence.p_value}",
        f"outlet groups: {', '.join(evidence.groups)}",
        f"why: {evidence.reason}",
        "",
        *(
            f"- {c.url} (seen {c.sightings}x by {', '.join(c.groups)})"
            for c in evidence.top_clusters
        ),
    ]
    message.set_content("\n".join(lines))
    message.add_attachment(
        json.dumps(event.as_json(), ensure_ascii=False, indent=2).encode("utf-8"),
        maintype="application",
        subtype="json",
        filename=f"alert-{event.alert_id}.json",
    )
    return message


class EmailNotifier:
    """Sends each alert change as an e-mail over SMTP (STARTTLS unless turned off)."""

    name = "email"

    def __init__(self, config: SmtpConfig) -> None:
        if not config.recipients:
            raise ValueError("e-mail alerts need at least one recipient (MARSAD_ALERT_SMTP_TO)")
        self._config = config

    async def send(self, event: AlertEvent) -> None:
        message = email_message(event, self._config.sender, self._config.recipients)
        await asyncio.to_thread(self._send, message)

    async def close(self) -> None:
        return None  # one connection per message: nothing held

    def _send(self, message: EmailMessage) -> None:
        config = self._config
        try:
            with smtplib.SMTP(config.host, config.port, timeout=config.timeout_s) as smtp:
                if config.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if config.username and config.password:
                    smtp.login(config.username, config.password)
                smtp.send_message(message)
        except smtplib.SMTPResponseException as exc:  # the server answered with a code
            raise NotifyError(
                f"smtp {config.host}:{config.port}: {exc.smtp_code} {exc.smtp_error!r}",
                retriable=400 <= exc.smtp_code < 500,
            ) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise NotifyError(
                f"smtp {config.host}:{config.port}: recipients refused: {exc.recipients}",
                retriable=all(400 <= code < 500 for code, _ in exc.recipients.values()),
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:  # unreachable, dropped, timed out
            raise NotifyError(f"smtp {config.host}:{config.port}: {exc!r}", retriable=True) from exc


class Delivery(StrEnum):
    SENT = "sent"
    DEAD_LETTER = "dead_letter"


async def deliver(
    notifier: Notifier,
    event: AlertEvent,
    dead_letter: Callable[[DeadLetter], Awaitable[None]],
    *,
    where: tuple[str, int, int],
    policy: RetryPolicy = NOTIFY_RETRY,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Delivery:
    """Send ``event`` through ``notifier`` with bounded retries; a dead letter if it fails.

    ``where``: (topic, partition, offset) of the alert event's record, for the dead letter.
    """
    retries = policy.start()
    while True:
        try:
            await notifier.send(event)
        except NotifyError as exc:
            delay = retries.next_delay() if exc.retriable else None
            if delay is not None:
                log.warning(
                    "notify retry notifier=%s alert=%s in=%.1fs reason=%s",
                    notifier.name,
                    event.alert_id,
                    delay,
                    exc,
                )
                await sleep(delay)
                continue
            topic, partition, offset = where
            gave_up = f" after {retries.failures} tries" if exc.retriable else ""
            await dead_letter(
                DeadLetter(
                    stage=f"notify:{notifier.name}",
                    topic=topic,
                    partition=partition,
                    offset=offset,
                    key=event.alert_id,
                    error_type="notify_failed" if exc.retriable else "notify_refused",
                    reason=f"{exc}{gave_up}"[:500],
                )
            )
            log.warning(
                "notify dead letter notifier=%s alert=%s: %s", notifier.name, event.alert_id, exc
            )
            return Delivery.DEAD_LETTER
        return Delivery.SENT


__all__ = [
    "NOTIFY_RETRY",
    "Delivery",
    "EmailNotifier",
    "Notifier",
    "NotifyError",
    "SmtpConfig",
    "WebhookNotifier",
    "deliver",
    "delivery_id",
    "delivery_of",
    "email_message",
    "sign",
    "verify_signature",
]
