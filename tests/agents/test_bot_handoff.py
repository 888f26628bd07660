"""The bot hands a conversation to people itself: when the model writes the handoff marker of its
system prompt (cut off the reply, never shown), and when it was unsure of its reply (mean token
log-probability under SUPPORTBOT_HANDOFF_MIN_MEAN_LOGPROB). With the in-process tiny model."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import override_settings

from inference.types import Finished, Usage
from supportbot.agents.models import Handoff
from supportbot.chat import transcript
from supportbot.chat.models import Conversation, Message
from supportbot.events.models import Event
from supportbot.chat.replies import HANDING_OVER, finish
from tests.chat_fixtures import chat_socket, new_conversation, receive_until, say

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

QUESTION = "My invoice shows the wrong amount."


def is_handoff(frame: dict) -> bool:
    return frame["type"] == "handoff"


async def turn(text: str) -> tuple[Conversation, list[dict]]:
    """One visitor turn in a new conversation: every frame up to the reply's end and, if the
    conversation was handed over, its handoff frame."""
    conversation = await database_sync_to_async(new_conversation)()
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        frames = await say(socket, "q1", text)
        status = await database_sync_to_async(
            lambda: Conversation.objects.get(pk=conversation.id).status
        )()
        if status == "pending" and not any(map(is_handoff, frames)):
            frames += await receive_until(socket, is_handoff)
    return conversation, frames


def handoff_reason(conversation: Conversation) -> str | None:
    handoff = Handoff.objects.filter(conversation=conversation).first()
    return handoff.reason if handoff else None


async def test_the_marker_ends_the_reply_unseen_and_hands_over(monkeypatch):
    # The random model's greedy answer repeats itself, which the engine would cut to one copy:
    # keep the whole of it, so that it is long enough to cut a marker from.
    plain = transcript.reply_sampling
    monkeypatch.setattr(
        transcript, "reply_sampling", lambda sampling=None, from_api=False: plain({**(sampling or {}), "ignore_eos": True, "max_new_tokens": 48}, from_api)
    )
    _, frames = await turn(QUESTION)
    full = frames[-1]["message"]["text"]
    assert len(full) >= 6, full
    # The tiny random model cannot be taught the real marker: make a piece of its (greedy, so
    # repeatable) answer the marker instead, and ask again in a new conversation.
    marker = full[len(full) // 2 : len(full) // 2 + 3]
    before = full[: full.index(marker)]
    with override_settings(HANDOFF_MARKER=marker):
        conversation, frames = await turn(QUESTION)
    streamed = "".join(f["text"] for f in frames if f["type"] == "token")
    end = next(f for f in frames if f["type"] == "reply.end")
    assert streamed == before  # nothing from the marker on ever reached the browser
    assert end["message"]["text"] == (before if before.strip() else HANDING_OVER)
    assert end["message"]["state"] == "done"
    handed = next(filter(is_handoff, frames))
    assert handed["status"] == "pending" and "SupportBot is bringing in a person" in handed["message"]["text"]
    assert await database_sync_to_async(handoff_reason)(conversation) == "bot_handoff_marker"


async def test_an_unsure_reply_hands_over_below_the_threshold():
    # Default: off, so the random tiny model does not hand every conversation over.
    assert settings.HANDOFF_MIN_MEAN_LOGPROB is None
    conversation, _ = await turn(QUESTION)
    assert await database_sync_to_async(handoff_reason)(conversation) is None
    # Any reply's mean log-probability is below 0.
    with override_settings(HANDOFF_MIN_MEAN_LOGPROB=0.0):
        conversation, frames = await turn(QUESTION)
    assert frames[-1]["message"]["state"] == "done"
    assert next(filter(is_handoff, frames))["status"] == "pending"

    def stored():
        handoff = Handoff.objects.get(conversation=conversation)
        event = Event.objects.get(conversation_id=conversation.id, kind="message.out")
        return handoff.reason, handoff.detail, event.data["mean_logprob"]

    reason, detail, mean_logprob = await database_sync_to_async(stored)()
    assert reason == "low_confidence" and detail.startswith("mean token logprob -")
    assert mean_logprob < 0


def test_marker_alone_gets_a_sentence_and_api_conversations_are_never_handed_over():
    for source in (Conversation.Source.WEB, Conversation.Source.API):
        conversation = new_conversation()
        Conversation.objects.filter(pk=conversation.pk).update(source=source)
        reply = Message.objects.create(conversation=conversation, role="assistant", worker_id="w")
        stored = finish(reply.id, 1, Finished("", Usage(stop_string=settings.HANDOFF_MARKER)))
        assert stored.text == HANDING_OVER
        assert handoff_reason(conversation) == ("bot_handoff_marker" if source == "web" else None)
