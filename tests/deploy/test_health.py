"""/healthz and /readyz, the inference worker's healthcheck command and the web container's probe.

Readiness is checked against the real Redis on 127.0.0.1:6379 (under a key prefix of each test's
own) and against a closed port; no response may carry an address, a user name or a traceback.
"""

from __future__ import annotations

import asyncio
import http.server
import secrets
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import redis
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.test import Client, override_settings

from django.apps import apps

from supportbot.health import checks
from supportbot.health.probe import PROBE_HOST, probe
from supportbot.inference_bridge import client as engine_clients
from supportbot.inference_bridge import registry
from supportbot.inference_bridge.redis_client import RedisClient

REDIS = "redis://127.0.0.1:6379/0"
# What an error message of the database or Redis client would name; none of it may leak.
LEAKY_WORDS = ("127.0.0.1", "db.internal", "password", "Traceback", "Error")


def closed_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


def assert_nothing_leaks(body: str) -> None:
    for word in LEAKY_WORDS:
        assert word not in body, body


@pytest.fixture
def redis_mode(monkeypatch) -> Iterator[str]:
    """Settings and engine client of the Redis mode, with a key prefix of this test's own; yields
    the prefix."""
    prefix = f"supportbot-test-{secrets.token_hex(4)}"
    monkeypatch.setattr(apps.get_app_config("inference_bridge"), "client", RedisClient())
    with override_settings(REDIS_URL=REDIS, REDIS_PREFIX=prefix):
        yield prefix
    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def heartbeat(worker_id: str) -> None:
    asyncio.run(registry.heartbeat(worker_id))


def test_healthz_answers_without_asking_anything_else():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert Client().post("/healthz").status_code == 405


@pytest.mark.django_db
def test_embedded_mode_is_not_ready_while_its_engine_loads(monkeypatch):
    loading = threading.Event()
    loaded = threading.Event()
    engine = object()

    def slow_load_engine(*args: object) -> object:
        loading.set()
        loaded.wait(10)
        return engine

    monkeypatch.setattr(engine_clients, "load_engine", slow_load_engine)
    embedded = engine_clients.InProcessClient("tiny-random", 2**20, 1)
    monkeypatch.setattr(apps.get_app_config("inference_bridge"), "client", embedded)
    client = Client()

    # Nothing asked for the engine yet: ready, and asking does not load it.
    idle = client.get("/readyz")
    assert idle.status_code == 200
    assert idle.json() == {
        "status": "ready",
        "checks": {"database": "ok", "inference": "not loaded yet: the first conversation loads it"},
        "failed": [],
    }
    assert not loading.is_set()

    first_conversation = threading.Thread(target=embedded.load)
    first_conversation.start()
    assert loading.wait(10)
    during = client.get("/readyz")
    assert during.status_code == 503
    assert during.json()["checks"]["inference"] == "loading"
    assert during.json()["failed"] == ["inference"]

    loaded.set()
    first_conversation.join(10)
    after = client.get("/readyz")
    assert after.status_code == 200 and after.json()["checks"]["inference"] == "loaded"


@pytest.mark.django_db
def test_an_unreachable_database_is_named_but_not_described(monkeypatch):
    def refused() -> None:
        raise OperationalError(
            'connection to server at "db.internal" (10.0.0.5), port 5432 failed: '
            'password authentication failed for user "supportbot"'
        )

    monkeypatch.setattr(checks, "_query_database", refused)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unreachable"
    assert response.json()["failed"] == ["database"]
    assert_nothing_leaks(response.content.decode())


@pytest.mark.django_db
def test_a_hung_database_fails_the_check_in_time(monkeypatch):
    monkeypatch.setattr(checks, "CHECK_TIMEOUT_S", 0.1)
    monkeypatch.setattr(checks, "_query_database", lambda: time.sleep(0.5))
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "timed out"


@pytest.mark.django_db
@pytest.mark.services
def test_redis_mode_is_ready_only_with_a_live_worker(redis_mode):
    client = Client()
    alone = client.get("/readyz")
    assert alone.status_code == 503
    assert alone.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "ok", "inference": "no inference worker is heartbeating"},
        "failed": ["inference"],
    }

    heartbeat("worker-a")
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["inference"] == "1 live worker"
    assert "worker-a" not in ready.content.decode()  # worker ids carry host names


@pytest.mark.django_db
@pytest.mark.services
def test_redis_on_a_closed_port_is_named_but_not_described(redis_mode):
    with override_settings(REDIS_URL=f"redis://:hunter2@127.0.0.1:{closed_port()}/0"):
        response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["redis"] == "unreachable"
    assert body["checks"]["inference"] == "unknown: Redis is unreachable"
    assert body["failed"] == ["redis", "inference"]
    assert "hunter2" not in response.content.decode()
    assert_nothing_leaks(response.content.decode())


@pytest.mark.services
def test_worker_healthcheck_passes_only_for_a_worker_of_this_host(redis_mode):
    with pytest.raises(CommandError, match="No inference worker of this host"):
        call_command("inference_worker_alive")
    heartbeat("some-other-host-123-abcdef")
    with pytest.raises(CommandError, match="No inference worker of this host"):
        call_command("inference_worker_alive")

    this_host_worker = registry.new_worker_id()
    heartbeat(this_host_worker)
    call_command("inference_worker_alive")


@pytest.mark.services
def test_worker_healthcheck_fails_when_redis_is_unreachable(redis_mode):
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0"):
        with pytest.raises(CommandError, match="Redis is unreachable"):
            call_command("inference_worker_alive")


class _FixedAnswers(http.server.BaseHTTPRequestHandler):
    statuses = {"/up": 200, "/down": 503}
    hosts: list[str] = []

    def do_GET(self) -> None:
        self.hosts.append(self.headers["Host"])
        self.send_response(self.statuses.get(self.path, 404))
        self.end_headers()
        self.wfile.write(b'{"status": "whatever"}')

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_probe_exits_zero_only_on_a_2xx_answer(capsys):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FixedAnswers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert probe(f"{base}/up") == 0
        assert probe(f"{base}/down") == 1
    finally:
        server.shutdown()
        server.server_close()
    assert probe(f"http://127.0.0.1:{closed_port()}/healthz") == 1
    assert _FixedAnswers.hosts == [PROBE_HOST, PROBE_HOST]
    assert "503" in capsys.readouterr().out
