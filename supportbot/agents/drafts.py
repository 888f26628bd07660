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

# The model speaks as the support person in the conversation itself: the customer's messages are
# the user's turns and the team's (bot and agents) its own, so the next turn it writes is the
# agent's reply. A transcript to summarise from outside had a small model answer as the bot
# ("I'm not a customer, I'm a support bot").
DRAFT_PROMPT = (
    "You are a member of the {company} customer-support team, chatting with a customer. Reply to "
    "the customer's last message as a friendly, competent person: two or three short sentences, "
    "concrete next steps, in the customer's language. Never say you are a bot or an AI."
)
TEAM = (Message.Role.ASSISTANT, Message.Role.AGENT)
# The customer's latest screenshots go along (the engine takes at most 8 per message).
MAX_IMAGES = 4
# A chat message, not a letter.
MAX_DRAFT_TOKENS = 120
FAILED = "No draft could be written."


def draft_request(conversation_id: uuid.UUID | str) -> GenerationRequest:
    """The conversation as the support person's own chat, the newest screenshots attached."""
    conversation = Conversation.objects.get(pk=conversation_id, source=Conversation.Source.WEB)
    said = (
        conversation.messages.filter(role__in=(Message.Role.USER, *TEAM))
        .exclude(text="", attachments=None)
        .prefetch_related("attachments")
    )
    turns: list[ChatMessage] = []
    for message in said:
        role = "assistant" if message.role in TEAM else "user"
        text = message.text or "(a screenshot)"
        if turns and turns[-1].role == role:  # the bot and then an agent: one turn of the team
            turns[-1].text += "\n\n" + text
        else:
            turns.append(ChatMessage(role, text))
    attachments = [a for m in said if m.role == Message.Role.USER for a in m.attachments.all()][-MAX_IMAGES:]
    last_customer = next((turn for turn in reversed(turns) if turn.role == "user"), None)
    if last_customer is not None:
        last_customer.images = [ImageFile(a.file.path) for a in attachments]
    if not turns or turns[-1].role == "assistant":  # the team spoke last: the agent follows up
        turns.append(ChatMessage("user", "(The customer is waiting for your next message.)"))
    return GenerationRequest(
        session_id="",  # sessionless: the visitor's own cache is left as it is
        messages=[ChatMessage("system", DRAFT_PROMPT.format(company=settings.SUPPORTBOT_COMPANY)), *turns],
        sampling=SamplingParams(max_new_tokens=min(MAX_DRAFT_TOKENS, settings.SUPPORTBOT_MAX_NEW_TOKENS)),
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
