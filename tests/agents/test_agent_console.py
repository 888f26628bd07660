"""The handoff end to end over WebSockets: visitor asks for a person, the online agent's console
is told, the agent claims and replies, the visitor sees the agent and no bot, resolve, rating.
And the console's door: staff with the agents role only."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.test import Client

from supportbot.agents import handoff
from supportbot.agents.models import Handoff, Note, Rating
from supportbot.agents.triggers import Trigger
from supportbot.asgi import application
from supportbot.chat.models import Message
from tests.agent_fixtures import PASSWORD, agent, team
from tests.chat_fixtures import ORIGIN, chat_socket, new_conversation, receive, receive_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


def session_cookie(username: str) -> str:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return f"sessionid={client.cookies['sessionid'].value}"


async def console_socket(cookie: str | None) -> tuple[WebsocketCommunicator, bool]:
    headers = [(b"origin", ORIGIN.encode())]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    socket = WebsocketCommunicator(application, "/ws/console/", headers=headers)
    connected, _ = await socket.connect()
    return socket, connected


def of_type(kind: str):
    return lambda frame: frame["type"] == kind


async def test_visitor_to_agent_and_back_with_rating():
    support = await database_sync_to_async(team)()
    alice = await database_sync_to_async(agent)("alice", support, online=False)
    conversation = await database_sync_to_async(new_conversation)()
    console, connected = await console_socket(await sync_to_async(session_cookie)("alice"))
    assert connected
    assert (await receive(console))["type"] == "queue"  # alice is online now

    async with chat_socket(conversation.id, conversation.visitor_id) as visitor:
        for _ in range(5):  # a flood of button presses: one escalation
            await visitor.send_json_to({"type": "escalate"})
        joining = await receive_until(visitor, of_type("handoff"))
        assert joining[-1]["status"] == "pending"
        offer = await receive_until(console, of_type("offer"))
        assert offer[-1]["conversation_id"] == str(conversation.id)

        await console.send_json_to({"type": "open", "conversation_id": str(conversation.id)})
        await receive_until(console, of_type("conversation"))
        await console.send_json_to({"type": "claim", "conversation_id": str(conversation.id)})
        joined = await receive_until(visitor, of_type("handoff"))
        assert joined[-1]["status"] == "open" and "Alice has joined" in joined[-1]["message"]["text"]

        await visitor.send_json_to(
            {"type": "send", "client_message_id": "u1", "text": "My invoice is wrong"}
        )
        ack = await receive_until(visitor, of_type("ack"))
        assert ack[-1]["reply"] is None  # the bot stays out of it
        seen = await receive_until(
            console, lambda f: f["type"] == "message" and f["message"]["role"] == "user"
        )
        assert seen[-1]["message"]["text"] == "My invoice is wrong"

        await console.send_json_to({"type": "typing", "conversation_id": str(conversation.id)})
        await console.send_json_to(
            {"type": "note", "conversation_id": str(conversation.id), "text": "VIP, refund ok"}
        )
        await console.send_json_to(
            {"type": "reply", "conversation_id": str(conversation.id), "text": "Fixed, sorry!"}
        )
        frames = await receive_until(visitor, of_type("agent.message"))
        assert frames[-1]["message"]["role"] == "agent"
        assert frames[-1]["message"]["text"] == "Fixed, sorry!"
        assert any(f["type"] == "typing" and f["role"] == "agent" for f in frames)
        assert not any(f["type"] in ("token", "reply.end", "note") for f in frames)
        assert "VIP" not in json.dumps(frames)  # private notes never reach the visitor

        await console.send_json_to({"type": "resolve", "conversation_id": str(conversation.id)})
        request = await receive_until(visitor, of_type("csat.request"))
        assert [f["status"] for f in request if f["type"] == "handoff"] == ["resolved"]
        await visitor.send_json_to({"type": "rating", "score": 4, "comment": "quick"})
        await receive_until(visitor, of_type("rating.thanks"))
    await console.disconnect()

    def stored():
        return (
            Handoff.objects.count(),
            Rating.objects.get().score,
            Note.objects.get().text,
            Message.objects.filter(role="assistant").count(),
        )

    assert await database_sync_to_async(stored)() == (1, 4, "VIP, refund ok", 0)
    assert alice.pk


async def test_console_socket_refuses_anonymous_and_non_staff_and_staff_without_role():
    def users():
        User.objects.create_user("visitor", password=PASSWORD)
        User.objects.create_user("clerk", password=PASSWORD, is_staff=True)  # no agents group

    await database_sync_to_async(users)()
    for cookie in (None, await sync_to_async(session_cookie)("visitor"),
                   await sync_to_async(session_cookie)("clerk")):
        socket, connected = await console_socket(cookie)
        assert not connected
        await socket.disconnect()


def waiting_for_people():
    """A conversation pending for the (only, default) team: its agents may open it
    (agents.access; a conversation never handed to people is for supervisors only)."""
    conversation = new_conversation()
    handoff.escalate(conversation.id, Trigger(Handoff.Reason.USER_BUTTON, "pressed Talk to a human"))
    return conversation


async def test_opening_another_conversation_stops_following_the_first():
    support = await database_sync_to_async(team)()
    await database_sync_to_async(agent)("alice", support, online=False)
    first = await database_sync_to_async(waiting_for_people)()
    second = await database_sync_to_async(waiting_for_people)()
    console, connected = await console_socket(await sync_to_async(session_cookie)("alice"))
    assert connected
    for shown in (first, second):
        await console.send_json_to({"type": "open", "conversation_id": str(shown.id)})
        await receive_until(console, of_type("conversation"))

    async with chat_socket(first.id, first.visitor_id) as visitor:
        await visitor.send_json_to({"type": "typing", "typing": True})
    async with chat_socket(second.id, second.visitor_id) as visitor:
        await visitor.send_json_to({"type": "typing", "typing": False})
    typing = await receive_until(console, of_type("typing"))
    assert typing[-1]["typing"] is False  # only the conversation on screen
    await console.disconnect()
