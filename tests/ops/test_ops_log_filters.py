"""The log review's filters and search pick exactly the right conversations, messages and
escalations, and a conversation links to its escalations and events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from supportbot.agents.models import Handoff
from supportbot.events.log import record_event
from supportbot.events.models import Event
from inference.types import Finished, Usage
from supportbot.chat import replies
from tests.agent_fixtures import agent, team
from tests.chat_fixtures import new_conversation
from tests.ops_fixtures import (
    bot_turn,
    conversation_created_at,
    escalated,
    ops_user,
    with_screenshot,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def logs() -> dict:
    """abuse: escalated to Trust & Safety, rated 2, a screenshot and a slow reply; billing: a
    plain bot conversation about a refund; old: six weeks ago, escalated by the button, rated 5."""
    support, safety = team("Support"), team("Trust & Safety", ["abuse"], default=False)
    alex = agent("alex", safety, online=False)
    abuse = new_conversation()
    bot_turn(abuse, "You are useless", ttft_ms=4500)
    with_screenshot(abuse)
    escalated(abuse, Handoff.Reason.ABUSE, safety, owner=alex, score=2)
    billing = new_conversation()
    bot_turn(billing, "I want a refund for my order")
    old = conversation_created_at(timezone.now() - timedelta(days=42))
    bot_turn(old, "Where is my invoice?")
    escalated(old, Handoff.Reason.USER_BUTTON, support, score=5)
    return {"abuse": abuse, "billing": billing, "old": old, "alex": alex, "safety": safety}


@pytest.fixture
def client() -> Client:
    client = Client()
    client.force_login(ops_user())
    return client


def listed(client: Client, url: str) -> set:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return {row.pk for row in response.context["cl"].result_list}


def ids(logs: dict, *names: str) -> set:
    return {logs[name].pk for name in names}


CONVERSATIONS = "/admin/chat/conversation/"


def test_conversation_filters(client, logs):
    assert listed(client, CONVERSATIONS) == ids(logs, "abuse", "billing", "old")
    assert listed(client, CONVERSATIONS + "?escalated=yes") == ids(logs, "abuse", "old")
    assert listed(client, CONVERSATIONS + "?escalated=no") == ids(logs, "billing")
    assert listed(client, CONVERSATIONS + "?handoffs__reason__exact=abuse") == ids(logs, "abuse")
    assert listed(client, CONVERSATIONS + f"?handoffs__team__id__exact={logs['safety'].pk}") == ids(logs, "abuse")
    assert listed(client, CONVERSATIONS + f"?handoffs__owner__id__exact={logs['alex'].pk}") == ids(logs, "abuse")
    assert listed(client, CONVERSATIONS + "?rating=5") == ids(logs, "old")
    assert listed(client, CONVERSATIONS + "?rating=2&screenshot=yes&slow=yes") == ids(logs, "abuse")
    assert listed(client, CONVERSATIONS + "?screenshot=no&slow=no") == ids(logs, "billing", "old")
    assert listed(client, CONVERSATIONS + "?status=bot") == ids(logs, "abuse", "billing", "old")


def test_conversation_date_range(client, logs):
    today = timezone.now().date()
    since = (today - timedelta(days=7)).isoformat()
    assert listed(client, CONVERSATIONS + f"?created_at__date__gte={since}") == ids(logs, "abuse", "billing")
    until = (today - timedelta(days=30)).isoformat()
    assert listed(client, CONVERSATIONS + f"?created_at__date__lte={until}") == ids(logs, "old")
    page = client.get(CONVERSATIONS + f"?created_at__date__gte={since}&escalated=yes").content.decode()
    # The range form keeps the other filters when it is submitted again.
    assert 'name="escalated" value="yes"' in page


def test_search_finds_words_in_message_text(client, logs):
    assert listed(client, CONVERSATIONS + "?q=refund") == ids(logs, "billing")
    # SQLite: a substring search (PostgreSQL's full-text search: tests/ops/test_ops_full_text_search.py).
    assert listed(client, CONVERSATIONS + "?q=voic") == ids(logs, "old")
    assert listed(client, CONVERSATIONS + f"?q={logs['old'].pk}") == ids(logs, "old")
    messages = listed(client, "/admin/chat/message/?q=invoice")
    assert len(messages) == 1
    slow = listed(client, "/admin/chat/message/?slow=yes")
    assert len(slow) == 1 and listed(client, "/admin/chat/message/?slow=yes&role__exact=user") == set()


def test_escalation_filters(client, logs):
    escalations = "/admin/ops/escalation/"
    assert len(listed(client, escalations)) == 2
    (abuse,) = listed(client, escalations + "?reason__exact=abuse")
    assert listed(client, escalations + "?rating=2") == {abuse}
    assert listed(client, escalations + f"?owner__id__exact={logs['alex'].pk}") == {abuse}


def test_transcript_links_to_its_escalations_and_events(client, logs):
    conversation = logs["abuse"]
    record_event(Event.Kind.ESCALATION, conversation.id, reason="abuse")
    page = client.get(f"{CONVERSATIONS}{conversation.pk}/change/").content.decode()
    escalation = conversation.handoffs.get()
    assert f"/admin/ops/escalation/{escalation.pk}/change/" in page
    assert f"/admin/events/event/?conversation_id={conversation.pk}" in page
    assert "You are useless" in page
    assert "300 prompt tokens (200 cached)" in page and "first token 4500 ms" in page
    assert f"/attachments/{conversation.attachments.get().pk}/" in page
    events = listed(client, f"/admin/events/event/?conversation_id={conversation.pk}")
    assert events == set(Event.objects.filter(conversation_id=conversation.pk).values_list("pk", flat=True))


def test_replies_are_stamped_with_their_model_and_filtered_by_it(client, logs):
    reply = replies.create_generating(logs["billing"])
    replies.finish(reply.id, 1, Finished("Paid.", Usage(finish_reason="stop")), model="tiny-random")
    record_event(Event.Kind.MESSAGE_OUT, logs["abuse"].id, role="agent", agent=logs["alex"].pk)
    assert Event.objects.get(data__message=reply.id).data["model"] == "tiny-random"
    assert "model" not in Event.objects.get(data__role="agent").data
    assert listed(client, CONVERSATIONS + "?model=tiny-random") == ids(logs, "billing")
    assert listed(client, "/admin/chat/message/?model=tiny-random") == {reply.pk}
    assert listed(client, CONVERSATIONS + "?model=other") == set()
