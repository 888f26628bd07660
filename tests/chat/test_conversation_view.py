"""What the chat page needs from the server to show what happened: the visitor's thumbs,
acknowledged and there again after a reload, and a new conversation after a resolved one."""

from __future__ import annotations

import uuid

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client

from supportbot.chat.identity import visitor_cookie_value
from supportbot.chat.models import Conversation
from tests.chat_fixtures import chat_socket, new_conversation, receive, say

NEW = "/conversations/"


def visitor_client(visitor_id: uuid.UUID, **kwargs) -> Client:
    client = Client(**kwargs)
    client.cookies[settings.VISITOR_COOKIE_NAME] = visitor_cookie_value(visitor_id)
    return client


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
async def test_thumbs_are_acknowledged_and_come_back_with_the_history():
    conversation = await database_sync_to_async(new_conversation)()
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        await socket.send_json_to({"type": "resume", "last_message_id": None})
        await receive(socket)
        reply = (await say(socket, "t-1", "Where is my parcel?"))[-1]["message"]
        await socket.send_json_to({"type": "feedback", "message_id": reply["id"], "helpful": False})
        assert await receive(socket) == {"type": "feedback.saved", "message_id": reply["id"], "helpful": False}
        await socket.send_json_to({"type": "feedback", "message_id": reply["id"], "helpful": True})
        assert (await receive(socket))["helpful"] is True

    async with chat_socket(conversation.id, conversation.visitor_id) as reloaded:
        await reloaded.send_json_to({"type": "resume", "last_message_id": None})
        history = (await receive(reloaded))["messages"]
    by_id = {message["id"]: message for message in history}
    assert by_id[reply["id"]]["feedback"] is True
    assert all("feedback" not in message for message in history if message["id"] != reply["id"])


@pytest.mark.django_db
def test_a_new_conversation_follows_only_a_resolved_one():
    visitor_id = uuid.uuid4()
    assert visitor_client(visitor_id).post(NEW).status_code == 404  # nothing to follow yet
    assert Client().post(NEW).status_code == 404
    first = Conversation.objects.create(visitor_id=visitor_id)
    still_going = visitor_client(visitor_id).post(NEW)
    assert still_going.status_code == 409 and still_going.json()["error"] == "not_resolved"

    first.status = Conversation.Status.RESOLVED
    first.save()
    client = visitor_client(visitor_id, HTTP_ACCEPT_LANGUAGE="zh-CN")
    created = client.post(NEW)
    assert created.status_code == 201
    fresh = Conversation.objects.get(pk=created.json()["id"])
    assert fresh.visitor_id == visitor_id and fresh.status == Conversation.Status.BOT and fresh.language == "zh-CN"
    # The page now shows the new one; pressing again makes no second one.
    assert f'data-conversation-id="{fresh.id}"' in client.get("/").content.decode()
    assert client.post(NEW).status_code == 409
    assert Conversation.objects.filter(visitor_id=visitor_id).count() == 2


@pytest.mark.django_db
def test_a_new_conversation_needs_the_csrf_token_and_a_post():
    visitor_id = uuid.uuid4()
    Conversation.objects.create(visitor_id=visitor_id, status=Conversation.Status.RESOLVED)
    strict = visitor_client(visitor_id, enforce_csrf_checks=True)
    assert strict.post(NEW).status_code == 403
    assert visitor_client(visitor_id).get(NEW).status_code == 405
    assert Conversation.objects.filter(visitor_id=visitor_id).count() == 1
