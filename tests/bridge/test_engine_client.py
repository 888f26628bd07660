"""The Redis engine client against the machine's Redis, with this test as the worker: a request
lost while queued (Redis restarted and forgot it, its worker alive) is submitted again; one whose
worker dies after streaming part of it ends with an error at once instead of hanging."""

from __future__ import annotations

import asyncio
import contextlib
import secrets

import pytest
import redis

from inference.types import ChatMessage, Finished, GenerationRequest, TokenDelta, Usage
from supportbot.inference_bridge import registry
from supportbot.inference_bridge.client import NoEngine, RequestLost
from supportbot.inference_bridge.redis_client import LOST, RedisClient
from supportbot.inference_bridge.wire import event_to_json, request_from_json

REDIS = "redis://127.0.0.1:6379/0"
WORKER = "worker-a"

pytestmark = [pytest.mark.services, pytest.mark.timeout(60)]


@pytest.fixture
def redis_mode(settings):
    settings.REDIS_URL = REDIS
    settings.REDIS_PREFIX = prefix = f"supportbot-test-{secrets.token_hex(4)}"
    settings.INFERENCE_WORKER_TTL_S = 0.5
    settings.INFERENCE_HEARTBEAT_S = 0.1
    yield prefix
    forget_everything(prefix)


def forget_everything(prefix: str) -> None:
    """What a restart of Redis (which keeps nothing on disk here) does to this test's keys."""
    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@contextlib.asynccontextmanager
async def heartbeating(worker_id: str):
    async def beat() -> None:
        while True:
            await registry.heartbeat(worker_id)
            await asyncio.sleep(0.1)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()


def request() -> GenerationRequest:
    return GenerationRequest(session_id="c1", messages=[ChatMessage("user", "Where is my parcel?")])


async def queued_entries(worker_id: str) -> int:
    return await registry._redis().llen(registry._requests_key(worker_id))


async def next_entry(worker_id: str) -> dict:
    async with asyncio.timeout(10):
        while (entry := await registry.next_request(worker_id, timeout_s=1)) is None:
            pass
    return entry


async def answer(entry: dict, *events) -> None:  # noqa: ANN002
    for event in events:
        await registry.append_event(entry["inbox"], entry["key"], event_to_json(event, "tiny"), 60)


async def test_a_request_lost_while_queued_is_submitted_again(redis_mode):
    async with heartbeating(WORKER):
        await asyncio.sleep(0.05)
        generation = RedisClient().start(request(), affinity="c1")
        reading = asyncio.ensure_future(anext(aiter(generation)))
        while not await queued_entries(WORKER):
            await asyncio.sleep(0.01)
        forget_everything(redis_mode)  # Redis restarted before the worker took the request
        # The worker, alive all along, takes what comes next.
        entry = await next_entry(WORKER)
        assert request_from_json(entry["request"]).messages[0].text == "Where is my parcel?"
        await answer(entry, TokenDelta("It ships today.", 1), Finished("It ships today.", Usage()))
        first = await asyncio.wait_for(reading, 10)
        rest = [event async for event in generation]
    assert isinstance(first, TokenDelta) and isinstance(rest[-1], Finished)
    assert generation.attempts == 2  # submitted again after the loss
    assert generation.model == "tiny" and generation.worker_id == WORKER


async def test_a_request_whose_worker_dies_mid_stream_ends_with_an_error(redis_mode):
    events = []
    async with heartbeating(WORKER):
        await asyncio.sleep(0.05)
        generation = RedisClient().start(request(), affinity="c1")
        stream = aiter(generation)
        entry = await next_entry(WORKER)
        await answer(entry, TokenDelta("It ships", 1))
        events.append(await anext(stream))
    # The heartbeat stops (the worker was killed): the caller decides whether to start again.
    with pytest.raises(RequestLost, match=LOST):
        async with asyncio.timeout(5):
            await anext(stream)
    assert isinstance(events[0], TokenDelta)


async def test_without_a_live_worker_a_request_is_refused(redis_mode):
    client = RedisClient()
    assert not await client.available()
    with pytest.raises(NoEngine):
        async for _ in client.start(request()):
            pass
