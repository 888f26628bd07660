"""What every process that hosts an engine does (the web process without Redis, or an inference
worker): load the model, and generate a stored reply while streaming it to the conversation."""

from __future__ import annotations

import atexit
import gc
import logging
import uuid
from typing import TYPE_CHECKING, Any

from channels.layers import get_channel_layer
from django.conf import settings

from inference.types import Finished, InferenceError, TokenDelta, Usage
from supportbot.chat.frames import conversation_group, reply_end_frame, token_frame
from supportbot.chat.models import Message
from supportbot.inference_bridge.early_start import EarlyStart, TranscriptMemo
from supportbot.inference_bridge.replies import finish_reply
from supportbot.inference_bridge.transcript import Transcript, build_request
from supportbot.lib.database import concurrent_database_sync_to_async

if TYPE_CHECKING:
    from inference.engine import Engine

log = logging.getLogger(__name__)

FAILED = "The assistant could not answer because of an internal error."


def start_engine() -> Engine:
    """Load the configured model and start its engine (blocking: seconds for a real model).

    torch is imported here, lazily, so that Django processes without an engine never load it.
    """
    from inference.engine import Engine, EngineConfig
    from inference.models import load_model
    from inference.models.hub import default_model_spec

    model_name = settings.SUPPORTBOT_MODEL or default_model_spec()
    log.info("loading model %s", model_name)
    config = EngineConfig(
        kv_budget_bytes=settings.SUPPORTBOT_KV_CACHE_MB * 2**20, max_batch=settings.SUPPORTBOT_MAX_BATCH
    )
    engine = Engine(load_model(model_name), config).start()
    # Stopped before the interpreter goes: torch must not be mid-step in a thread then.
    atexit.register(engine.shutdown)
    # The model and libraries just loaded are millions of long-lived objects: out of the cyclic
    # garbage collector's sight, its full collections take milliseconds instead of ~300 ms
    # during which every stream of the process stood still.
    gc.freeze()
    return engine


def relay(frame: str) -> dict[str, str]:
    """A group message that every ChatConsumer of the conversation passes on to its browser."""
    return {"type": "chat.frame", "frame": frame}


async def generate_reply(
    engine: Engine,
    conversation_id: uuid.UUID | str,
    reply_id: int,
    worker_id: str,
    sampling: dict[str, Any] | None = None,
    early: EarlyStart | None = None,
    memo: TranscriptMemo | None = None,
) -> None:
    """Generate reply `reply_id` as worker `worker_id`, streaming tokens to the conversation's
    group, then store it. `early`: the reply already started generating before it was stored.
    `memo`: where to remember the transcript answered, so that the next turn can start early.

    Runs to the end whether or not anyone is connected: a visitor who drops off finds the whole
    reply after reconnecting. Cancelled (this process is shutting down), it leaves the reply
    generating: once this worker stops heartbeating, the reply is handed to another one.
    """
    layer = get_channel_layer()
    group = conversation_group(conversation_id)
    parts: list[str] = []
    transcript: Transcript | None = None
    try:
        if early is not None:
            transcript, events = early.transcript, early.events()
        else:
            request, transcript = await concurrent_database_sync_to_async(build_request)(
                conversation_id, reply_id, sampling
            )
            events = engine.stream(request)
        outcome: Finished | None = None
        async for event in events:
            if isinstance(event, TokenDelta):
                await layer.group_send(group, relay(token_frame(reply_id, len(parts), event.text)))
                parts.append(event.text)
            else:
                outcome = event
        if outcome is None:
            raise InferenceError("the engine ended the stream without finishing")
    except InferenceError as error:
        outcome = Finished("".join(parts), Usage(finish_reason="error", error=str(error)))
    except Exception:
        log.exception("reply %s of conversation %s failed", reply_id, conversation_id)
        outcome = Finished("".join(parts), Usage(finish_reason="error", error=FAILED))
    finished = await concurrent_database_sync_to_async(finish_reply)(reply_id, worker_id, outcome)
    if memo is not None and transcript is not None and not transcript.from_api:
        if finished is not None and not finished.error:
            memo.remember(conversation_id, transcript.followed_by("assistant", finished.text, reply_id))
        else:
            memo.forget(conversation_id)
    await announce_end(conversation_id, finished)


async def announce_end(conversation_id: uuid.UUID | str, reply: Message | None) -> None:
    """Send a finished reply to every connection of its conversation (None: nothing to say)."""
    if reply is not None:
        # Tagged with the reply, so that a chat socket knows which ends it has seen.
        await get_channel_layer().group_send(
            conversation_group(conversation_id), {**relay(reply_end_frame(reply)), "ended_reply": reply.id}
        )
