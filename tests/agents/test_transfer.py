"""Transfer to a named agent: only to one who is online with room, who then owns the conversation
and is told; the visitor reads who joined. As plain calls and over the console socket."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async

from supportbot.agents import handoff
from supportbot.agents.models import Handoff
from supportbot.agents.triggers import Trigger
from supportbot.chat.models import Conversation
from tests.agent_fixtures import agent, team
from tests.chat_fixtures import chat_socket, new_conversation, receive_until
from tests.agents.test_agent_console import console_socket, of_type, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

BUTTON = Trigger(Handoff.Reason.USER_BUTTON, "pressed Talk to a human")


def claimed_by(user) -> Conversation:
    conversation = new_conversation()
    handoff.escalate(conversation.id, BUTTON)
    assert handoff.claim(conversation.id, user)
    return conversation


def test_only_an_online_agent_with_room_can_be_named():
    support = team()
    alice, bob = agent("alice", support), agent("bob", support)
    carol = agent("carol", support, online=False)
    dave = agent("dave", support, max_concurrent=1)
    claimed_by(dave)  # dave is full
    conversation = claimed_by(alice)
    for refused in (carol, dave, alice):
        with pytest.raises(handoff.NotAllowed):
            handoff.transfer(conversation.id, alice, to_agent_id=refused.pk)
    assert handoff.active_handoff(conversation.id).owner == alice  # nothing changed

    handoff.transfer(conversation.id, alice, to_agent_id=bob.pk)
    record = handoff.active_handoff(conversation.id)
    assert (record.owner, record.conversation.status) == (bob, "open")
    assert conversation.messages.last().text == "Bob has joined the conversation."
    with pytest.raises(handoff.NotAllowed):
        handoff.post_agent_message(conversation.id, alice, "not mine any more")
    handoff.post_agent_message(conversation.id, bob, "Bob here.")


async def test_transfer_over_the_console_offers_it_to_the_named_agent():
    support = await database_sync_to_async(team)()
    alice = await database_sync_to_async(agent)("alice", support, online=False)
    bob = await database_sync_to_async(agent)("bob", support, online=False)
    consoles = {}
    for name in ("alice", "bob"):  # both come online by opening the console
        consoles[name], connected = await console_socket(await sync_to_async(session_cookie)(name))
        assert connected
    conversation = await database_sync_to_async(claimed_by)(alice)
    alice_console, bob_console = consoles["alice"], consoles["bob"]

    await alice_console.send_json_to({"type": "open", "conversation_id": str(conversation.id)})
    detail = (await receive_until(alice_console, of_type("conversation")))[-1]
    assert [a["name"] for a in detail["transfer_agents"]] == ["Bob"]  # not alice herself
    assert [t["name"] for t in detail["teams"]] == ["Support"]

    async with chat_socket(conversation.id, conversation.visitor_id) as visitor:
        await alice_console.send_json_to(
            {"type": "transfer", "conversation_id": str(conversation.id), "to_agent_id": 10**6}
        )
        refused = (await receive_until(alice_console, of_type("error")))[-1]
        assert refused["code"] == "not_allowed"

        await alice_console.send_json_to(
            {"type": "transfer", "conversation_id": str(conversation.id), "to_agent_id": bob.pk}
        )
        offer = (await receive_until(bob_console, of_type("offer")))[-1]
        assert offer["conversation_id"] == str(conversation.id)
        assert offer["transferred_by"] == "Alice"  # bob owns it already: no claim to make
        joined = (await receive_until(visitor, of_type("handoff")))[-1]
        assert joined["status"] == "open" and joined["message"]["text"] == "Bob has joined the conversation."
    owner = await database_sync_to_async(lambda: handoff.active_handoff(conversation.id).owner)()
    assert owner == bob
    for console in consoles.values():
        await console.disconnect()
