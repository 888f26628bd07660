"""The console socket's alert frames: the owner of a conversation hears of each visitor message
while another conversation is on screen; open and read clear unread counts; decline passes the
offer on; every queue frame says whether offers can reach the agent."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async

from django.contrib.auth.models import User
from django.utils import timezone

from supportbot.agents.models import AgentProfile, Handoff
from tests.agent_fixtures import agent, team
from tests.agents.test_agent_console import console_socket, of_type, session_cookie, waiting_for_people
from tests.chat_fixtures import chat_socket, new_conversation, receive, receive_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


def offered_just_now(user: User) -> None:
    AgentProfile.objects.filter(user=user).update(last_offered_at=timezone.now())


def row(queue: dict, tab: str, conversation_id) -> dict:
    return next(r for r in queue[tab] if r["conversation_id"] == str(conversation_id))


async def test_owner_is_alerted_of_visitor_messages_and_unread_clears_on_read():
    support = await database_sync_to_async(team)()
    await database_sync_to_async(agent)("alice", support, online=False)
    mine = await database_sync_to_async(new_conversation)()
    # Another conversation alice may open: waiting for her team (agents.access; one never handed
    # to people is for supervisors only).
    other = await database_sync_to_async(waiting_for_people)()
    console, connected = await console_socket(await sync_to_async(session_cookie)("alice"))
    assert connected
    first = await receive(console)
    assert first["type"] == "queue" and first["availability"]["state"] == "available"

    async with chat_socket(mine.id, mine.visitor_id) as visitor:
        await visitor.send_json_to({"type": "escalate"})
        offer = await receive_until(console, of_type("offer"))
        assert offer[-1]["title"].startswith("Visitor ") and offer[-1]["reason_text"] == "asked for a person"
        await console.send_json_to({"type": "claim", "conversation_id": str(mine.id)})
        # Another conversation on screen: frames of `mine` no longer follow the console.
        await console.send_json_to({"type": "open", "conversation_id": str(other.id)})
        await receive_until(console, of_type("conversation"))

        await visitor.send_json_to({"type": "send", "client_message_id": "u1", "text": "我的发票呢？"})
        alert = await receive_until(console, of_type("visitor.message"))
        assert alert[-1]["conversation_id"] == str(mine.id) and alert[-1]["text"] == "我的发票呢？"
        queue = await receive_until(console, lambda f: f["type"] == "queue" and f["mine"] and row(f, "mine", mine.id)["unread"])
        assert row(queue[-1], "mine", mine.id)["unread"] == 1

        await console.send_json_to({"type": "read", "conversation_id": str(mine.id)})
        queue = await receive_until(console, of_type("queue"))
        assert row(queue[-1], "mine", mine.id)["unread"] == 0
    await console.disconnect()


async def test_decline_over_the_socket_offers_it_to_the_next_agent():
    support = await database_sync_to_async(team)()
    await database_sync_to_async(agent)("alice", support, online=False)
    bob = await database_sync_to_async(agent)("bob", support)
    conversation = await database_sync_to_async(new_conversation)()
    console, connected = await console_socket(await sync_to_async(session_cookie)("alice"))
    assert connected
    await receive(console)
    # Bob was offered one just now, so round-robin offers the next one to alice.
    await database_sync_to_async(offered_just_now)(bob)
    async with chat_socket(conversation.id, conversation.visitor_id) as visitor:
        await visitor.send_json_to({"type": "escalate"})
        await receive_until(console, of_type("offer"))
        await console.send_json_to({"type": "decline", "conversation_id": str(conversation.id)})
        queue = await receive_until(
            console, lambda f: f["type"] == "queue" and not row(f, "pending", conversation.id)["offered_to_me"]
        )
        assert row(queue[-1], "pending", conversation.id)["reason_text"] == "asked for a person"
        await console.send_json_to({"type": "decline", "conversation_id": str(conversation.id)})
        refused = await receive_until(console, of_type("error"))
        assert refused[-1]["code"] == "not_allowed"
    handoff = await Handoff.objects.select_related("offered_to").aget(conversation=conversation)
    assert handoff.offered_to.username == "bob"
    await console.disconnect()
