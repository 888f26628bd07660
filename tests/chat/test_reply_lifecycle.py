"""Every bot reply ends, whatever fails (chat.replies): a finish the database refuses, or the
process that ran the reply gone, and the visitor gets the reply's end without asking, and can
send again. (A worker killed mid-stream and Redis restarted: tests/bridge/test_faults.py; a request
lost in Redis while its worker lives: tests/bridge/test_engine_client.py.)"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from supportbot.chat import replies
from supportbot.chat.models import Conversation, Message
from tests.chat_fixtures import chat_socket, is_reply_end, new_conversation, receive_until, say, send_frame

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


@pytest.fixture
def short_leases(settings, monkeypatch):
    settings.REPLY_LEASE_S = 0.6
    monkeypatch.setattr(replies, "FINISH_RETRIES_S", (0.05,))


async def test_a_reply_the_database_would_not_store_is_taken_up_once_its_lease_lapses(short_leases, monkeypatch):
    conversation = await database_sync_to_async(new_conversation)()
    store = replies.finish
    refused = []

    def refusing_first_attempt(reply_id: int, attempt: int, *args, **kwargs):
        if attempt == 1:
            refused.append(reply_id)
            raise DatabaseError("connection lost")
        return store(reply_id, attempt, *args, **kwargs)

    monkeypatch.setattr(replies, "finish", refusing_first_attempt)
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        await socket.send_json_to(send_frame("m1", "Where is my parcel?"))
        frames = await receive_until(socket, is_reply_end, timeout=20)
        end = frames[-1]["message"]
        assert end["state"] == "done" and end["text"]
        assert refused == [end["id"], end["id"]]  # the first try and its one retry
        stored = await database_sync_to_async(Message.objects.get)(pk=end["id"])
        assert stored.generation_attempts == 2 and stored.lease_expires_at is None
        # The conversation goes on.
        again = await say(socket, "m2", "Thanks, and my invoice?")
    assert again[-1]["message"]["state"] == "done"


def left_by_a_dead_process(conversation, attempts: int) -> Message:
    Message.objects.create(conversation=conversation, role="user", text="Is my order shipped?", client_message_id="a")
    reply = replies.create_generating(conversation)
    lapsed = timezone.now() - timedelta(seconds=1)
    Message.objects.filter(pk=reply.pk).update(lease_expires_at=lapsed, generation_attempts=attempts)
    return reply


@pytest.mark.parametrize(("attempts", "state"), [(1, "done"), (replies.MAX_ATTEMPTS, "failed")])
async def test_a_reply_whose_process_died_ends_without_the_visitor_asking(short_leases, attempts, state):
    conversation = await database_sync_to_async(new_conversation)()
    reply = await database_sync_to_async(left_by_a_dead_process)(conversation, attempts)
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        # Nothing is sent: the sweep of lapsed leases finds the reply.
        frames = await receive_until(socket, is_reply_end, timeout=20)
        end = frames[-1]["message"]
        assert end["id"] == reply.id and end["state"] == state
        if state == "failed":
            assert end["error"] == replies.INTERRUPTED
        again = await say(socket, "m2", "Hello?")
    assert again[-1]["message"]["state"] == "done"


class SlowGeneration:
    """The engine's events, each a tenth of a second late."""

    def __init__(self, inner) -> None:  # noqa: ANN001
        self.inner, self.worker_id, self.attempts, self.model = inner, inner.worker_id, 1, ""

    async def __aiter__(self):
        async for event in self.inner:
            await asyncio.sleep(0.1)
            yield event

    def close(self) -> None:
        self.inner.close()


async def test_a_reply_that_outlives_many_leases_is_left_alone(short_leases, monkeypatch):
    """Its own process keeps renewing the lease: nobody takes the reply over."""
    client = apps.get_app_config("inference_bridge").client
    monkeypatch.setattr(client, "start", lambda request, affinity="", start=client.start: SlowGeneration(start(request)))
    taken_over = []
    take_over = replies.take_over_lapsed

    def watched(*args):  # noqa: ANN002
        restart, failed = take_over(*args)
        taken_over.extend(restart + failed)
        return restart, failed

    monkeypatch.setattr(replies, "take_over_lapsed", watched)
    conversation = await database_sync_to_async(new_conversation)()
    started = time.monotonic()
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        frames = await say(socket, "m1", "Explain my bill in detail, please.")
    assert time.monotonic() - started > 3 * settings.REPLY_LEASE_S
    end = frames[-1]["message"]
    assert end["state"] == "done" and taken_over == []
    stored = await database_sync_to_async(Message.objects.get)(pk=end["id"])
    assert stored.generation_attempts == 1


def test_a_lapsed_api_reply_is_failed_not_started_again():
    """Its caller was connected to the process that died: nobody would read a new attempt."""
    api_call = Conversation.objects.create(visitor_id=uuid.uuid4(), source=Conversation.Source.API)
    reply = left_by_a_dead_process(api_call, attempts=1)
    restart, failed = replies.take_over_lapsed(api_call.id)
    assert restart == [] and [r.id for r in failed] == [reply.id]
    assert Message.objects.get(pk=reply.id).error == replies.INTERRUPTED
