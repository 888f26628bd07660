"""Faults in the Redis/PostgreSQL setup, for real: an inference worker SIGKILLed mid-stream, the
Redis server restarted, the database gone and back. Each time the user gets a clear answer
quickly, the next turn succeeds, and nothing already accepted is lost."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
import requests

from supportbot.inference_bridge.registry import pick_worker
from tests.live_app import LiveApp, free_port, live_app, turn, wait_for
from tests.tcp_relay import TcpRelay
from tests.bridge.test_redis_workers import POSTGRES, REDIS, database, live_workers, redis_prefix  # noqa: F401

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(240)]


def stored_turns(database_url: str, conversation_id: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(database_url) as db:
        return db.execute(
            "SELECT role, text, finish_reason FROM chat_message WHERE conversation_id = %s ORDER BY id",
            (conversation_id,),
        ).fetchall()


async def frames_until_end(socket, timeout: float) -> list[dict]:
    frames: list[dict] = []
    async with asyncio.timeout(timeout):
        while not frames or frames[-1]["type"] not in ("reply.end", "error"):
            frames.append(json.loads(await socket.recv()))
    return frames


@pytest.fixture
def redis_app(database, redis_prefix, tmp_path) -> Iterator[LiveApp]:  # noqa: F811
    env = {
        "DATABASE_URL": database,
        "REDIS_URL": REDIS,
        "SUPPORTBOT_REDIS_PREFIX": redis_prefix,
        "SUPPORTBOT_MAX_NEW_TOKENS": "2000",  # long enough to be killed in the middle
    }
    with live_app(env, tmp_path) as app:
        yield app


async def test_worker_killed_mid_stream(redis_app, database, redis_prefix):  # noqa: F811
    app = redis_app
    workers = {name: app.start_worker(name) for name in ("worker-a", "worker-b")}
    wait_for(lambda: len(live_workers(redis_prefix)) == 2, 90, "two workers")
    visitor = app.visit()
    async with app.socket(visitor) as socket:
        await socket.send(json.dumps({"type": "send", "client_message_id": "t1", "text": "Explain everything."}))
        frames = []
        while not any(f["type"] == "token" for f in frames):
            frames.append(json.loads(await asyncio.wait_for(socket.recv(), 30)))
        # The conversation's worker (rendezvous hashing over the live workers).
        owner = pick_worker(visitor.conversation_id, sorted(live_workers(redis_prefix)))
        victim = next(p for p in workers.values() if f"-{p.pid}-" in owner)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        # Within seconds the reply is either finished by the other worker or clearly failed.
        end = (await frames_until_end(socket, 20))[-1]
        assert end["type"] == "reply.end", end
        assert end["message"]["state"] in ("done", "failed")
        second = await turn(socket, "t2", "Are you still there?")
    assert second[-1]["type"] == "reply.end" and second[-1]["message"]["state"] == "done", second
    rows = stored_turns(database, visitor.conversation_id)
    assert [(role, text) for role, text, _ in rows if role == "user"] == [
        ("user", "Explain everything."),
        ("user", "Are you still there?"),
    ]
    assert all(reason for _, _, reason in rows if _ == "assistant")  # nothing left generating


@pytest.fixture
def own_redis(tmp_path) -> Iterator[tuple[str, callable]]:
    """A Redis server of this test's own on a free port, and a function that restarts it."""
    port = free_port()
    command = [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind", "127.0.0.1",
               "--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    server = {"process": subprocess.Popen(command, stdout=subprocess.DEVNULL)}
    url = f"redis://127.0.0.1:{port}/0"
    wait_for(lambda: _pings(url), 10, "the test's Redis")

    def restart() -> None:
        server["process"].send_signal(signal.SIGKILL)
        server["process"].wait()
        server["process"] = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_for(lambda: _pings(url), 10, "the restarted Redis")

    yield url, restart
    server["process"].kill()
    server["process"].wait()


def _pings(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.RedisError:
        return False


async def test_redis_restart(database, own_redis, tmp_path):  # noqa: F811
    redis_url, restart_redis = own_redis
    env = {"DATABASE_URL": database, "REDIS_URL": redis_url, "SUPPORTBOT_REDIS_PREFIX": "faults"}
    with live_app(env, tmp_path) as app:
        app.start_worker("worker")
        wait_for(lambda: _live_worker_count(redis_url) == 1, 90, "the worker")
        visitor = app.visit()
        async with app.socket(visitor) as socket:
            first = await turn(socket, "t1", "My router blinks red.")
        assert first[-1]["message"]["state"] == "done", first

        restart_redis()  # every key (heartbeats, channels, groups) is gone with it
        wait_for(lambda: _live_worker_count(redis_url) == 1, 30, "the worker back in the new Redis")

        async def second_turn():
            async with app.socket(visitor) as socket:
                return await turn(socket, "t2", "Still red after the restart.")

        second = await asyncio.wait_for(second_turn(), 60)
        assert second[-1]["type"] == "reply.end" and second[-1]["message"]["state"] == "done", second
    texts = [text for role, text, _ in stored_turns(database, visitor.conversation_id) if role == "user"]
    assert texts == ["My router blinks red.", "Still red after the restart."]


def _live_worker_count(url: str) -> int:
    try:
        client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=1)
        return sum(1 for key in client.scan_iter("faults:inference:heartbeat:*"))
    except redis.RedisError:
        return 0


async def test_database_unavailable_then_back(database, tmp_path):  # noqa: F811
    """PostgreSQL behind a relay the test can cut: while it is cut, readiness says 503 and a send
    gets an error frame, not a dropped socket; once it is back, everything works again."""
    with TcpRelay(("127.0.0.1", 5432)) as relay:
        relayed = database.replace("127.0.0.1:5432", f"127.0.0.1:{relay.port}")
        with live_app({"DATABASE_URL": relayed}, tmp_path) as app:
            visitor = app.visit()
            async with app.socket(visitor) as socket:
                first = await turn(socket, "t1", "Hello?")
                assert first[-1]["message"]["state"] == "done", first

                relay.cut()
                assert requests.get(app.base_url + "/readyz", timeout=10).status_code == 503
                refused = await asyncio.wait_for(turn(socket, "t2", "Is anyone there?"), 20)
                assert refused[-1]["type"] == "error" and refused[-1]["code"] == "unavailable", refused

                relay.restore()
                wait_for(lambda: requests.get(app.base_url + "/readyz", timeout=10).status_code == 200,
                         30, "readiness after the database is back")
                again = await asyncio.wait_for(turn(socket, "t2", "Is anyone there?"), 30)
            assert again[-1]["type"] == "reply.end" and again[-1]["message"]["state"] == "done", again
    texts = [text for role, text, _ in stored_turns(database, visitor.conversation_id) if role == "user"]
    assert texts == ["Hello?", "Is anyone there?"]
