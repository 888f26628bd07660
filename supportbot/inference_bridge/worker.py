"""An inference worker process (`manage.py inference_worker`): one engine, a heartbeat in Redis,
and generation requests from its own queue in Redis; replies stream to the conversations' groups,
agents' reply drafts to the console that asked."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import TYPE_CHECKING

from django.conf import settings
from redis.exceptions import RedisError

from supportbot.inference_bridge import worker_registry
from supportbot.inference_bridge.drafts import generate_draft
from supportbot.inference_bridge.runner import generate_reply, start_engine
from supportbot.ops.metrics import serve_worker_metrics

if TYPE_CHECKING:
    from inference.engine import Engine

log = logging.getLogger(__name__)

# On SIGTERM, replies in progress get this long to finish before they are handed elsewhere.
DRAIN_S = 10.0


async def serve_forever(worker_id: str) -> None:
    """Run until SIGTERM or SIGINT, then drain: stop taking turns, give the replies in progress
    DRAIN_S to finish, and leave; what did not finish is handed to another worker."""
    engine = await asyncio.to_thread(start_engine)
    serve_worker_metrics(engine)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    generating: set[asyncio.Task[None]] = set()
    # The first heartbeat only once the model is loaded: no turn is routed to a loading worker.
    await worker_registry.heartbeat(worker_id)
    accepting = asyncio.Event()
    accepting.set()
    heartbeats = asyncio.create_task(_keep_heartbeat(worker_id, accepting))
    intake = asyncio.create_task(_take_requests(engine, worker_id, generating))
    log.info("inference worker %s ready", worker_id)
    try:
        await stop.wait()
    finally:
        intake.cancel()
        accepting.clear()
        await worker_registry.heartbeat(worker_id, accepting=False)
        if generating:
            _, unfinished = await asyncio.wait(generating, timeout=DRAIN_S)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)
        heartbeats.cancel()
        await worker_registry.deregister(worker_id)
        engine.shutdown()
        log.info("inference worker %s stopped", worker_id)


async def _keep_heartbeat(worker_id: str, accepting: asyncio.Event) -> None:
    while True:
        try:
            await worker_registry.heartbeat(worker_id, accepting.is_set())
        except (RedisError, OSError):
            # Redis unreachable for a moment: this worker drops out of the pool until it is back.
            log.warning("heartbeat of worker %s failed", worker_id, exc_info=True)
        await asyncio.sleep(settings.INFERENCE_HEARTBEAT_S)


async def _take_requests(
    engine: Engine, worker_id: str, generating: set[asyncio.Task[None]]
) -> None:
    while True:
        try:
            request = await worker_registry.next_request(worker_id, timeout_s=5.0)
        except (RedisError, OSError):
            # Keep taking requests once Redis is back; meanwhile turns go to other workers
            # (this one's heartbeat fails too) or fail with "unavailable".
            log.warning("worker %s cannot read its queue", worker_id, exc_info=True)
            await asyncio.sleep(settings.INFERENCE_HEARTBEAT_S)
            continue
        if request is None:
            continue
        if request["type"] == "generate.draft":  # an agent's reply draft, for their console only
            work = generate_draft(engine, request["conversation_id"], request["reply_channel"])
        else:
            work = generate_reply(
                engine, request["conversation_id"], request["reply_id"], worker_id, request.get("sampling")
            )
        task = asyncio.create_task(work)
        generating.add(task)
        task.add_done_callback(generating.discard)
