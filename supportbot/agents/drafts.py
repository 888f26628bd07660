"""Reply drafts for agents: the model suggests the next agent message from the conversation so
far, streamed to the one console socket that asked. A draft goes where the conversation's replies
go (same worker), but sessionless and stored nowhere: it never touches the visitor's cache or
transcript and never reaches the visitor."""

from __future__ import annotations

import logging
import uuid

from channels.db import database_sync_to_async
from django.conf import settings

from inference.types import ChatMessage, Finished, GenerationRequest, InferenceError, SamplingParams, TokenDelta
from supportbot.chat.delivery import send_to_channel
from supportbot.chat.models import Conversation, Message
from supportbot.chat.replies import reply_runner
from supportbot.inference_bridge import engine_client
from supportbot.inference_bridge.client import ImageFile

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
            ChatMessage("user", prompt, images=[ImageFile(a.file.path) for a in attachments]),
        ],
        sampling=SamplingParams(max_new_tokens=settings.SUPPORTBOT_MAX_NEW_TOKENS),
        request_id=f"draft-{conversation_id}",
    )


def _frame(kind: str, conversation_id: uuid.UUID | str, **fields: object) -> dict[str, object]:
    return {"type": kind, "conversation_id": str(conversation_id), **fields}


async def write_draft(conversation_id: uuid.UUID | str, reply_channel: str) -> None:
    """Stream a draft to `reply_channel` as draft.token frames, then draft.end with the whole
    text (or an error)."""
    text, error = "", None
    try:
        request = await database_sync_to_async(draft_request)(conversation_id)
        async for event in engine_client().start(request, affinity=str(conversation_id)):
            if isinstance(event, TokenDelta):
                await send_to_channel(reply_channel, _frame("draft.token", conversation_id, text=event.text))
            elif isinstance(event, Finished):
                text, error = event.text, event.usage.error or None
    except Conversation.DoesNotExist:
        error = "No such conversation."
    except InferenceError as failed:
        error = str(failed)
    except Exception:
        log.exception("draft for conversation %s failed", conversation_id)
        error = FAILED
    await send_to_channel(reply_channel, _frame("draft.end", conversation_id, text=text, error=error))


async def request_draft(conversation_id: uuid.UUID, reply_channel: str) -> bool:
    """Start a draft; False when no engine can take it now."""
    if not await engine_client().available():
        return False
    # Held by the reply runner, as replies are: it finishes even if the asking socket closes.
    reply_runner().run_in_background(write_draft(conversation_id, reply_channel))
    return True
