"""A text turn starts generating while it is stored (chat.replies.EarlyStart): the reply is
kept only when the stored history is the one the engine was given, and is otherwise abandoned
and generated from the database as before."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from supportbot.chat.models import Message
from supportbot.chat.uploads import store_upload
from supportbot.chat.replies import EarlyStart, reply_runner
from supportbot.chat.transcript import read_transcript, reply_request
from supportbot.inference_bridge.client import ImageFile
from tests.chat_fixtures import chat_socket, new_conversation, receive, say, screenshot_png

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


@pytest.fixture
def conversation():
    return new_conversation()


@pytest.fixture
def early_starts(monkeypatch) -> list[tuple[EarlyStart, str]]:
    """What became of every early start: "adopted", "refused" (stale history) or "abandoned"."""
    seen: list[tuple[EarlyStart, str]] = []
    adopt, abandon = EarlyStart.adopt, EarlyStart.abandon

    def recording_adopt(self: EarlyStart, history_ids: tuple[int, ...], user_message_id: int) -> bool:
        kept = adopt(self, history_ids, user_message_id)
        seen.append((self, "adopted" if kept else "refused"))
        return kept

    def recording_abandon(self: EarlyStart) -> None:
        seen.append((self, "abandoned"))
        abandon(self)

    monkeypatch.setattr(EarlyStart, "adopt", recording_adopt)
    monkeypatch.setattr(EarlyStart, "abandon", recording_abandon)
    return seen


def outcomes(early_starts: list[tuple[EarlyStart, str]]) -> list[str]:
    return [outcome for _, outcome in early_starts]


def build_request(conversation_id, reply_id):
    """The request of a reply as read from the database."""
    return reply_request(conversation_id, str(reply_id), read_transcript(conversation_id, reply_id))


def as_read(messages) -> list[tuple[str, str, int]]:
    return [(m.role, m.text, len(m.images)) for m in messages]


async def test_a_text_turn_starts_early_with_exactly_the_stored_transcript(conversation, early_starts):
    screenshot = await database_sync_to_async(store_upload)(conversation, screenshot_png())
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        # A turn with an image is stored first: its image is read from storage.
        await say(socket, "m1", "What is this error?", attachment_ids=[str(screenshot.id)])
        assert early_starts == []
        frames = await say(socket, "m2", "And how do I fix it?")
    reply_id = frames[0]["reply"]["id"]
    [(early, outcome)] = early_starts
    assert outcome == "adopted"
    stored_request = await database_sync_to_async(build_request)(conversation.id, reply_id)
    # What the engine was given is what it would have read from the database, image included.
    assert as_read(early.request.messages) == as_read(stored_request.messages)
    assert early.request.sampling == stored_request.sampling
    end = frames[-1]["message"]
    assert end["state"] == "done" and end["usage"]["cached_tokens"] > 0
    tokens = "".join(f["text"] for f in frames if f["type"] == "token")
    assert tokens.startswith(end["text"]) and end["text"]  # cut after a loop's first copy


async def test_the_first_turn_of_a_new_conversation_starts_early(conversation, early_starts):
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        await transcript_remembered(conversation)  # read when the visitor connected
        frames = await say(socket, "m1", "Hello, my invoice is wrong")
    assert outcomes(early_starts) == ["adopted"]
    assert frames[-1]["message"]["state"] == "done"


async def test_a_message_stored_meanwhile_abandons_the_early_start(conversation, early_starts):
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        await say(socket, "m1", "My order has not arrived")
        # An agent's note lands in the conversation outside this process's view.
        await database_sync_to_async(Message.objects.create)(
            conversation=conversation, role=Message.Role.AGENT, text="Tracking number is ZX-77."
        )
        tried = len(early_starts)
        frames = await say(socket, "m2", "Can you check again?")
    assert outcomes(early_starts[tried:]) == ["refused", "abandoned"]
    end = frames[-1]["message"]
    assert end["state"] == "done"
    # Generated the usual way, from a transcript that has the agent's message.
    stored_request = await database_sync_to_async(build_request)(conversation.id, end["id"])
    assert ("assistant", "Tracking number is ZX-77.", 0) in as_read(stored_request.messages)


async def test_a_message_that_hands_over_to_people_cancels_the_early_start(conversation, early_starts):
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        await say(socket, "m1", "My order has not arrived")
        tried = len(early_starts)
        await socket.send_json_to({"type": "send", "client_message_id": "m2", "text": "I want a human"})
        ack = await receive(socket)
        assert ack["type"] == "ack" and ack["reply"] is None
        # Nothing is left to start from while people own the conversation.
        assert outcomes(early_starts[tried:]) == ["abandoned"]
        assert reply_runner().memo.recall(conversation.id) is None
    assert not await database_sync_to_async(
        Message.objects.filter(conversation=conversation, role=Message.Role.ASSISTANT, id__gt=ack["message"]["id"]).exists
    )()


async def test_a_resend_is_answered_from_storage_and_its_early_start_dropped(conversation, early_starts):
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        first = await say(socket, "m1", "Where is my refund?")
        tried = len(early_starts)
        await socket.send_json_to({"type": "send", "client_message_id": "m1", "text": "Where is my refund?"})
        ack = await receive(socket)
    assert ack["duplicate"] is True and ack["reply"]["id"] == first[0]["reply"]["id"]
    assert outcomes(early_starts[tried:]) == ["abandoned"]


async def transcript_remembered(conversation) -> None:
    async with asyncio.timeout(10):
        while reply_runner().memo.recall(conversation.id) is None:
            await asyncio.sleep(0.01)


async def test_connecting_remembers_the_transcript_with_its_screenshots_unread(conversation):
    screenshot = await database_sync_to_async(store_upload)(conversation, screenshot_png())
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        await say(socket, "m1", "What is this?", attachment_ids=[str(screenshot.id)])
    memo = reply_runner().memo
    memo.forget(conversation.id)  # as after a restart
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        await transcript_remembered(conversation)
    # The screenshot is a reference to storage: decoded only where the engine runs.
    [image] = [image for message in memo.recall(conversation.id).messages for image in message.images]
    assert isinstance(image, ImageFile) and image.path == screenshot.file.path
