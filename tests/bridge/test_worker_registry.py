"""Which inference worker owns a conversation: heartbeats in the machine's Redis, rendezvous
hashing over the live workers."""

from __future__ import annotations

import asyncio
import secrets
import uuid

import pytest
import redis

from supportbot.inference_bridge import registry as worker_registry
from supportbot.inference_bridge.registry import pick_worker

pytestmark = pytest.mark.services

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def registry(settings):
    settings.REDIS_URL = REDIS
    settings.REDIS_PREFIX = f"supportbot-test-{secrets.token_hex(4)}"
    settings.INFERENCE_WORKER_TTL_S = 0.3
    yield worker_registry
    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(f"{settings.REDIS_PREFIX}:*"))
    if keys:
        client.delete(*keys)


def test_a_conversation_keeps_its_worker_and_only_a_dead_workers_conversations_move():
    conversations = [uuid.uuid4() for _ in range(300)]
    workers = ["worker-a", "worker-b", "worker-c"]
    owners = {c: pick_worker(c, workers) for c in conversations}
    assert owners == {c: pick_worker(c, list(reversed(workers))) for c in conversations}
    assert set(owners.values()) == set(workers)  # spread over all of them
    survivors = {c: pick_worker(c, ["worker-a", "worker-b"]) for c in conversations}
    moved = {c for c in conversations if survivors[c] != owners[c]}
    assert moved == {c for c in conversations if owners[c] == "worker-c"}
    assert pick_worker(conversations[0], []) is None


async def test_heartbeats_expire_draining_workers_take_no_new_turns_and_deregistering_is_at_once(
    registry,
):
    await registry.heartbeat("worker-a")
    await registry.heartbeat("worker-b")
    await registry.heartbeat("worker-c")
    assert sorted(await registry.live_workers()) == ["worker-a", "worker-b", "worker-c"]

    await registry.heartbeat("worker-b", accepting=False)  # draining before a shutdown
    await registry.deregister("worker-c")
    assert sorted(await registry.live_workers()) == ["worker-a"]
    assert [await registry.is_alive(w) for w in ("worker-a", "worker-b", "worker-c")] == [True, True, False]

    await asyncio.sleep(0.4)  # nobody beats any more: all expire
    assert await registry.live_workers() == []
    assert not await registry.is_alive("worker-a") and not await registry.is_alive("worker-b")


async def test_requests_wait_in_the_workers_queue_in_order_up_to_its_capacity(registry, settings):
    settings.INFERENCE_QUEUE_CAPACITY = 2
    assert await registry.next_request("worker-a", timeout_s=0.1) is None  # nothing yet: waits
    # Queued before the worker listens, and not lost for that (a pub/sub message would be).
    assert await registry.queue_request("worker-a", {"reply_id": 1})
    assert await registry.queue_request("worker-a", {"reply_id": 2})
    assert not await registry.queue_request("worker-a", {"reply_id": 3})  # full
    assert await registry.next_request("worker-a", timeout_s=1) == {"reply_id": 1}
    assert await registry.next_request("worker-a", timeout_s=1) == {"reply_id": 2}
    assert await registry.queue_request("worker-a", {"reply_id": 4})  # room again
    assert await registry.next_request("worker-b", timeout_s=0.1) is None  # each worker its own


async def test_a_dead_workers_queue_expires_with_its_requests(registry, settings):
    settings.INFERENCE_QUEUE_EXPIRY_S = 0.2
    assert await registry.queue_request("worker-a", {"reply_id": 1})
    await asyncio.sleep(0.4)
    assert await registry.next_request("worker-a", timeout_s=0.1) is None
