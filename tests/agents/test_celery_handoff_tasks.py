"""The handoff's Celery tasks run by a real worker with beat against the machine's Redis (not
eagerly): a webhook whose endpoint fails twice is retried by beat's sweep with backoff and
delivered, signed; one whose endpoint never answers ends recorded as failed; beat's SLA timer raises
the priority of a handoff nobody claimed."""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from supportbot.agents.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from tests.live_app import wait_for
from tests.ops.test_celery_events import EventApp, events  # noqa: F401 (the worker fixture)

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(120)]

SECRET = "webhook-secret"
# Nothing listens on port 1: an endpoint that is down.
DOWN = "http://127.0.0.1:1/hook"

ESCALATE = """
import sys, django
django.setup()
from supportbot.agents import handoff
from supportbot.agents.models import Handoff, Team, WebhookEndpoint
from supportbot.agents.triggers import Trigger
from supportbot.chat.models import Conversation
import uuid
Team.objects.create(name="Support", is_default=True)
for url in sys.argv[1:]:
    WebhookEndpoint.objects.create(url=url, secret="%s")
conversation = Conversation.objects.create(visitor_id=uuid.uuid4())
handoff.escalate(conversation.id, Trigger(Handoff.Reason.USER_BUTTON, "pressed Talk to a human"))
""" % SECRET


class FlakyEndpoint(BaseHTTPRequestHandler):
    """Answers 503 to the first two requests, then 200; keeps every request."""

    received: list[tuple[bytes, str, str]] = []

    def do_POST(self) -> None:  # noqa: N802 (the http.server name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((body, self.headers[TIMESTAMP_HEADER], self.headers[SIGNATURE_HEADER]))
        self.send_response(503 if len(self.received) <= 2 else 200)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[str]:
    FlakyEndpoint.received = []
    server = HTTPServer(("127.0.0.1", 0), FlakyEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook"
    finally:
        server.shutdown()


def rows(app: EventApp, query: str) -> list[tuple]:
    with sqlite3.connect(app.var / "supportbot.sqlite3") as db:
        return db.execute(query).fetchall()


def test_webhooks_are_retried_by_the_worker_and_beat_enforces_the_sla(events: EventApp, endpoint: str):  # noqa: F811
    events.env.update(
        SUPPORTBOT_HANDOFF_SLA_S="1",
        SUPPORTBOT_HANDOFF_SLA_CHECK_S="1",
        SUPPORTBOT_WEBHOOK_RETRY_BASE_S="1",
        SUPPORTBOT_WEBHOOK_SWEEP_S="1",
    )
    events.start_worker()
    # No agent is online: the handoff stays pending, past its 1 s SLA.
    events.run(sys.executable, "-c", ESCALATE, endpoint, DOWN)

    def settled() -> list[tuple]:
        found = rows(events, "SELECT url, state, attempts, last_status_code FROM agents_webhookdelivery "
                             "JOIN agents_webhookendpoint e ON e.id = endpoint_id ORDER BY url")
        return found if all(state != "pending" for _, state, _, _ in found) else []

    # Backoff 1, 2 and 4 s between the four attempts, each queued by beat's sweep (every second).
    deliveries = wait_for(settled, timeout=60, what="both webhook deliveries to settle")
    assert deliveries == [("http://127.0.0.1:1/hook", "failed", 4, None), (endpoint, "delivered", 3, 200)]
    bodies = {body for body, _, _ in FlakyEndpoint.received}
    assert len(bodies) == 1  # the same body every attempt
    body = bodies.pop()
    assert json.loads(body)["event"] == "escalation"
    assert all(sig == signature(SECRET, int(timestamp), body) for _, timestamp, sig in FlakyEndpoint.received)

    [(priority, breaches)] = wait_for(
        lambda: rows(events, "SELECT priority, sla_breaches FROM agents_handoff WHERE sla_breaches > 0"),
        timeout=30,
        what="the SLA timer to raise the handoff's priority",
    )
    assert priority >= 1 and breaches >= 1
