"""Every look at or change to the logs leaves an audit entry: reading a transcript, exporting,
an agent moving a conversation to another status, deleting. The audit log itself is read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from supportbot.agents import handoff
from supportbot.agents.triggers import Trigger
from supportbot.ops.models import AuditEntry
from tests.agent_fixtures import agent, team
from tests.chat_fixtures import new_conversation
from tests.ops_fixtures import bot_turn, ops_user, superuser

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action


def logged_in(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def entries() -> list[tuple[str, str, str]]:
    return [
        (entry.username, entry.action, str(entry.conversation_id or ""))
        for entry in AuditEntry.objects.order_by("id")
    ]


def test_viewing_a_transcript_and_exporting_are_recorded():
    conversation = new_conversation()
    bot_turn(conversation, "Hello")
    client = logged_in(ops_user())
    assert client.get(f"/admin/chat/conversation/{conversation.pk}/change/").status_code == 200
    response = client.post(
        "/admin/chat/conversation/?status__exact=bot",
        {"action": "export_csv", "_selected_action": [str(conversation.pk)]},
    )
    assert response.status_code == 200 and response.streaming
    assert entries() == [("olivia", Action.VIEW, str(conversation.pk)), ("olivia", Action.EXPORT, "")]
    export = AuditEntry.objects.get(action=Action.EXPORT)
    assert export.detail == {"format": "csv", "what": "conversation", "messages": 2, "filters": "status__exact=bot"}


def test_status_changes_in_the_console_are_recorded_with_the_agent():
    alex = agent("alex", team(), online=False)
    conversation = new_conversation()
    handoff.escalate(conversation.id, Trigger("user_button", "asked for a person"))
    assert handoff.claim(conversation.id, alex)
    handoff.add_note(conversation.id, alex, "not a status change")
    handoff.resolve(conversation.id, alex)
    assert entries() == [("alex", Action.STATUS, str(conversation.pk))] * 2
    assert [entry.detail["change"] for entry in AuditEntry.objects.order_by("id")] == ["claim", "resolve"]


def test_deleting_a_conversation_is_recorded():
    conversation = new_conversation()
    client = logged_in(superuser())
    response = client.post(f"/admin/chat/conversation/{conversation.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert entries() == [("root", Action.DELETE, str(conversation.pk))]


def test_the_audit_log_cannot_be_edited_or_deleted_even_by_a_superuser():
    entry = AuditEntry.objects.create(username="someone", action=Action.VIEW)
    client = logged_in(superuser())
    assert client.get("/admin/ops/auditentry/").status_code == 200
    assert client.get("/admin/ops/auditentry/add/").status_code == 403
    assert client.post(f"/admin/ops/auditentry/{entry.pk}/change/", {"username": "x"}).status_code == 403
    assert client.post(f"/admin/ops/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get().username == "someone"
