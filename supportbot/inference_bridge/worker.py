"""An inference worker process (`manage.py inference_worker`): one engine, a heartbeat in Redis,
requests from its own queue, and each request's events streamed back into Redis for the client
that waits for them. It knows nothing of conversations or the database."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from redis.exceptions import RedisError

from inference.types import Finished, InvalidRequest, Usage
from supportbot.inference_bridge import registry
from supportbot.inference_bridge.client import load_engine, with_decoded_images
from supportbot.inference_bridge.wire import event_to_json, request_from_json
from supportbot.inference_bridge.worker_metrics import serve_worker_metrics

if TYPE_CHECKING:
    from inference.engine import Engine

log = logging.getLogger(__name__)

# On SIGTERM, requests in progress get this long to finish; the rest are cancelled, and their
# clients submit them again elsewhere (or fail them, if they had streamed already).
DRAIN_S = 10.0
# How long a client's inbox outlives the last event sent to it (a web process that died).
EVENTS_TTL_S = 600.0
FAILED = "The assistant could not answer because of an internal error."


async def serve_forever(worker_id: str, on_engine: Any = None) -> None:
    """Run until SIGTERM or SIGINT, then drain. `on_engine(engine)` is told of the loaded engine
    (the worker's metrics read it)."""
    engine = await asyncio.to_thread(
        load_engine,
        settings.SUPPORTBOT_MODEL,
        settings.SUPPORTBOT_KV_CACHE_MB * 2**20,
        settings.SUPPORTBOT_MAX_BATCH,
    )
    if on_engine is not None:
        on_engine(engine)
    serve_worker_metrics()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    running: set[asyncio.Task[None]] = set()
    # The first heartbeat only once the model is loaded: no request is routed to a loading worker.
    await registry.heartbeat(worker_id)
    accepting = asyncio.Event()
    accepting.set()
    heartbeats = asyncio.create_task(_keep_heartbeat(worker_id, accepting))
    intake = asyncio.create_task(_take_requests(engine, worker_id, running))
    log.info("inference worker %s ready", worker_id)
    try:
        await stop.wait()
    finally:
        intake.cancel()
        accepting.clear()
        await registry.heartbeat(worker_id, accepting=False)
        if running:
            _, unfinished = await asyncio.wait(running, timeout=DRAIN_S)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)
        heartbeats.cancel()
        await registry.deregister(worker_id)
        engine.shutdown()
        log.info("inference worker %s stopped", worker_id)


async def _keep_heartbeat(worker_id: str, accepting: asyncio.Event) -> None:
    while True:
        try:
            await registry.heartbeat(worker_id, accepting.is_set())
        except (RedisError, OSError):
            # Redis unreachable for a moment: this worker drops out of the pool until it is back.
            log.warning("heartbeat of worker %s failed", worker_id, exc_info=True)
        await asyncio.sleep(settings.INFERENCE_HEARTBEAT_S)


async def _take_requests(engine: Engine, worker_id: str, running: set[asyncio.Task[None]]) -> None:
    while True:
        try:
            entry = await registry.next_request(worker_id, timeout_s=5.0)
        except (RedisError, OSError):
            # Taken up again once Redis is back; meanwhile clients see this worker's heartbeat
            # lapse and go elsewhere, or fail with "unavailable".
            log.warning("worker %s cannot read its queue", worker_id, exc_info=True)
            await asyncio.sleep(settings.INFERENCE_HEARTBEAT_S)
            continue
        if entry is None:
            continue
        task = asyncio.create_task(_generate(engine, entry["key"], entry["inbox"], entry["request"]))
        running.add(task)
        task.add_done_callback(running.discard)


async def _generate(engine: Engine, key: str, inbox: str, payload: str) -> None:
    """Stream one request's events to its client's inbox until it finishes or the client stops
    waiting."""
    try:
        if not await registry.still_pending(key):
            return  # the client gave up while it was queued
        request = request_from_json(payload)
        if any(message.images for message in request.messages):
            request = await asyncio.to_thread(with_decoded_images, request)
        model = str(engine.stats().get("model", ""))
        stream = engine.event_stream(request)
        try:
            await stream.start()
        except InvalidRequest as refused:
            await registry.append_event(inbox, key, event_to_json(refused), EVENTS_TTL_S)
            return
        try:
            async for event in stream:
                if not await registry.append_event(inbox, key, event_to_json(event, model), EVENTS_TTL_S):
                    return  # nobody waits any more: closing the stream cancels the request
        finally:
            stream.close()
    except (RedisError, OSError):
        log.warning("worker lost Redis while streaming request %s; its client will retry", key)
    except Exception:
        log.exception("request %s failed on this worker", key)
        failed = Finished("", Usage(finish_reason="error", error=FAILED))
        await registry.append_event(inbox, key, event_to_json(failed), EVENTS_TTL_S)
