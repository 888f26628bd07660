"""The chat WebSocket with the in-process engine (tiny random model): turns, streaming, resends,
reconnects, and every kind of bad frame."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from supportbot.asgi import application
from supportbot.chat.models import Attachment, Message
from supportbot.chat.uploads import store_upload
from supportbot.chat import replies
from supportbot.chat.replies import MAX_ATTEMPTS
from supportbot.inference_bridge import engine_client
from tests.chat_fixtures import (
    chat_socket,
    cookie_header,
    is_reply_end,
    new_conversation,
    receive,
    receive_until,
    say,
    screenshot_png,
    send_frame,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


@pytest.fixture
def conversation():
    return new_conversation()


@pytest.fixture
def screenshot(conversation) -> Attachment:
    return store_upload(conversation, screenshot_png(label="Error 42: disk full"))


async def resume(socket: WebsocketCommunicator, last_message_id: int | None = None) -> list[dict]:
    await socket.send_json_to({"type": "resume", "last_message_id": last_message_id})
    frame = await receive(socket)
    assert frame["type"] == "history"
    return frame["messages"]


async def test_multi_turn_with_images_streams_in_order_and_stores_usage(conversation, screenshot):
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        assert await resume(socket) == []
        first = await say(
            socket, "turn-1", "What does this error mean?", attachment_ids=[str(screenshot.id)]
        )
        ack, tokens, end = first[0], first[1:-1], first[-1]
        assert ack["type"] == "ack" and ack["duplicate"] is False
        assert ack["message"]["attachments"][0]["id"] == str(screenshot.id)
        reply_id = ack["reply"]["id"]
        assert ack["reply"]["state"] == "generating"
        assert tokens and all(frame["type"] == "token" for frame in tokens)
        assert [frame["index"] for frame in tokens] == list(range(len(tokens)))
        assert {frame["message_id"] for frame in tokens} == {reply_id}
        reply = end["message"]
        assert reply["id"] == reply_id and reply["state"] == "done"
        # The stored text is what streamed, cut after the first copy if the reply looped.
        assert "".join(frame["text"] for frame in tokens).startswith(reply["text"]) and reply["text"]
        assert reply["usage"]["prompt_tokens"] > 0 and reply["usage"]["completion_tokens"] > 0

        second = await say(socket, "turn-2", "And how do I fix it?")
        second_usage = second[-1]["message"]["usage"]
        # The engine kept this conversation's cache: only the new turn was prefilled.
        assert second_usage["cached_tokens"] > 0
        assert second_usage["prompt_tokens"] > reply["usage"]["prompt_tokens"]

    stored = await database_sync_to_async(
        lambda: list(
            conversation.messages.values_list("role", "finish_reason", "ttft_ms", "total_ms")
        )
    )()
    assert [row[0] for row in stored] == ["user", "assistant", "user", "assistant"]
    for _role, finish_reason, ttft_ms, total_ms in stored[1::2]:
        assert finish_reason in ("stop", "length") and 0 < ttft_ms <= total_ms
    assert await database_sync_to_async(lambda: Attachment.objects.get().message.text)() == (
        "What does this error mean?"
    )


async def test_resend_with_the_same_client_message_id_is_answered_not_repeated(conversation):
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        frames = await say(socket, "only-once", "Hello")
        original_ack, end = frames[0], frames[-1]
        await socket.send_json_to(send_frame("only-once", "Hello"))
        repeat = await receive(socket)
    assert repeat["type"] == "ack" and repeat["duplicate"] is True
    assert repeat["message"]["id"] == original_ack["message"]["id"]
    assert repeat["reply"] == end["message"]
    assert await database_sync_to_async(conversation.messages.count)() == 2


async def test_reply_finishes_while_disconnected_and_reconnect_gets_what_was_missed(conversation):
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        await resume(socket)
        await socket.send_json_to(send_frame("before-drop", "Are you there?"))
        ack = await receive(socket)
        # The browser goes away right after the ack, while the reply is being generated.
    reply_id = ack["reply"]["id"]

    async with asyncio.timeout(60):
        while (
            reply := await database_sync_to_async(Message.objects.get)(pk=reply_id)
        ).is_generating:
            await asyncio.sleep(0.05)
    assert reply.finish_reason in ("stop", "length") and reply.text

    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        missed = await resume(socket, last_message_id=ack["message"]["id"])
    assert [message["id"] for message in missed] == [reply_id]
    assert missed[0]["state"] == "done" and missed[0]["text"] == reply.text


def leftover_reply(conversation, generation_attempts: int = 1) -> Message:
    """A reply a previous web process was generating when it died."""
    Message.objects.create(conversation=conversation, role="user", text="hi", client_message_id="a")
    return Message.objects.create(
        conversation=conversation,
        role="assistant",
        worker_id="web-1-gone",
        generation_attempts=generation_attempts,
    )


async def test_a_reply_left_generating_by_a_dead_process_is_generated_again(conversation):
    reply = await database_sync_to_async(leftover_reply)(conversation)
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        history = await resume(socket)
        assert history[-1]["id"] == reply.id and history[-1]["state"] == "generating"
        frames = await receive_until(socket, is_reply_end)
    assert [frame["index"] for frame in frames[:-1]] == list(range(len(frames) - 1))
    assert frames[-1]["message"]["id"] == reply.id and frames[-1]["message"]["state"] == "done"
    stored = await database_sync_to_async(Message.objects.get)(pk=reply.id)
    assert stored.worker_id == engine_client().worker_id and stored.generation_attempts == 2


async def test_a_reply_that_lost_too_many_workers_is_reported_failed(conversation):
    reply = await database_sync_to_async(leftover_reply)(conversation, MAX_ATTEMPTS)
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        history = await resume(socket)
        assert history[-1]["id"] == reply.id and history[-1]["state"] == "failed"
        assert "interrupted" in history[-1]["error"]
        # Every other connection of the conversation is told too.
        ended = await receive(socket)
        assert ended["type"] == "reply.end" and ended["message"] == history[-1]
        # The conversation is usable again.
        frames = await say(socket, "b", "Hello again")
        assert frames[-1]["message"]["state"] == "done"


async def test_a_send_while_a_reply_is_generating_is_refused(conversation):
    def generating_reply() -> None:
        replies.create_generating(conversation)  # leased to a live process

    await database_sync_to_async(generating_reply)()
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        await socket.send_json_to(send_frame("too-early", "Hello?"))
        error = await receive(socket)
    assert error == {
        "type": "error",
        "code": "busy",
        "message": "Please wait until the current reply has finished.",
        "client_message_id": "too-early",
    }


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "invalid_frame"),
        ('{"text": "no type"}', "invalid_frame"),
        ('{"type": "shout", "text": "hi"}', "unknown_type"),
        ('{"type": "send", "text": "no id"}', "invalid_frame"),
        (
            '{"type": "send", "client_message_id": "bad id with spaces", "text": "x"}',
            "invalid_frame",
        ),
        (json.dumps(send_frame("long", "x" * 4001)), "text_too_long"),
        (
            json.dumps(send_frame("many", "x", [str(uuid.uuid4()) for _ in range(5)])),
            "too_many_attachments",
        ),
        (json.dumps(send_frame("empty", "   ")), "empty_message"),
        (json.dumps(send_frame("ghost", "look", [str(uuid.uuid4())])), "attachment_not_found"),
        ('{"type": "resume", "last_message_id": "yesterday"}', "invalid_frame"),
    ],
)
async def test_bad_frames_get_an_error_and_the_connection_survives(conversation, frame, code):
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        await say(socket, "kept", "An earlier message")
        await socket.send_to(text_data=frame)
        error = await receive(socket)
        assert error["type"] == "error" and error["code"] == code and error["message"]
        await socket.send_json_to({"type": "ping"})
        assert await receive(socket) == {"type": "pong"}
        history = await resume(socket)
    assert [message["text"] for message in history][0] == "An earlier message"
    assert len(history) == 2


async def test_binary_frames_are_refused(conversation):
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        await socket.send_to(bytes_data=b"\x00\x01")
        assert (await receive(socket))["code"] == "invalid_frame"


async def test_an_attachment_of_another_conversation_cannot_be_sent(conversation):
    other = await database_sync_to_async(new_conversation)()
    foreign = await database_sync_to_async(store_upload)(other, screenshot_png())
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        await socket.send_json_to(send_frame("steal", "mine now", [str(foreign.id)]))
        error = await receive(socket)
    assert error["code"] == "attachment_not_found" and error["client_message_id"] == "steal"
    assert await database_sync_to_async(conversation.messages.count)() == 0


async def test_a_flood_of_frames_is_rate_limited_per_visitor(conversation, settings):
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        for _ in range(settings.CHAT_FRAME_BURST + 10):
            await socket.send_json_to({"type": "ping"})
        frames = [await receive(socket) for _ in range(settings.CHAT_FRAME_BURST + 1)]
        assert frames.count({"type": "pong"}) == settings.CHAT_FRAME_BURST
        limited = [frame for frame in frames if frame["type"] == "error"]
        # One notice for the whole flood, not one per dropped frame.
        assert len(limited) == 1 and limited[0]["code"] == "rate_limited"
        assert await socket.receive_nothing(timeout=0.3)
        # A second connection of the same visitor shares the bucket.
        async with chat_socket(conversation.id, conversation.visitor_id) as second:
            await second.send_json_to({"type": "ping"})
            assert (await receive(second))["code"] == "rate_limited"
        await asyncio.sleep(1.0 / settings.CHAT_FRAMES_PER_SECOND + 0.1)
        await socket.send_json_to({"type": "ping"})
        assert await receive(socket) == {"type": "pong"}


@pytest.mark.parametrize("whose", ["another visitor's", "missing", "not a uuid", "no cookie"])
async def test_a_conversation_that_is_not_the_visitors_is_not_found(conversation, whose):
    path_id, visitor = {
        "another visitor's": (conversation.id, uuid.uuid4()),
        "missing": (uuid.uuid4(), conversation.visitor_id),
        "not a uuid": ("not-a-uuid", conversation.visitor_id),
        "no cookie": (conversation.id, None),
    }[whose]
    async with chat_socket(path_id, visitor) as socket:
        error = await receive(socket)
        assert error["type"] == "error" and error["code"] == "not_found"
        assert (await socket.receive_output(timeout=5))["code"] == 4404


async def test_a_socket_from_a_foreign_origin_is_refused(conversation):
    socket = WebsocketCommunicator(
        application,
        f"/ws/chat/{conversation.id}/",
        headers=[
            (b"origin", b"https://evil.example"),
            (b"cookie", cookie_header(conversation.visitor_id).encode()),
        ],
    )
    connected, _ = await socket.connect()
    assert not connected


async def test_a_turn_sent_in_one_tab_shows_in_the_visitors_other_tabs(conversation):
    async with chat_socket(conversation.id, conversation.visitor_id) as tab1:
        async with chat_socket(conversation.id, conversation.visitor_id) as tab2:
            sent = await say(tab1, "m1", "Hello from the first tab")
            ack = sent[0]
            assert [f["type"] for f in sent].count("turn") == 0  # the sender has the ack
            seen = await receive_until(tab2, is_reply_end)
            turn = seen[0]
            assert turn["type"] == "turn"
            assert turn["message"] == ack["message"] and turn["reply"]["id"] == ack["reply"]["id"]
            assert seen[-1]["message"]["id"] == ack["reply"]["id"]
