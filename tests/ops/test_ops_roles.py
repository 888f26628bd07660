"""The ops role reads and exports the logs and does nothing else: no changes or deletions in the
admin, no agent console, no way to speak in a conversation."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.test import Client

from supportbot.agents import handoff
from supportbot.agents.triggers import Trigger
from supportbot.chat.models import Conversation, Message
from tests.agent_fixtures import PASSWORD
from tests.chat_fixtures import new_conversation
from tests.ops_fixtures import bot_turn, ops_user
from tests.agents.test_agent_console import console_socket, session_cookie

CONVERSATIONS = "/admin/chat/conversation/"


def logged_in_as_ops() -> Client:
    client = Client()
    assert client.login(username=ops_user().get_username(), password=PASSWORD)
    return client


@pytest.mark.django_db
def test_ops_reads_every_log_and_may_export():
    conversation = new_conversation()
    bot_turn(conversation, "Hello")
    client = logged_in_as_ops()
    for page in (
        CONVERSATIONS,
        f"{CONVERSATIONS}{conversation.pk}/change/",
        "/admin/chat/message/",
        "/admin/chat/attachment/",
        "/admin/events/event/",
        "/admin/ops/escalation/",
        "/admin/ops/auditentry/",
    ):
        assert client.get(page).status_code == 200, page
    actions = client.get(CONVERSATIONS).context["action_form"].fields["action"].choices
    assert {name for name, _ in actions} == {"", "export_csv", "export_csv_for_spreadsheets", "export_jsonl"}


@pytest.mark.django_db
def test_ops_cannot_change_or_delete_anything_in_the_admin():
    conversation = new_conversation()
    message = bot_turn(conversation, "Hello")
    client = logged_in_as_ops()
    assert client.post(f"{CONVERSATIONS}{conversation.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(CONVERSATIONS, {"action": "delete_with_files", "_selected_action": [str(conversation.pk)]})
    assert response.status_code == 302  # "no action selected": the action is not offered to ops
    assert client.post(f"/admin/chat/message/{message.pk}/change/", {"text": "edited"}).status_code == 403
    assert client.get("/admin/chat/conversation/add/").status_code == 403
    assert Conversation.objects.filter(pk=conversation.pk).exists()
    assert Message.objects.get(pk=message.pk).text == "An answer."


@pytest.mark.django_db
def test_ops_is_refused_the_agent_console_page():
    assert logged_in_as_ops().get("/admin/console/").status_code == 403


@pytest.mark.django_db
def test_ops_cannot_answer_a_conversation():
    olivia = ops_user()
    conversation = new_conversation()
    handoff.escalate(conversation.id, Trigger("user_button", "asked for a person"))
    with pytest.raises(handoff.NotAllowed):
        handoff.post_agent_message(conversation.id, olivia, "I am not an agent")
    assert not Message.objects.filter(role=Message.Role.AGENT).exists()


@pytest.mark.django_db(transaction=True)
async def test_ops_is_refused_the_console_socket():
    await database_sync_to_async(ops_user)()
    socket, connected = await console_socket(await sync_to_async(session_cookie)("olivia"))
    assert not connected
    await socket.disconnect()
