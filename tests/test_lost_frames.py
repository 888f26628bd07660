"""With Redis, frames reach sockets by pub/sub, which loses what is published while a web process
is not listening. A lost reply.end must not leave a reply looking unfinished: a chat socket and an
API call both read it from the database once the stream has gone quiet."""

from __future__ import annotations

import json
import secrets

import pytest
import redis.asyncio
from channels_redis.pubsub import RedisPubSubChannelLayer
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from supportbot.api.completions import _reply_frames
from supportbot.chat.frames import conversation_group
from supportbot.chat.models import Message
from supportbot.inference_bridge import runner
from tests.chat_fixtures import chat_socket, new_conversation, receive, send_frame

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def lost_reply_ends(monkeypatch, settings):
    """Every reply.end is lost on the way (as pub/sub can lose it); quiet spells are short."""
    settings.INFERENCE_WORKER_TTL_S = 0.3
    settings.CHAT_FRAMES_MAY_BE_LOST = True

    async def lost(conversation_id, reply) -> None:
        pass

    monkeypatch.setattr(runner, "announce_end", lost)


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


@pytest.mark.parametrize("layer_kind", ["in-memory", "redis pub/sub"])
async def test_an_api_call_gets_a_lost_reply_end_from_the_database_and_drops_its_channel(settings, layer_kind):
    settings.INFERENCE_WORKER_TTL_S = 0.2
    conversation = await database_sync_to_async(new_conversation)()
    reply = await database_sync_to_async(Message.objects.create)(
        conversation=conversation, role="assistant", worker_id="gone", text="Stored answer.", finish_reason="stop"
    )
    if layer_kind == "in-memory":
        layer = get_channel_layer()
    else:  # as the Redis setup configures it (supportbot/settings.py), on the machine's Redis
        layer = RedisPubSubChannelLayer(hosts=[{"address": REDIS}], prefix=f"test-{secrets.token_hex(4)}")
    channel = await layer.new_channel()
    group = conversation_group(conversation.id)
    await layer.group_add(group, channel)
    token = {"type": "token", "message_id": reply.id, "index": 0, "text": "Stored"}
    await layer.send(channel, {"type": "chat.frame", "frame": json.dumps(token)})

    frames = [frame async for frame in _reply_frames(layer, channel, group, reply.id)]

    assert frames[0] == token
    assert frames[-1]["type"] == "reply.end" and frames[-1]["message"]["text"] == "Stored answer."
    # Nothing left behind: no queue in the process, no subscription in Redis.
    if layer_kind == "in-memory":
        assert channel not in layer.channels and group not in layer.groups
    else:
        client = redis.asyncio.Redis.from_url(REDIS)
        assert await client.pubsub_numsub(channel) == [(channel.encode(), 0)]
        await client.aclose()
        await layer.flush()
