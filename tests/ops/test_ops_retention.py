"""Retention and erasure: conversations past the retention period are deleted with their image
files (or anonymised), recent ones stay; one conversation can be deleted on request, from the
admin or the command line, and its files go with it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from supportbot.agents.models import Handoff, Rating
from supportbot.chat.models import Attachment, Conversation, Message
from supportbot.events.log import record_event
from supportbot.events.models import Event
from supportbot.ops.models import AuditEntry
from supportbot.ops.privacy import ANONYMOUS_VISITOR, apply_retention
from supportbot.ops.tasks import enforce_retention
from tests.agent_fixtures import team
from tests.chat_fixtures import new_conversation
from tests.ops_fixtures import bot_turn, escalated, superuser, with_screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def image_file(attachment: Attachment) -> Path:
    return Path(settings.MEDIA_ROOT) / attachment.file.name


def aged(conversation: Conversation, days: int) -> Conversation:
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now() - timedelta(days=days))
    return conversation


def full_conversation() -> tuple[Conversation, Attachment]:
    """Messages, a screenshot, an escalation with a rated comment, and events."""
    conversation = new_conversation()
    bot_turn(conversation, "Call me on +49 30 1234567, I am Jo")
    attachment = with_screenshot(conversation)
    handoff = escalated(conversation, Handoff.Reason.USER_WORDS, team(name=f"Team {conversation.pk}"))
    Handoff.objects.filter(pk=handoff.pk).update(detail="I am Jo", summary="Jo wants a call")
    Rating.objects.filter(handoff=handoff).delete()
    Rating.objects.create(handoff=handoff, score=3, comment="Jo says thanks")
    record_event(Event.Kind.CSAT, conversation.id, score=3, comment="Jo says thanks")
    return conversation, attachment


def test_retention_deletes_old_conversations_with_their_files_and_keeps_recent_ones(settings):
    settings.RETENTION_DAYS, settings.RETENTION_MODE = 30, "delete"
    old, old_image = full_conversation()
    recent, recent_image = full_conversation()
    aged(old, 31)
    aged(recent, 29)
    assert image_file(old_image).exists()

    assert enforce_retention.delay().get() == 1
    assert list(Conversation.objects.all()) == [recent]
    assert not image_file(old_image).exists() and image_file(recent_image).exists()
    assert not Event.objects.filter(conversation_id=old.pk).exists()
    assert not Message.objects.filter(conversation_id=old.pk).exists()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.username, entry.detail["conversations"]) == (AuditEntry.Action.DELETE, "", 1)
    assert apply_retention() == 0  # nothing left to do


def test_anonymise_keeps_the_numbers_and_drops_what_people_wrote(settings):
    settings.RETENTION_DAYS, settings.RETENTION_MODE = 30, "anonymise"
    old, image = full_conversation()
    aged(old, 40)
    assert apply_retention() == 1
    old.refresh_from_db()
    assert old.visitor_id == ANONYMOUS_VISITOR
    assert set(old.messages.values_list("text", flat=True)) == {""}
    reply = old.messages.get(role=Message.Role.ASSISTANT)
    assert (reply.prompt_tokens, reply.completion_tokens, reply.ttft_ms) == (300, 40, 120.0)
    assert not old.attachments.exists() and not image_file(image).exists()
    handoff = old.handoffs.get()
    assert (handoff.detail, handoff.summary, handoff.rating.comment, handoff.rating.score) == ("", "", "", 3)
    assert Event.objects.get(conversation_id=old.pk, kind=Event.Kind.CSAT).data == {"score": 3}
    assert AuditEntry.objects.get().action == AuditEntry.Action.ANONYMISE
    assert apply_retention() == 0  # an anonymised conversation is not done again


def test_zero_days_keeps_everything(settings):
    settings.RETENTION_DAYS = 0
    aged(new_conversation(), 5000)
    assert apply_retention() == 0 and Conversation.objects.count() == 1


def test_deleting_one_conversation_from_the_admin_removes_its_files():
    conversation, image = full_conversation()
    other, other_image = full_conversation()
    client = Client()
    client.force_login(superuser())
    response = client.post(
        "/admin/chat/conversation/", {"action": "delete_with_files", "_selected_action": [str(conversation.pk)]}
    )
    assert response.status_code == 302
    assert list(Conversation.objects.all()) == [other]
    assert not image_file(image).exists() and image_file(other_image).exists()
    assert AuditEntry.objects.get().conversation_id == conversation.pk


def test_deleting_on_request_from_the_command_line():
    conversation, image = full_conversation()
    call_command("delete_conversation", str(conversation.pk), "--reason", "ticket 4411")
    assert not Conversation.objects.exists() and not image_file(image).exists()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.conversation_id, entry.detail["reason"]) == (AuditEntry.Action.DELETE, conversation.pk, "ticket 4411")
