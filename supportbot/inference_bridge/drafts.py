"""Reply drafts for agents: the model suggests the next agent message from the conversation so
far, streamed to the one console socket that asked. A draft is generated where the
conversation's replies are (same worker), but sessionless and stored nowhere: it never touches the
visitor's cache or transcript and never reaches the visitor."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import TYPE_CHECKING

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from inference.types import ChatMessage, Finished, GenerationRequest, InferenceError, SamplingParams, TokenDelta
from supportbot.chat.models import Conversation, Message
from supportbot.inference_bridge import worker_registry
from supportbot.inference_bridge.routing import InProcessRouter, inference_router
from supportbot.inference_bridge.runner import relay
from supportbot.inference_bridge.transcript import stored_image

if TYPE_CHECKING:
    from inference.engine import Engine

log = logging.getLogger(__name__)

DRAFT_PROMPT = (
    "You help a customer-support agent. Read the conversation and write the agent's next message "
    "to the customer: brief, concrete and polite, in the customer's language. Write only the "
    "message itself."
)
SPEAKERS = {
    Message.Role.USER: "Customer",
    Message.Role.ASSISTANT: "SupportBot",
    Message.Role.AGENT: "Agent",
    Message.Role.SYSTEM: "Note",
}
# The customer's latest screenshots go along (the engine takes at most 8 per message).
MAX_IMAGES = 4
FAILED = "No draft could be written."

def draft_request(conversation_id: uuid.UUID | str) -> GenerationRequest:
    """The whole conversation as one message to the model, the newest screenshots attached."""
    conversation = Conversation.objects.get(pk=conversation_id, source=Conversation.Source.WEB)
    messages = list(conversation.messages.exclude(text="", attachments=None).prefetch_related("attachments"))
    lines = [f"{SPEAKERS[m.role]}: {m.text or '(a screenshot)'}" for m in messages]
    attachments = [a for m in messages for a in m.attachments.all()][-MAX_IMAGES:]
    prompt = "The conversation so far:\n\n" + "\n".join(lines) + "\n\nWrite the agent's next message."
    return GenerationRequest(
        session_id="",  # sessionless: the visitor's own cache is left as it is
        messages=[
            ChatMessage("system", DRAFT_PROMPT),
            ChatMessage("user", prompt, images=[stored_image(a.id, a.file.path) for a in attachments]),
        ],
        sampling=SamplingParams(max_new_tokens=settings.SUPPORTBOT_MAX_NEW_TOKENS),
        request_id=f"draft-{conversation_id}",
    )


def _frame(kind: str, conversation_id: uuid.UUID | str, **fields: object) -> dict[str, str]:
    return relay(json.dumps({"type": kind, "conversation_id": str(conversation_id), **fields}))


async def generate_draft(engine: Engine, conversation_id: uuid.UUID | str, reply_channel: str) -> None:
    """Stream a draft to `reply_channel` as draft.token frames, then draft.end with the whole
    text (or an error)."""
    layer = get_channel_layer()
    text, error = "", None
    try:
        request = await database_sync_to_async(draft_request)(conversation_id)
        async for event in engine.stream(request):
            if isinstance(event, TokenDelta):
                await layer.send(reply_channel, _frame("draft.token", conversation_id, text=event.text))
            elif isinstance(event, Finished):
                text, error = event.text, event.usage.error or None
    except Conversation.DoesNotExist:
        error = "No such conversation."
    except InferenceError as failed:
        error = str(failed)
    except Exception:
        log.exception("draft for conversation %s failed", conversation_id)
        error = FAILED
    await layer.send(reply_channel, _frame("draft.end", conversation_id, text=text, error=error))


async def request_draft(conversation_id: uuid.UUID, reply_channel: str) -> bool:
    """Start a draft on the worker that answers the conversation; False when there is none."""
    router = inference_router()
    worker_id = await router.choose_worker(conversation_id)
    if worker_id is None:
        return False
    if isinstance(router, InProcessRouter):
        engine = await asyncio.to_thread(router.engine)
        # Held by the router, as replies are: it finishes even if the asking socket closes.
        router.run_in_background(generate_draft(engine, conversation_id, reply_channel))
        return True
    request = {"type": "generate.draft", "conversation_id": str(conversation_id), "reply_channel": reply_channel}
    return await worker_registry.queue_request(worker_id, request)
