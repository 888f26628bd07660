"""The client of `manage.py inference_worker` processes, through Redis (registry.py).

A request goes to the live worker that owns its affinity key (rendezvous hashing, so a
conversation stays with its KV cache); its events come back through this process's inbox, a
Redis stream that one task reads for every request of the process. The client
holds the request until it ends, so a request lost on the way (its worker killed, or Redis
restarted and forgot it while the worker lives) is submitted again, to a live worker, as long as
nothing of it was streamed yet; after that it ends with an error instead.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from django.conf import settings
from redis.exceptions import RedisError

from inference.types import EngineTimeout, Event, Finished, GenerationRequest, InferenceError, TokenDelta
from supportbot.inference_bridge import registry
from supportbot.inference_bridge.client import Generation, NoEngine, Readiness, RequestLost
from supportbot.inference_bridge.wire import event_from_json, request_to_json

if TYPE_CHECKING:
    from inference.engine import Engine

log = logging.getLogger(__name__)

LOST = "The assistant was interrupted before it finished. Please send your message again."
MAX_ATTEMPTS = 3
# How long one read waits for events before checking that the request is still alive.
POLL_S = 1.0
# Beyond the engine's own request deadline (it ends every request by then).
DEADLINE_MARGIN_S = 30.0
ENGINE_REQUEST_TIMEOUT_S = 120.0

class RedisGeneration:
    def __init__(self, client: RedisClient, request: GenerationRequest, affinity: str) -> None:
        self.worker_id = ""
        self.attempts = 0
        self.model = ""
        self._client = client
        self._payload = request_to_json(request)
        self._affinity = affinity or request.session_id or uuid.uuid4().hex
        self._limit_s = (request.timeout_s or ENGINE_REQUEST_TIMEOUT_S) + DEADLINE_MARGIN_S
        self._deadline = time.monotonic() + self._limit_s
        self._key = ""
        self._events: asyncio.Queue[str] = asyncio.Queue()
        self._closed = False
        self._lost_workers: set[str] = set()
        self._submitting = asyncio.ensure_future(self._submit())
        self._submitting.add_done_callback(lambda done: done.cancelled() or done.exception())

    async def _submit(self) -> None:
        workers = [w for w in await self._client.live_workers() if w not in self._lost_workers]
        worker_id = registry.pick_worker(self._affinity, workers)
        if worker_id is None:
            raise NoEngine()
        key = uuid.uuid4().hex
        self._client.expect(key, self._events)
        await registry.mark_pending(key, self._limit_s)
        entry = {"key": key, "inbox": self._client.inbox, "request": self._payload}
        if not await registry.queue_request(worker_id, entry):
            log.warning("worker %s has a full queue", worker_id)
            raise NoEngine()
        self.worker_id, self._key, self.attempts = worker_id, key, self.attempts + 1

    async def __aiter__(self) -> AsyncIterator[Event]:
        try:
            await self._submitting
            async for event in self._read():
                yield event
        finally:
            self.close()

    async def _read(self) -> AsyncIterator[Event]:
        streamed, quiet_since = False, time.monotonic()
        while True:
            try:
                async with asyncio.timeout(POLL_S):
                    text = await self._events.get()
            except TimeoutError:
                text = None
            if self._closed:
                return
            if text is not None:
                quiet_since = time.monotonic()
                event, model = event_from_json(text)  # raises InvalidRequest for a refused request
                streamed = streamed or isinstance(event, TokenDelta)
                self.model = model or self.model
                yield event
                if isinstance(event, Finished):
                    return
                continue
            now = time.monotonic()
            if now > self._deadline:
                raise EngineTimeout(f"no answer from the inference worker within {self._limit_s:.0f} s")
            if now - quiet_since < settings.INFERENCE_WORKER_TTL_S:
                continue
            quiet_since = now
            try:
                worker_alive = await registry.is_alive(self.worker_id)
                if worker_alive and await registry.still_pending(self._key):
                    continue  # queued or prefilling: still on its way
            except (RedisError, OSError):
                continue  # Redis unreachable: nothing is known to be lost yet
            # The worker died, or Redis restarted and forgot the request.
            if streamed:
                raise RequestLost(LOST)
            if self.attempts >= MAX_ATTEMPTS:
                raise InferenceError(LOST)
            log.warning("request %s lost with worker %s; submitting it again", self._key, self.worker_id)
            if not worker_alive:
                self._lost_workers.add(self.worker_id)
            self._forget()
            await self._submit()

    def _forget(self) -> None:
        if self._key:
            self._client.forget(self._key)
            self._key = ""

    def close(self) -> None:
        """Stop waiting (a reader stops at once); the worker sees the request's marker gone and
        cancels it."""
        self._closed = True
        self._events.put_nowait("")
        self._submitting.cancel()
        self._forget()


class RedisClient:
    """Requests go to inference worker processes found through Redis; their events come back to
    this process's inbox, read by one task that hands each to the generation waiting for it."""

    def __init__(self) -> None:
        self.inbox = registry.inbox_key(uuid.uuid4().hex)
        self._waiting: dict[str, asyncio.Queue[str]] = {}
        self._reader: asyncio.Task[None] | None = None
        self._read_up_to = "0"  # the inbox's last entry read
        self._pending_forgets: set[asyncio.Task[None]] = set()
        self._workers_seen: tuple[float, list[str]] = (0.0, [])
        # Set by the worker command in a worker process, for its metrics.
        self.hosted_engine: Engine | None = None

    def prepare(self) -> None:
        pass  # the workers load their models when they start

    def start(self, request: GenerationRequest, affinity: str = "") -> Generation:
        return RedisGeneration(self, request, affinity)

    def expect(self, key: str, events: asyncio.Queue[str]) -> None:
        self._waiting[key] = events
        reader = self._reader
        if reader is None or reader.done() or reader.get_loop() is not asyncio.get_running_loop():
            self._reader = asyncio.ensure_future(self._read_inbox())

    def forget(self, key: str) -> None:
        self._waiting.pop(key, None)
        task = asyncio.ensure_future(registry.forget_request(key))
        self._pending_forgets.add(task)  # held until done: nobody awaits it
        task.add_done_callback(self._pending_forgets.discard)
        task.add_done_callback(lambda done: done.cancelled() or done.exception())

    async def _read_inbox(self) -> None:
        while self._waiting:
            try:
                entries = await registry.read_inbox(self.inbox, self._read_up_to, POLL_S)
            except (RedisError, OSError):
                log.warning("cannot read this process's inference inbox; retrying")
                await asyncio.sleep(POLL_S)
                continue
            for entry_id, key, event in entries:
                self._read_up_to = entry_id
                if (events := self._waiting.get(key)) is not None:
                    events.put_nowait(event)

    async def live_workers(self) -> list[str]:
        """The live workers, as seen at most a heartbeat ago: every turn asks, and a worker lost
        since is noticed by the request that went to it."""
        seen_at, workers = self._workers_seen
        if time.monotonic() - seen_at > settings.INFERENCE_HEARTBEAT_S:
            workers = await registry.live_workers()
            self._workers_seen = (time.monotonic(), workers)
        return workers

    async def available(self) -> bool:
        return bool(await self.live_workers())

    async def readiness(self) -> Readiness:
        workers = await registry.live_workers()
        if not workers:
            return Readiness(False, "no inference worker is heartbeating")
        return Readiness(True, f"{len(workers)} live worker{'s' if len(workers) > 1 else ''}")

    def local_engine(self) -> Engine | None:
        return self.hosted_engine
