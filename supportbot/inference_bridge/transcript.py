"""Stored conversation -> engine request. The engine gets the whole conversation every turn, so
any worker, including one that never saw the conversation, can answer it."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from PIL import Image

from inference.types import ChatMessage, GenerationRequest, Role, SamplingParams
from supportbot.chat.models import Attachment, Conversation, Message


@dataclass(frozen=True)
class Transcript:
    """A conversation as the engine reads it, and the stored messages it was read from."""

    messages: list[ChatMessage]
    message_ids: tuple[int, ...]
    from_api: bool = False

    def followed_by(self, role: Role, text: str, message_id: int) -> Transcript:
        # Empty failed replies leave no trace (as when read from the database).
        said = [ChatMessage(role, text)] if text else []
        return Transcript([*self.messages, *said], (*self.message_ids, message_id), self.from_api)


def reply_sampling(sampling: dict[str, Any] | None = None, from_api: bool = False) -> SamplingParams:
    """The sampling of a reply: the configured defaults, with `sampling`'s fields (API calls choose
    temperature, max_tokens, ...) overriding them."""
    defaults: dict[str, Any] = {"max_new_tokens": settings.SUPPORTBOT_MAX_NEW_TOKENS}
    if not from_api:
        # The bot's handoff marker ends generation (agents.triggers): never streamed or stored.
        defaults["stop"] = [settings.HANDOFF_MARKER]
    return SamplingParams(**{**defaults, **(sampling or {})})


def read_transcript(conversation_id: uuid.UUID | str, before_id: int | None = None) -> Transcript:
    """The system prompt and every message stored (before message `before_id`, if given)."""
    conversation = Conversation.objects.only("source").get(pk=conversation_id)
    from_api = conversation.source == Conversation.Source.API
    history = Message.objects.filter(conversation_id=conversation_id).prefetch_related("attachments")
    if before_id is not None:
        history = history.filter(id__lt=before_id)
    # API clients bring their own system prompt, if any.
    messages = [] if from_api else [ChatMessage("system", settings.SUPPORTBOT_SYSTEM_PROMPT)]
    message_ids = []
    for message in history:
        message_ids.append(message.id)
        if message.role == Message.Role.USER:
            images = [stored_image(a.id, a.file.path) for a in message.attachments.all()]
            messages.append(ChatMessage("user", message.text, images=images))
        elif message.role == Message.Role.SYSTEM:
            messages.append(ChatMessage("system", message.text))
        elif message.text:
            # Bot and agent replies both read as the assistant's side; empty failed replies
            # leave no trace.
            messages.append(ChatMessage("assistant", message.text))
    return Transcript(messages, tuple(message_ids), from_api)


def text_transcript(conversation_id: uuid.UUID | str) -> Transcript | None:
    """The whole transcript of a conversation without screenshots, unless a reply is still
    generating (its text is not known yet). Read when a visitor connects: decoding screenshots
    there, on the one database thread, at every (re)connect would cost more than it saves."""
    generating = Message.objects.filter(
        conversation_id=conversation_id, role=Message.Role.ASSISTANT, finish_reason=""
    )
    sent_images = Attachment.objects.filter(conversation_id=conversation_id, message__isnull=False)
    if generating.exists() or sent_images.exists():
        return None
    return read_transcript(conversation_id)


def build_request(
    conversation_id: uuid.UUID | str, reply_id: int, sampling: dict[str, Any] | None = None
) -> tuple[GenerationRequest, Transcript]:
    """The request for reply `reply_id`, and the transcript of what was stored before it."""
    transcript = read_transcript(conversation_id, reply_id)
    request = GenerationRequest(
        # Every API call is a new stored conversation resending the whole history: sessionless,
        # the engine reuses whichever cached conversation shares the longest prefix.
        session_id="" if transcript.from_api else str(conversation_id),
        messages=transcript.messages,
        sampling=reply_sampling(sampling, transcript.from_api),
        request_id=str(reply_id),
    )
    return request, transcript


@functools.lru_cache(maxsize=64)
def stored_image(attachment_id: uuid.UUID, path: str) -> Image.Image:
    """Stored attachments were checked and re-encoded on upload; every turn resends them, so the
    decoded images of recent conversations stay in memory."""
    with Image.open(path) as image:
        return image.convert("RGB")
