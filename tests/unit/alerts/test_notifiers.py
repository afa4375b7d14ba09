"""Notifiers against real receivers on loopback: a webhook that fails once, then accepts; an
SMTP server (aiosmtpd) that accepts, or refuses a recipient; retries bounded, dead letters."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller

from kernel.records import DeadLetter
from kernel.retry import RetryPolicy
from pipeline.alerts import AlertEvent, Change, ClusterEvidence, Evidence
from pipeline.notifiers import (
    Delivery,
    EmailNotifier,
    SmtpConfig,
    WebhookNotifier,
    deliver,
    verify_signature,
)

SECRET = b"s3cret-for-tests"
WHERE = ("news.alerts.v1", 0, 42)
QUICK = RetryPolicy(first_delay_s=0.01, max_delay_s=0.01, max_attempts=3)


def event(change: Change = Change.OPEN) -> AlertEvent:
    start = datetime(2017, 9, 9, 10, tzinfo=UTC)
    return AlertEvent(
        alert_id="a1b2c3",
        change=change,
        rule="nusra-surge",
        kind="spike",
        key={"actor": "جبهة النصرة"},
        window_start=start,
        window_end=start.replace(hour=11),
        at=start.replace(minute=40),
        historical=False,
        evidence=Evidence(
            observed=9,
            expected=1.5,
            expected_range=(0, 4),
            p_value=0.0002,
            groups=("syria-state", "nabd"),
            top_clusters=(ClusterEvidence("c1", "https://x.example/1", 3, ("nabd",)),),
            first_seen=start,
            reason="9 clusters against 1.5 expected",
        ),
    )


class Letters(list[DeadLetter]):
    async def __call__(self, letter: DeadLetter) -> None:
        self.append(letter)


async def no_wait(delay: float) -> None:
    return None


class Receiver(BaseHTTPRequestHandler):
    statuses: ClassVar[list[int]] = []
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers.items()), body))
        status = type(self).statuses.pop(0) if type(self).statuses else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"busy" if status >= 500 else b"ok")

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[Receiver]]]:
    handler = type("FreshReceiver", (Receiver,), {"statuses": [], "received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    server.shutdown()
    server.server_close()


def webhook(url: str, letters: Letters, sleep: Any = no_wait) -> Delivery:
    """One alert through a webhook notifier at ``url`` with the quick policy."""

    async def go() -> Delivery:
        notifier = WebhookNotifier(url, SECRET)
        try:
            return await deliver(notifier, event(), letters, where=WHERE, policy=QUICK, sleep=sleep)
        finally:
            await notifier.close()

    return asyncio.run(go())


def test_a_webhook_that_failed_once_gets_the_same_signed_delivery_again(
    receiver: tuple[str, type[Receiver]],
) -> None:
    url, handler = receiver
    handler.statuses = [503]
    letters = Letters()

    assert webhook(url, letters) is Delivery.SENT
    assert letters == []
    assert len(handler.received) == 2  # refused once (503), accepted on the retry
    first, second = handler.received
    assert first[0]["X-Marsad-Delivery"] == second[0]["X-Marsad-Delivery"]
    headers, body = second
    assert verify_signature(
        SECRET, headers["X-Marsad-Timestamp"], body, headers["X-Marsad-Signature"]
    )
    assert not verify_signature(
        b"another", headers["X-Marsad-Timestamp"], body, headers["X-Marsad-Signature"]
    )
    assert not verify_signature(
        SECRET, headers["X-Marsad-Timestamp"], body + b" ", headers["X-Marsad-Signature"]
    )
    sent = json.loads(body)
    assert sent["alert_id"] == "a1b2c3" and sent["key"] == {"actor": "جبهة النصرة"}
    assert headers["X-Marsad-Event"] == "open"


def test_a_refused_webhook_is_a_dead_letter_without_retrying(
    receiver: tuple[str, type[Receiver]],
) -> None:
    url, handler = receiver
    handler.statuses = [400]
    letters = Letters()

    assert webhook(url, letters) is Delivery.DEAD_LETTER
    assert len(handler.received) == 1
    (letter,) = letters
    assert (letter.stage, letter.error_type, letter.offset) == (
        "notify:webhook",
        "notify_refused",
        42,
    )
    assert "HTTP 400" in letter.reason


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_webhook_is_retried_a_bounded_number_of_times() -> None:
    port = free_port()  # nothing listens on it
    letters = Letters()
    delays: list[float] = []

    async def count(delay: float) -> None:
        delays.append(delay)

    assert webhook(f"http://127.0.0.1:{port}/hook", letters, count) is Delivery.DEAD_LETTER
    assert len(delays) == 2  # three tries in all
    (letter,) = letters
    assert letter.error_type == "notify_failed" and "after 3 tries" in letter.reason


class Inbox:
    def __init__(self, refuse: str | None = None) -> None:
        self.messages: list[Message] = []
        self.refuse = refuse

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse and address == self.refuse:
            return "550 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox(refuse="nobody@example.org")
    port = free_port()  # the controller checks its server by connecting to the port it was given
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


def test_an_alert_is_mailed_with_its_evidence(smtp: tuple[int, Inbox]) -> None:
    port, inbox = smtp
    config = SmtpConfig(
        "127.0.0.1", port, "marsad@example.org", ("analyst@example.org",), starttls=False
    )
    letters = Letters()
    delivered = asyncio.run(
        deliver(EmailNotifier(config), event(), letters, where=WHERE, policy=QUICK, sleep=no_wait)
    )
    assert delivered is Delivery.SENT and letters == []
    (message,) = inbox.messages
    assert message["Subject"] == "[marsad] open: nusra-surge (actor=جبهة النصرة)"
    parts = [part for part in message.walk() if not part.is_multipart()]
    body, attachment = (part.get_payload(decode=True) for part in parts[:2])
    assert isinstance(body, bytes) and isinstance(attachment, bytes)
    text = body.decode()
    assert "observed: 9, expected: 1.5" in text and "https://x.example/1" in text
    attached = json.loads(attachment)
    assert attached["alert_id"] == "a1b2c3"


def test_a_refused_recipient_is_a_dead_letter(smtp: tuple[int, Inbox]) -> None:
    port, inbox = smtp
    config = SmtpConfig(
        "127.0.0.1", port, "marsad@example.org", ("nobody@example.org",), starttls=False
    )
    letters = Letters()
    delivered = asyncio.run(
        deliver(EmailNotifier(config), event(), letters, where=WHERE, policy=QUICK, sleep=no_wait)
    )
    assert delivered is Delivery.DEAD_LETTER and inbox.messages == []
    (letter,) = letters
    assert letter.stage == "notify:email" and letter.error_type == "notify_refused"
