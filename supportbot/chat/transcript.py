"""A stored conversation as the engine reads it. The engine gets the whole conversation every turn,
so any worker, including one that never saw the conversation, can answer it.

`TranscriptMemo` keeps, per recent conversation, the transcript the engine will read next: a
cache of the database (checked against the stored message ids before use), so that a text turn can
start generating while it is still being stored (see replies.start_early)."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from inference.types import ChatMessage, GenerationRequest, Role, SamplingParams
from supportbot.chat.models import Conversation, Message
from supportbot.inference_bridge.client import ImageFile
from supportbot.lib.languages import answer_instruction, written_in


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
        # A chat answer, not an essay: ended at a sentence's end once it is long enough.
        defaults["wrap_up_after"] = settings.SUPPORTBOT_REPLY_WRAP_UP_TOKENS
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
            images = [ImageFile(a.file.path) for a in message.attachments.all()]
            messages.append(
                ChatMessage("user", as_read(message.text, message.context, message.language), images=images)
            )
        elif message.role == Message.Role.SYSTEM:
            messages.append(ChatMessage("system", message.text))
        elif said := as_generated(message.text, message.opening):
            # Bot and agent replies both read as the assistant's side; empty failed replies
            # leave no trace.
            messages.append(ChatMessage("assistant", said))
    return Transcript(messages, tuple(message_ids), from_api)


def as_read(text: str, context: str, language: str = "") -> str:
    """A visitor's message as the model reads it: with the help-center passages retrieved for it,
    and the language to answer in (the visitor's page's, stored with the turn) where the message
    is written in another one or has no words. A model answers in the language it is asked in;
    on every turn the line cost ~6 prompt tokens a turn for nothing, and bench/quality.py found
    one fact in 26 fewer with it."""
    read = f"{text}\n\n{context}" if context else text
    if language and written_in(text) != language:
        return f"{read}\n\n{answer_instruction(language)}"
    return read


def as_generated(text: str, opening: str) -> str:
    """A bot reply as the model wrote it, without the quotes it opened with (Message.opening): the
    model read those in the turn already, and its cached tokens for the reply are its own words,
    so the next turn reuses them instead of prefilling the reply again."""
    return text.removeprefix(opening) if opening else text


def settled_transcript(conversation_id: uuid.UUID | str) -> Transcript | None:
    """The whole transcript, unless a reply is still generating (its text is not known yet)."""
    generating = Message.objects.filter(
        conversation_id=conversation_id, role=Message.Role.ASSISTANT, finish_reason=""
    )
    return None if generating.exists() else read_transcript(conversation_id)


def reply_request(
    conversation_id: uuid.UUID | str, request_id: str, transcript: Transcript, sampling: dict[str, Any] | None = None
) -> GenerationRequest:
    return GenerationRequest(
        # Every API call is a new stored conversation resending the whole history: sessionless,
        # the engine reuses whichever cached conversation shares the longest prefix.
        session_id="" if transcript.from_api else str(conversation_id),
        messages=transcript.messages,
        sampling=reply_sampling(sampling, transcript.from_api),
        request_id=request_id,
    )


class TranscriptMemo:
    """The transcript of each recent conversation as the engine will next read it: remembered
    when a visitor connects and after every reply; the least recently used go first."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._known: OrderedDict[str, Transcript] = OrderedDict()

    def remember(self, conversation_id: uuid.UUID | str, transcript: Transcript) -> None:
        self._known[str(conversation_id)] = transcript
        self._known.move_to_end(str(conversation_id))
        while len(self._known) > self.capacity:
            self._known.popitem(last=False)

    def forget(self, conversation_id: uuid.UUID | str) -> None:
        self._known.pop(str(conversation_id), None)

    def recall(self, conversation_id: uuid.UUID | str) -> Transcript | None:
        known = self._known.get(str(conversation_id))
        if known is not None:
            self._known.move_to_end(str(conversation_id))
        return known
