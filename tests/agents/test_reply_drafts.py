"""Suggest reply: the agent asks the model for a draft over the console socket; it streams back to
that console only and leaves the visitor's conversation, cache and sockets untouched. With the
tiny in-process model, and through Redis from an inference worker."""

from __future__ import annotations

import asyncio
import json

import pytest
import requests
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from websockets.asyncio.client import connect

from supportbot.agents import handoff
from supportbot.agents.models import Handoff
from supportbot.agents.triggers import Trigger
from supportbot.chat.models import Message
from supportbot.chat.uploads import store_upload
from supportbot.agents.drafts import draft_request
from supportbot.inference_bridge import engine_client
from tests.agent_fixtures import PASSWORD, agent, team
from tests.chat_fixtures import chat_socket, new_conversation, receive_until, say, screenshot_png
from tests.live_app import turn, wait_for
from tests.agents.test_agent_console import console_socket, of_type, session_cookie
from tests.bridge.test_faults import redis_app  # noqa: F401 (Daphne with Redis and PostgreSQL)
from tests.bridge.test_redis_workers import database, live_workers, redis_prefix  # noqa: F401

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
        cache = engine_client().local_engine().store.sessions[str(conversation.id)]
        cached_before = list(cache.keys)
        stored_before = await database_sync_to_async(Message.objects.count)()

        await console.send_json_to({"type": "suggest", "conversation_id": str(conversation.id)})
        frames = await receive_until(console, of_type("draft.end"))
        tokens = [f for f in frames if f["type"] == "draft.token"]
        end = frames[-1]
        assert end["error"] is None and end["text"].strip()
        assert "".join(f["text"] for f in tokens).startswith(end["text"])  # a loop is cut off
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
    system, *turns = request.messages
    # Written in the voice of the company's support person, inside the chat: the customer's
    # messages are the user's turns, the team's (bot and agent) the model's own.
    assert system.role == "system" and "support team" in system.text and "Lumora" in system.text
    assert "SupportBot" not in system.text
    assert [(t.role, t.text) for t in turns[:2]] == [
        ("user", "(a screenshot)"),
        ("assistant", "Try again.\n\nHi, I am Alice."),
    ]  # the empty failed reply is left out
    assert turns[-1].role == "user"  # the model writes the agent's next message
    assert len(turns[0].images) == 1
    assert request.sampling.max_new_tokens <= 120  # a chat message, not a letter


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.services
async def test_in_redis_mode_the_conversations_worker_writes_the_draft(redis_app, redis_prefix):  # noqa: F811
    """Through Redis: the worker that answers the conversation writes the draft and sends it to
    the asking console's own channel in the web process."""
    app = redis_app
    app.manage("shell", "-c", 'from tests.agent_fixtures import agent, team; agent("alice", team(), online=False)')
    app.start_worker("worker")
    wait_for(lambda: live_workers(redis_prefix), 90, "a worker")
    visitor = app.visit()
    async with app.socket(visitor) as socket:
        await turn(socket, "t1", "My printer says error 42.")
    # Only the agent who owns a conversation asks for drafts on it (agents.access).
    app.manage("shell", "-c", (
        "from django.contrib.auth import get_user_model; from supportbot.agents import handoff; "
        "from supportbot.agents.models import Handoff; from supportbot.agents.triggers import Trigger; "
        f"handoff.escalate('{visitor.conversation_id}', Trigger(Handoff.Reason.USER_BUTTON, 'test')); "
        f"handoff.claim('{visitor.conversation_id}', get_user_model().objects.get(username='alice'))"
    ))

    staff = requests.Session()
    staff.get(app.base_url + "/admin/login/", timeout=10)
    staff.post(
        app.base_url + "/admin/login/",
        {
            "username": "alice",
            "password": PASSWORD,
            "csrfmiddlewaretoken": staff.cookies["csrftoken"],
            "next": "/admin/console/",
        },
        timeout=10,
    ).raise_for_status()
    cookie = "; ".join(f"{name}={value}" for name, value in staff.cookies.items())
    async with connect(
        f"ws://127.0.0.1:{app.port}/ws/console/", origin=app.base_url, additional_headers={"Cookie": cookie}
    ) as console:
        await console.send(json.dumps({"type": "suggest", "conversation_id": visitor.conversation_id}))
        frames = []
        while not frames or frames[-1]["type"] != "draft.end":
            frames.append(json.loads(await asyncio.wait_for(console.recv(), 60)))
    end = frames[-1]
    assert end["error"] is None and end["text"].strip(), frames
    assert "".join(f["text"] for f in frames if f["type"] == "draft.token").startswith(end["text"])


async def test_a_console_gets_one_draft_at_a_time():
    alice = await database_sync_to_async(agent)("alice", await database_sync_to_async(team)(), online=False)
    conversation = await database_sync_to_async(new_conversation)()
    await database_sync_to_async(Message.objects.create)(
        conversation=conversation, role=Message.Role.USER, text="Where is my parcel?"
    )
    await database_sync_to_async(handoff.escalate)(conversation.id, BUTTON)
    await database_sync_to_async(handoff.claim)(conversation.id, alice)
    console, connected = await console_socket(await sync_to_async(session_cookie)("alice"))
    assert connected
    suggest = {"type": "suggest", "conversation_id": str(conversation.id)}
    await console.send_json_to(suggest)
    await console.send_json_to(suggest)  # pressed again while the first is being written
    frames = await receive_until(console, of_type("draft.end"))
    refused = [f for f in frames if f["type"] == "error"]
    assert [f["code"] for f in refused] == ["busy"]
    # Once it has ended, the next one is written.
    await console.send_json_to(suggest)
    frames = await receive_until(console, of_type("draft.end"))
    assert not [f for f in frames if f["type"] == "error"] and frames[-1]["error"] is None
    await console.disconnect()
