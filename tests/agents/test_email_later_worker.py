"""An agent's reply mailed to the address a waiting visitor left, by a real Celery worker through
the machine's Redis (not eagerly). The worker runs in this process (celery.contrib.testing) so that
Django's mail outbox sees what it sends; its queue is this test's own. It starts once the scene is
set: the tests' in-memory SQLite refuses two threads writing at once (event shipping tasks would)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_prerun
from django.core import mail

from supportbot.agents import email_later, handoff
from supportbot.agents.models import Handoff
from supportbot.agents.triggers import Trigger
from supportbot.celery import app
from tests.agent_fixtures import agent, team
from tests.chat_fixtures import new_conversation
from tests.live_app import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True), pytest.mark.timeout(90)]

REDIS = "redis://127.0.0.1:6379/0"
SETTINGS = ("broker_url", "task_always_eager", "task_default_queue")


def _forget_connections() -> None:
    """The app caches its broker connections, queues and routes: made again from the new settings."""
    app._pool = None
    app.amqp._producer_pool = None
    for cached in ("queues", "router"):
        app.amqp.__dict__.pop(cached, None)


@contextmanager
def redis_worker() -> Iterator[None]:
    saved = {name: app.conf[name] for name in SETTINGS}
    app.conf.update(broker_url=REDIS, task_always_eager=False, task_default_queue=f"test-{secrets.token_hex(6)}:tasks")
    _forget_connections()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(saved)
        _forget_connections()


def test_the_worker_mails_an_agent_reply_to_the_address_left():
    runs: list[tuple[str, bool, str | None]] = []

    def record(task, **_: object) -> None:
        runs.append((task.name, bool(task.request.is_eager), task.request.delivery_info.get("routing_key")))

    task_prerun.connect(record, weak=False)
    alice = agent("alice", team())
    conversation = new_conversation()
    handoff.escalate(conversation.id, Trigger(Handoff.Reason.USER_BUTTON, "pressed Talk to a human"))
    email_later.leave_email(conversation.id, "ann@example.com")
    handoff.claim(conversation.id, alice)
    mail.outbox.clear()
    with redis_worker():
        handoff.post_agent_message(conversation.id, alice, "We found your order; it ships today.")
        (message,) = wait_for(
            lambda: [m for m in mail.outbox if m.to == ["ann@example.com"]], timeout=30,
            what="the worker to mail the reply",
        )
        queue = app.conf.task_default_queue
    assert "We found your order; it ships today." in message.body
    task_prerun.disconnect(record)
    # Taken from this test's queue in Redis by the worker, not run eagerly by the caller.
    assert ("supportbot.agents.tasks.mail_agent_reply", False, queue) in runs
