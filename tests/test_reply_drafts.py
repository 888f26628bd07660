"""Suggest reply: the agent asks the model for a draft over the console socket; it streams back to
that console only, with the tiny in-process model, and leaves the visitor's conversation, cache
and sockets untouched."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async

from supportbot.agents import handoff
from supportbot.agents.models import Handoff
from supportbot.agents.triggers import Trigger
from supportbot.chat.models import Message
from supportbot.chat.uploads import store_upload
from supportbot.inference_bridge.drafts import draft_request
from supportbot.inference_bridge.routing import inference_router
from tests.agent_fixtures import agent, team
from tests.chat_fixtures import chat_socket, new_conversation, receive_until, say, screenshot_png
from tests.test_agent_console import console_socket, of_type, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

BUTTON = Trigger(Handoff.Reason.USER_BUTTON, "pressed Talk to a human")


async def test_a_draft_streams_to_the_asking_console_only():
    alice = await database_sync_to_async(agent)("alice", await database_sync_to_async(team)(), online=False)
    conversation = await database_sync_to_async(new_conversation)()
    console, connected = await console_socket(await sync_to_async(session_cookie)("alice"))
    assert connected
    async with chat_socket(conversation.id, conversation.visitor_id) as visitor:
        await say(visitor, "q1", "My invoice shows the wrong amount.")
        await database_sync_to_async(handoff.escalate)(conversation.id, BUTTON)
        await database_sync_to_async(handoff.claim)(conversation.id, alice)
        await receive_until(visitor, lambda f: f["type"] == "handoff" and f["status"] == "open")
        cache = inference_router().engine().store.sessions[str(conversation.id)]
        cached_before = list(cache.keys)
        stored_before = await database_sync_to_async(Message.objects.count)()

        await console.send_json_to({"type": "suggest", "conversation_id": str(conversation.id)})
        frames = await receive_until(console, of_type("draft.end"))
        tokens = [f for f in frames if f["type"] == "draft.token"]
        end = frames[-1]
        assert end["error"] is None and end["text"].strip()
        assert "".join(f["text"] for f in tokens) == end["text"]
        assert all(f["conversation_id"] == str(conversation.id) for f in [*tokens, end])

        assert await visitor.receive_nothing(timeout=0.5)  # nothing of the draft reached the visitor
    assert await database_sync_to_async(Message.objects.count)() == stored_before  # nor was it stored
    assert cache.keys == cached_before  # and the conversation's own cache is as it was
    await console.disconnect()


def test_the_draft_reads_the_whole_conversation_with_its_screenshots():
    conversation = new_conversation()
    upload = store_upload(conversation, screenshot_png(label="Error 42"))
    sent = Message.objects.create(conversation=conversation, role="user", text="")
    upload.message = sent
    upload.save()
    Message.objects.create(conversation=conversation, role="assistant", text="Try again.", finish_reason="stop")
    Message.objects.create(conversation=conversation, role="agent", text="Hi, I am Alice.", author_name="Alice")
    Message.objects.create(conversation=conversation, role="assistant", text="", finish_reason="error")

    request = draft_request(conversation.id)
    assert request.session_id == ""  # sessionless: never the visitor's session
    system, prompt = request.messages
    assert system.role == "system" and "agent" in system.text
    assert prompt.text.splitlines()[2:5] == [
        "Customer: (a screenshot)",
        "SupportBot: Try again.",
        "Agent: Hi, I am Alice.",
    ]  # the empty failed reply is left out
    assert len(prompt.images) == 1
