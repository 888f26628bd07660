"""With Redis, frames reach sockets by pub/sub, which loses what is published while a web process
is not listening. A lost reply.end must not leave a reply looking unfinished: a chat socket and an
reply.end is read from the database once the socket has been quiet for a while. (API calls read
their reply's tokens straight from the engine client, not from frames.)"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from supportbot.chat import replies
from supportbot.chat.models import Message
from tests.chat_fixtures import chat_socket, new_conversation, receive, send_frame

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

@pytest.fixture
def lost_reply_ends(monkeypatch, settings):
    """Every reply.end is lost on the way (as pub/sub can lose it); quiet spells are short."""
    settings.INFERENCE_WORKER_TTL_S = 0.3
    settings.CHAT_FRAMES_MAY_BE_LOST = True

    async def lost(conversation_id, reply) -> None:
        pass

    monkeypatch.setattr(replies, "announce_end", lost)


async def test_a_chat_socket_gets_a_lost_reply_end_from_the_database(lost_reply_ends):
    conversation = await database_sync_to_async(new_conversation)()
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        await socket.send_json_to(send_frame("m1", "My parcel never arrived."))
        ack = await receive(socket)
        assert ack["type"] == "ack"
        frames = [await receive(socket)]
        while frames[-1]["type"] == "token":
            frames.append(await receive(socket, timeout=10))
        end = frames[-1]
    assert end["type"] == "reply.end", end
    assert end["message"]["id"] == ack["reply"]["id"] and end["message"]["state"] == "done"
    stored = await database_sync_to_async(Message.objects.get)(pk=ack["reply"]["id"])
    assert end["message"]["text"] == stored.text == "".join(f["text"] for f in frames[:-1])
