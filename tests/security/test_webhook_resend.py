"""Faults: the broker is down when a webhook delivery is queued, and an endpoint is dead. Beat's
sweep sends the delivery once the broker is back, and retries a dead endpoint with backoff (not
back to back) until WEBHOOK_MAX_ATTEMPTS. Attack: a captured request is replayed later; its
signature covers a timestamp, which the receiver's check (docs/deploy.md, "Webhooks") refuses
once it is old."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from supportbot.agents import handoff, webhooks
from supportbot.agents.models import Handoff, WebhookDelivery, WebhookEndpoint
from supportbot.agents.triggers import Trigger
from supportbot.lib import background
from tests.agent_fixtures import team
from tests.chat_fixtures import new_conversation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

BUTTON = Trigger(Handoff.Reason.USER_BUTTON, "pressed Talk to a human")
SECRET = "receiver-secret"
# What the documented check allows between the timestamp and the receiver's clock.
TOLERANCE_S = 300


def receiver_accepts(headers: dict[str, str], body: bytes, now: float) -> bool:
    """The receiver's check as docs/deploy.md describes it, written independently of the app."""
    timestamp = headers["X-SupportBot-Timestamp"]
    expected = "sha256=" + hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    fresh = abs(now - int(timestamp)) <= TOLERANCE_S
    return fresh and hmac.compare_digest(expected, headers["X-SupportBot-Signature"])


class Receiver:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


def test_a_delivery_queued_while_the_broker_was_down_is_sent_by_the_sweep(receiver, monkeypatch):
    team()
    WebhookEndpoint.objects.create(url=receiver.url, secret=SECRET)

    def broker_down(*_args: object) -> None:
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    with monkeypatch.context() as patched:
        patched.setattr(webhooks.send_webhook, "delay", broker_down)
        handoff.escalate(new_conversation().id, BUTTON)
    assert background.drain(10)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, receiver.requests) == ("pending", 0, [])

    assert webhooks.resend_due_webhooks() == 1  # the broker is back
    assert background.drain(10)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 1)
    assert webhooks.resend_due_webhooks() == 0  # delivered: never sent again
    ((headers, body),) = receiver.requests
    assert json.loads(body)["event"] == "escalation"
    assert headers["X-SupportBot-Delivery"] == str(delivery.pk)
    assert receiver_accepts(headers, body, now=time.time())
    # The same request replayed ten minutes later is refused by the receiver's check, and a body
    # changed under the original signature is refused at once.
    assert not receiver_accepts(headers, body, now=time.time() + 600)
    assert not receiver_accepts(headers, body.replace(b"escalation", b"resolved"), now=time.time())


def test_a_dead_endpoint_is_retried_with_backoff_then_recorded_failed():
    team()
    WebhookEndpoint.objects.create(url="http://127.0.0.1:1/hook", secret=SECRET)  # nothing listens
    started = time.monotonic()
    handoff.escalate(new_conversation().id, BUTTON)
    assert background.drain(10)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1)  # one attempt, not four in a row
    gaps = []
    while delivery.state == "pending":
        assert webhooks.resend_due_webhooks() == 0  # its backoff is not over
        gaps.append(delivery.next_attempt_at - timezone.now())
        assert webhooks.resend_due_webhooks(delivery.next_attempt_at) == 1  # the sweep once it is
        assert background.drain(10)
        delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", settings.WEBHOOK_MAX_ATTEMPTS)
    assert "ConnectionError" in delivery.last_error and delivery.next_attempt_at is None
    base = timedelta(seconds=settings.WEBHOOK_RETRY_BASE_S)
    assert [round(gap / base) for gap in gaps] == [1, 2, 4]
    assert time.monotonic() - started < 10
