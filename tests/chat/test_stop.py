"""The Stop button over a real socket: the reply ends at once as "cancelled" with the text it had,
the engine's slot is free again, and the visitor's next message is answered."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from supportbot.chat import transcript
from supportbot.chat.models import Message
from supportbot.inference_bridge import engine_client
from tests.chat_fixtures import chat_socket, is_reply_end, new_conversation, receive, receive_until, send_frame

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


@pytest.fixture
def endless_replies(monkeypatch):
    """Replies that would run to 2000 tokens, loops and all, unless stopped."""
    plain = transcript.reply_sampling

    def endless(sampling=None, from_api=False):
        return plain({**(sampling or {}), "max_new_tokens": 2000, "ignore_eos": True}, from_api)

    monkeypatch.setattr(transcript, "reply_sampling", endless)


async def test_stop_keeps_the_partial_reply_frees_the_slot_and_the_next_send_works(endless_replies):
    conversation = await database_sync_to_async(new_conversation)()
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        await socket.send_json_to(send_frame("m1", "Tell me everything about my account"))
        frames = await receive_until(socket, lambda frame: frame["type"] == "token" and frame["index"] >= 3)
        reply_id = frames[0]["reply"]["id"]
        await socket.send_json_to({"type": "cancel", "message_id": reply_id})
        frames += await receive_until(socket, is_reply_end, timeout=10)
        end = frames[-1]["message"]
        assert end["id"] == reply_id and end["state"] == "done" and end["finish_reason"] == "cancelled"
        streamed = "".join(frame["text"] for frame in frames if frame["type"] == "token")
        assert end["text"] and streamed.startswith(end["text"])
        stored = await database_sync_to_async(Message.objects.get)(pk=reply_id)
        assert stored.finish_reason == "cancelled" and stored.text == end["text"]
        engine = engine_client().local_engine()
        def freed() -> bool:
            stats = engine.stats()
            return stats["running"] == 0 and stats["finished"].get("cancelled", 0) >= 1

        for _ in range(100):  # the engine thread takes the cancel on its next step
            if freed():
                break
            await asyncio.sleep(0.02)
        assert freed()

        # A cancel for a reply that has ended changes nothing; the next message is answered.
        await socket.send_json_to({"type": "cancel", "message_id": reply_id})
        await socket.send_json_to(send_frame("m2", "ok, and my invoices?"))
        ack = await receive(socket)
        assert ack["type"] == "ack" and ack["reply"]["state"] == "generating"
        await socket.send_json_to({"type": "cancel", "message_id": ack["reply"]["id"]})
        end = (await receive_until(socket, is_reply_end))[-1]["message"]
    assert end["finish_reason"] == "cancelled"


async def test_another_conversations_reply_cannot_be_stopped(endless_replies):
    mine = await database_sync_to_async(new_conversation)()
    theirs = await database_sync_to_async(new_conversation)()
    async with chat_socket(theirs.id, theirs.visitor_id) as their_socket:
        await their_socket.send_json_to(send_frame("t1", "A long question"))
        reply_id = (await receive(their_socket))["reply"]["id"]
        async with chat_socket(mine.id, mine.visitor_id) as my_socket:
            await my_socket.send_json_to({"type": "cancel", "message_id": reply_id})
            await my_socket.send_json_to({"type": "ping"})
            assert (await receive(my_socket))["type"] == "pong"  # the cancel before it was handled
        # Still generating after the stranger's cancel.
        assert await database_sync_to_async(Message.objects.filter(pk=reply_id, finish_reason="").exists)()
        await their_socket.send_json_to({"type": "cancel", "message_id": reply_id})
        assert (await receive_until(their_socket, is_reply_end))[-1]["message"]["finish_reason"] == "cancelled"
