"""Stored conversation -> engine request. The engine gets the whole conversation every turn, so
any worker, including one that never saw the conversation, can answer it."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from django.conf import settings
from PIL import Image

from inference.types import ChatMessage, GenerationRequest, SamplingParams
from supportbot.chat.models import Conversation, Message


def build_request(
    conversation_id: uuid.UUID | str, reply_id: int, sampling: dict[str, Any] | None = None
) -> GenerationRequest:
    """The request for reply `reply_id`: the system prompt and every message stored before it.

    `sampling` overrides SamplingParams fields (API calls choose temperature, max_tokens, ...).
    """
    conversation = Conversation.objects.only("source").get(pk=conversation_id)
    from_api = conversation.source == Conversation.Source.API
    if not from_api:
        # The bot's handoff marker ends generation (agents.triggers): never streamed or stored.
        sampling = {"stop": [settings.HANDOFF_MARKER], **(sampling or {})}
    history = Message.objects.filter(
        conversation_id=conversation_id, id__lt=reply_id
    ).prefetch_related("attachments")
    # API clients bring their own system prompt, if any.
    messages = [] if from_api else [ChatMessage("system", settings.SUPPORTBOT_SYSTEM_PROMPT)]
    for message in history:
        if message.role == Message.Role.USER:
            images = [_stored_image(a.id, a.file.path) for a in message.attachments.all()]
            messages.append(ChatMessage("user", message.text, images=images))
        elif message.role == Message.Role.SYSTEM:
            messages.append(ChatMessage("system", message.text))
        elif message.text:
            # Bot and agent replies both read as the assistant's side; empty failed replies
            # leave no trace.
            messages.append(ChatMessage("assistant", message.text))
    return GenerationRequest(
        # Every API call is a new stored conversation resending the whole history: sessionless,
        # the engine reuses whichever cached conversation shares the longest prefix.
        session_id="" if from_api else str(conversation_id),
        messages=messages,
        sampling=SamplingParams(
            **{"max_new_tokens": settings.SUPPORTBOT_MAX_NEW_TOKENS, **(sampling or {})}
        ),
        request_id=str(reply_id),
    )


@functools.lru_cache(maxsize=64)
def _stored_image(attachment_id: uuid.UUID, path: str) -> Image.Image:
    """Stored attachments were checked and re-encoded on upload; every turn resends them, so the
    decoded images of recent conversations stay in memory."""
    with Image.open(path) as image:
        return image.convert("RGB")
