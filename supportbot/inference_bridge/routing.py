"""Where a conversation's next reply is generated: in this process (no Redis) or on the inference
worker that owns the conversation (Redis). The chat consumer talks only to this module."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import os
import secrets
import threading
import uuid
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Protocol

from channels.db import database_sync_to_async
from django.conf import settings

from supportbot.inference_bridge import worker_registry
from supportbot.inference_bridge.early_start import EarlyStart, TranscriptMemo
from supportbot.inference_bridge.replies import (
    WORKER_LOST,
    fail_reply,
    generating_replies,
    reassign_reply,
)
from supportbot.inference_bridge.runner import announce_end, generate_reply, start_engine
from supportbot.inference_bridge.transcript import text_transcript

if TYPE_CHECKING:
    from inference.engine import Engine

log = logging.getLogger(__name__)

NO_WORKER = "No inference worker is available right now. Please try again in a moment."


class InferenceRouter(Protocol):
    def prepare(self, conversation_id: uuid.UUID | None = None) -> None:
        """A visitor opened a conversation (or an API client came): get ready to answer (load the
        model if it is here)."""

    def start_early(self, conversation_id: uuid.UUID, text: str) -> EarlyStart | None:
        """Start answering a text message before its turn is stored, when this router can (see
        early_start); the caller adopts the start once the turn is stored, or abandons it."""

    async def choose_worker(self, conversation_id: uuid.UUID | str) -> str | None:
        """The worker that should generate the conversation's next reply; None if there is none.
        API calls pass a fingerprint of the conversation's start instead of an id, so that the
        calls of one conversation land on the worker that caches it."""

    async def dispatch(
        self,
        conversation_id: uuid.UUID,
        reply_id: int,
        worker_id: str,
        sampling: dict[str, Any] | None = None,
        early: EarlyStart | None = None,
    ) -> None:
        """Start generating the stored reply on `worker_id` (or go on with its adopted `early`
        start); returns without waiting for it. `sampling` overrides SamplingParams fields (plain
        values: it may travel through Redis)."""

    async def alive_among(self, worker_ids: set[str]) -> set[str]:
        """Which of these workers are still running."""


class InProcessRouter:
    """Without Redis the engine lives in the web process, loaded when the first visitor connects."""

    def __init__(self) -> None:
        # Unique per process start, so replies left generating by a previous run count as lost.
        self.worker_id = f"web-{os.getpid()}-{secrets.token_hex(3)}"
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self.transcripts = TranscriptMemo()

    def engine(self) -> Engine:
        with self._engine_lock:
            if self._engine is None:
                self._engine = start_engine()
            return self._engine

    def prepare(self, conversation_id: uuid.UUID | None = None) -> None:
        # Loading a real model takes seconds: start while the visitor is still typing.
        if self._engine is None and not self._engine_lock.locked():
            self.run_in_background(asyncio.to_thread(self.engine))
        if conversation_id is not None and self.transcripts.recall(conversation_id) is None:
            self.run_in_background(self._read_transcript(conversation_id))

    async def _read_transcript(self, conversation_id: uuid.UUID) -> None:
        """So that the visitor's first message can start early too."""
        transcript = await database_sync_to_async(text_transcript)(conversation_id)
        # A reply that finished meanwhile remembered a newer one.
        if transcript is not None and self.transcripts.recall(conversation_id) is None:
            self.transcripts.remember(conversation_id, transcript)

    def run_in_background(self, work: Coroutine[Any, Any, Any]) -> None:
        # A fresh context: the caller's would tie the task's database calls to the caller's
        # thread executor (asgiref), which an HTTP request's handler shuts down when it returns.
        task = asyncio.create_task(work, context=contextvars.Context())
        # Held here, not by the caller, so that the work outlives the visitor's connection.
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def start_early(self, conversation_id: uuid.UUID, text: str) -> EarlyStart | None:
        known = self.transcripts.recall(conversation_id)
        if self._engine is None or known is None or not text.strip():
            return None
        return EarlyStart(self._engine, conversation_id, known, text.strip(), self.transcripts)

    async def choose_worker(self, conversation_id: uuid.UUID | str) -> str | None:
        return self.worker_id

    async def dispatch(
        self,
        conversation_id: uuid.UUID,
        reply_id: int,
        worker_id: str,
        sampling: dict[str, Any] | None = None,
        early: EarlyStart | None = None,
    ) -> None:
        self.run_in_background(self._generate(conversation_id, reply_id, sampling, early))

    async def _generate(
        self,
        conversation_id: uuid.UUID,
        reply_id: int,
        sampling: dict[str, Any] | None,
        early: EarlyStart | None,
    ) -> None:
        engine = self._engine or await asyncio.to_thread(self.engine)
        await generate_reply(
            engine, conversation_id, reply_id, self.worker_id, sampling, early, self.transcripts
        )

    async def alive_among(self, worker_ids: set[str]) -> set[str]:
        return worker_ids & {self.worker_id}


class RedisRouter:
    """Replies are generated by `manage.py inference_worker` processes, found through Redis."""

    def prepare(self, conversation_id: uuid.UUID | None = None) -> None:
        pass  # the workers load their models when they start

    def start_early(self, conversation_id: uuid.UUID, text: str) -> EarlyStart | None:
        return None  # the worker reads the stored turn; it has nothing to start from before

    async def choose_worker(self, conversation_id: uuid.UUID | str) -> str | None:
        return worker_registry.pick_worker(conversation_id, await worker_registry.live_workers())

    async def dispatch(
        self,
        conversation_id: uuid.UUID,
        reply_id: int,
        worker_id: str,
        sampling: dict[str, Any] | None = None,
        early: EarlyStart | None = None,
    ) -> None:
        request = {
            "type": "generate.reply",
            "conversation_id": str(conversation_id),
            "reply_id": reply_id,
            "sampling": sampling,
        }
        if not await worker_registry.queue_request(worker_id, request):
            log.warning("worker %s has a full queue; reply %s fails", worker_id, reply_id)
            failed = await database_sync_to_async(fail_reply)(reply_id, NO_WORKER)
            await announce_end(conversation_id, failed)

    async def alive_among(self, worker_ids: set[str]) -> set[str]:
        return await worker_registry.alive_among(worker_ids)


@functools.cache
def inference_router() -> InferenceRouter:
    return RedisRouter() if settings.REDIS_URL else InProcessRouter()


async def settle_lost_replies(conversation_id: uuid.UUID) -> int:
    """Deal with the conversation's generating replies whose worker is gone: hand each to a live
    worker, which generates it afresh, or (no worker left, or too many attempts) mark it failed.
    Returns how many replies are still being generated by live workers."""
    replies = await database_sync_to_async(generating_replies)(conversation_id)
    if not replies:
        return 0
    router = inference_router()
    alive = await router.alive_among({worker_id for _, worker_id in replies})
    still_generating = 0
    for reply_id, worker_id in replies:
        if worker_id in alive:
            still_generating += 1
            continue
        log.warning("reply %s lost with worker %s", reply_id, worker_id or "(none)")
        new_worker_id = await router.choose_worker(conversation_id)
        if new_worker_id is not None and await database_sync_to_async(reassign_reply)(
            reply_id, worker_id, new_worker_id
        ):
            await router.dispatch(conversation_id, reply_id, new_worker_id)
            still_generating += 1
        else:
            failed = await database_sync_to_async(fail_reply)(reply_id, WORKER_LOST, "", worker_id)
            if failed is None:
                still_generating += 1  # another connection handed it on first
            await announce_end(conversation_id, failed)
    return still_generating
