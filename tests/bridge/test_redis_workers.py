"""Redis mode for real: Daphne with channels-redis and PostgreSQL, two inference worker processes
with the tiny model. A conversation sticks to one worker (its cache is reused), and when that
worker is killed the next turn is answered by the other one from the stored transcript."""

from __future__ import annotations

import asyncio
import json
import secrets
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
import redis

from supportbot.inference_bridge.registry import pick_worker
from tests.live_app import LiveApp, live_app, turn, wait_for

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(240)]

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/0"


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a fresh PostgreSQL database, dropped afterwards."""
    name = f"supportbot_it_{secrets.token_hex(4)}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test."""
    with fresh_database() as url:
        yield url


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own, so other users of the same Redis are not disturbed."""
    prefix = f"supportbot-test-{secrets.token_hex(4)}"
    yield prefix
    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def app(database, redis_prefix, tmp_path) -> Iterator[LiveApp]:
    env = {"DATABASE_URL": database, "REDIS_URL": REDIS, "SUPPORTBOT_REDIS_PREFIX": redis_prefix}
    with live_app(env, tmp_path) as app:
        yield app


def live_workers(prefix: str) -> set[str]:
    client = redis.Redis.from_url(REDIS, decode_responses=True)
    members = client.smembers(f"{prefix}:inference:workers")
    return {member for member in members if client.exists(f"{prefix}:inference:heartbeat:{member}")}


def stored_reply(database: str, reply_id: int) -> dict:
    with psycopg.connect(database) as db:
        row = db.execute(
            "SELECT worker_id, generation_attempts, prompt_tokens, cached_tokens FROM chat_message"
            " WHERE id = %s",
            (reply_id,),
        ).fetchone()
    return dict(
        zip(
            ["worker_id", "generation_attempts", "prompt_tokens", "cached_tokens"], row, strict=True
        )
    )


async def test_affinity_holds_and_a_killed_owner_fails_over(app, database, redis_prefix):
    workers = {name: app.start_worker(name) for name in ("worker-a", "worker-b")}
    worker_ids = wait_for(
        lambda: len(ids := live_workers(redis_prefix)) == 2 and ids, 90, "two workers"
    )
    visitor = app.visit()

    async with app.socket(visitor) as socket:
        # Idle longer than one blocking channel read (5 s): sockets and workers must survive it.
        await asyncio.sleep(6.5)
        first = await turn(socket, "t1", "My printer says error 42.")
        second = await turn(socket, "t2", "It still does after a restart.")
    for frames in (first, second):
        assert frames[0]["type"] == "ack" and frames[-1]["type"] == "reply.end", frames
        assert frames[-1]["message"]["state"] == "done"
        assert any(frame["type"] == "token" for frame in frames)
    owner = pick_worker(visitor.conversation_id, sorted(worker_ids))
    first_reply = stored_reply(database, first[-1]["message"]["id"])
    second_reply = stored_reply(database, second[-1]["message"]["id"])
    assert first_reply["worker_id"] == second_reply["worker_id"] == owner
    # Same worker, so the second turn reused the first turn's cache.
    assert second_reply["cached_tokens"] > 0

    # Which process is the owner? The worker id ends with the process id and a random suffix.
    owner_name = next(name for name, process in workers.items() if f"-{process.pid}-" in owner)
    workers[owner_name].send_signal(signal.SIGKILL)
    workers[owner_name].wait()
    (survivor,) = worker_ids - {owner}

    # At once, while the dead owner's heartbeat may still look fresh: if the turn is routed to
    # it, it is handed to the survivor as soon as the heartbeat lapses.
    async with app.socket(visitor) as socket:
        third = await turn(socket, "t3", "Anything else I can try?")
        await socket.send(json.dumps({"type": "resume", "last_message_id": None}))
        history = json.loads(await socket.recv())
    assert third[-1]["type"] == "reply.end" and third[-1]["message"]["state"] == "done", third
    assert live_workers(redis_prefix) == {survivor}
    third_reply = stored_reply(database, third[-1]["message"]["id"])
    # First routed to the dead owner (its heartbeat had seconds left), then handed on.
    assert third_reply["worker_id"] == survivor and third_reply["generation_attempts"] == 2
    # The survivor never saw this conversation: it rebuilt it from the stored transcript.
    assert third_reply["cached_tokens"] == 0
    assert third_reply["prompt_tokens"] > second_reply["prompt_tokens"]
    assert [(m["role"], m["text"]) for m in history["messages"][::2]] == [
        ("user", "My printer says error 42."),
        ("user", "It still does after a restart."),
        ("user", "Anything else I can try?"),
    ]
    assert [m["state"] for m in history["messages"][1::2]] == ["done", "done", "done"]
