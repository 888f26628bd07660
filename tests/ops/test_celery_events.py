"""The event outbox with a real Celery worker and beat against the machine's Redis: events are
shipped by the worker; with the worker stopped they wait in the queue, with the broker down they
wait in the database, and after the restart every one is delivered."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.live_app import ROOT, wait_for

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(120)]

REDIS = "redis://127.0.0.1:6379/0"
# Nothing listens on port 1: what a broker outage looks like to the producer.
DEAD_BROKER = "redis://127.0.0.1:1/0"

PRODUCE = """
import sys, django
django.setup()
from django.db import transaction
from supportbot.events.log import record_event
for number in range(int(sys.argv[1])):
    with transaction.atomic():
        record_event("message.in", None, number=number, batch=sys.argv[2])
"""


class EventApp:
    def __init__(self, tmp_path: Path, prefix: str) -> None:
        self.var = tmp_path / "var"
        self.env = {
            **os.environ,
            "SUPPORTBOT_VAR_DIR": str(self.var),
            "REDIS_URL": REDIS,
            "SUPPORTBOT_REDIS_PREFIX": prefix,
            "SUPPORTBOT_EVENT_SWEEP_S": "1",
        }
        self.prefix = prefix
        self.log = tmp_path / "worker.log"
        self.schedule = tmp_path / "beat-schedule"
        self.worker: subprocess.Popen[bytes] | None = None

    def run(self, *command: str, **env: str) -> None:
        subprocess.run(
            command, cwd=ROOT, env={**self.env, **env}, check=True, capture_output=True, timeout=60
        )

    def produce(self, count: int, batch: str, **env: str) -> None:
        self.run(sys.executable, "-c", PRODUCE, str(count), batch, **env)

    def start_worker(self) -> None:
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "supportbot", "worker", "--beat",
             "--pool=solo", "--queues", f"{self.prefix}:tasks", "--loglevel=INFO",
             "--schedule", str(self.schedule), "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
            # Its own process group: the embedded beat is a child process that must go with it.
            start_new_session=True,
        )

    def stop_worker(self) -> None:
        """A warm shutdown (SIGTERM), then whatever is left of its process group is killed."""
        assert self.worker is not None
        self.worker.send_signal(signal.SIGTERM)
        try:
            self.worker.wait(timeout=30)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.worker.pid, signal.SIGKILL)

    def counts(self) -> tuple[int, int]:
        """(delivered, undelivered) events."""
        with sqlite3.connect(self.var / "supportbot.sqlite3") as db:
            delivered = db.execute(
                "SELECT COUNT(*) FROM events_event WHERE delivered_at IS NOT NULL"
            ).fetchone()[0]
            total = db.execute("SELECT COUNT(*) FROM events_event").fetchone()[0]
        return delivered, total - delivered


@pytest.fixture
def events(tmp_path) -> Iterator[EventApp]:
    prefix = f"supportbot-test-{secrets.token_hex(4)}"
    app = EventApp(tmp_path, prefix)
    app.run(sys.executable, "manage.py", "migrate", "--noinput")
    try:
        yield app
    finally:
        if app.worker is not None and app.worker.poll() is None:
            app.stop_worker()
        client = redis.Redis.from_url(REDIS)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        if app.log.exists():
            print(app.log.read_text(errors="replace")[-4000:])


def test_worker_stopped_and_broker_down_lose_no_event(events):
    events.start_worker()
    events.produce(5, "worker-up")
    wait_for(lambda: events.counts() == (5, 0), 60, "the running worker to ship 5 events")

    events.stop_worker()
    events.produce(5, "worker-stopped")  # queued in Redis, nobody consuming
    events.produce(3, "broker-down", REDIS_URL=DEAD_BROKER)  # never queued: committed all the same
    assert events.counts() == (5, 8)

    events.start_worker()
    # The queued tasks run at once; beat's sweep queues the 3 that never reached the broker.
    wait_for(lambda: events.counts() == (13, 0), 60, "all 13 events delivered after the restart")
    shipped = events.log.read_text()
    assert shipped.count('"batch": "broker-down"') == 3
    assert shipped.count('"batch": "worker-stopped"') == 5
