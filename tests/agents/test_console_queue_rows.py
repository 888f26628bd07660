"""What the console's queue rows say: the visitor and their first question (never a UUID), the last
message, the reason in words, unread counts that rise with the visitor's messages and clear when
the agent reads; whether offers can reach the agent; declining an offer."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from supportbot.agents import handoff, offers, queue
from supportbot.agents.models import Handoff
from supportbot.agents.triggers import Trigger
from supportbot.agents.unread import mark_read
from supportbot.chat.models import Conversation, Message
from tests.agent_fixtures import PASSWORD, agent, role, team
from tests.chat_fixtures import new_conversation

pytestmark = pytest.mark.django_db

UUID_PREFIX = re.compile(r"\b[0-9a-f]{8}\b")


def asked(text: str, reason: str = Handoff.Reason.USER_BUTTON) -> Conversation:
    conversation = new_conversation()
    Message.objects.create(conversation=conversation, role=Message.Role.USER, text=text)
    Message.objects.create(
        conversation=conversation, role=Message.Role.ASSISTANT, text="Let me see.", finish_reason="stop"
    )
    handoff.escalate(conversation.id, Trigger(reason, "test"))
    return conversation


def visitor_writes(conversation: Conversation, text: str) -> Message:
    message = Message.objects.create(conversation=conversation, role=Message.Role.USER, text=text)
    handoff.relay_visitor_message(conversation, message)
    return message


def row_of(rows: list[dict], conversation: Conversation) -> dict:
    return next(row for row in rows if row["conversation_id"] == str(conversation.id))


def test_rows_name_the_visitor_and_question_and_give_the_reason_in_words():
    alice = agent("alice", team())
    button = asked("Why was I charged twice for my subscription this month?")
    no_answer = asked("如何导出发票？", Handoff.Reason.NO_ANSWER)
    thumbs = asked("The app crashes", Handoff.Reason.THUMBS_DOWN)
    rows = queue.snapshot(alice)["pending"]

    first = row_of(rows, button)
    assert first["reason_text"] == "asked for a person"
    assert first["visitor"].startswith("Visitor ") and len(first["visitor"]) == len("Visitor ABC123")
    assert first["title"] == f"{first['visitor']} · Why was I charged twice for my subscription this month?"
    assert first["question"] == "Why was I charged twice for my subscription this month?"
    assert not UUID_PREFIX.search(first["title"].lower())
    assert str(button.id)[:8] not in first["title"]
    # The last message that says something: the bot's, not the "an agent is joining" notice.
    assert first["last_message"] == {"role": "assistant", "who": "Bot", "text": "Let me see."}
    assert row_of(rows, no_answer)["reason_text"] == "the help center had no answer"
    assert row_of(rows, no_answer)["title"].endswith("如何导出发票？")
    assert row_of(rows, thumbs)["reason_text"] == "thumbs down twice"


def test_the_same_visitor_keeps_the_same_label():
    alice = agent("alice", team())
    one = asked("First")
    two = new_conversation(one.visitor_id)
    Message.objects.create(conversation=two, role=Message.Role.USER, text="Second")
    handoff.escalate(two.id, Trigger(Handoff.Reason.USER_BUTTON, "test"))
    rows = queue.snapshot(alice)["pending"]
    assert row_of(rows, one)["visitor"] == row_of(rows, two)["visitor"]


def test_unread_rises_with_visitor_messages_and_clears_when_read():
    alice = agent("alice", team())
    conversation = asked("Where is my order?")
    assert row_of(queue.snapshot(alice)["pending"], conversation)["unread"] == 0  # history is not news
    visitor_writes(conversation, "Hello?")
    visitor_writes(conversation, "Anyone there?")
    row = row_of(queue.snapshot(alice)["pending"], conversation)
    assert row["unread"] == 2 and row["offered_to_me"]
    assert row["last_message"]["text"] == "Anyone there?"
    mark_read(alice, conversation.id)
    assert row_of(queue.snapshot(alice)["pending"], conversation)["unread"] == 0
    visitor_writes(conversation, "Still waiting")
    assert row_of(queue.snapshot(alice)["pending"], conversation)["unread"] == 1


def test_read_marks_are_each_agents_own():
    support = team()
    alice, bob = agent("alice", support), agent("bob", support)
    conversation = asked("Help")
    visitor_writes(conversation, "Please")
    mark_read(alice, conversation.id)
    assert row_of(queue.snapshot(alice)["pending"], conversation)["unread"] == 0
    assert row_of(queue.snapshot(bob)["pending"], conversation)["unread"] == 1


def test_the_console_says_why_offers_cannot_reach_an_agent():
    support = team()
    alice = agent("alice", support, max_concurrent=1)
    assert queue.snapshot(alice)["availability"]["state"] == "available"
    asked("Help")  # offered to alice: her one place is taken
    availability = queue.snapshot(alice)["availability"]
    assert availability == {"state": "at_capacity", "team": "Support", "load": 1, "limit": 1}

    boss = User.objects.create_user("boss", password=PASSWORD, is_staff=True)
    boss.groups.add(role("supervisors"))
    assert queue.snapshot(boss)["availability"]["state"] == "no_profile"
    away = agent("away", support, online=False)
    assert queue.snapshot(away)["availability"]["state"] == "offline"


def test_a_declined_offer_goes_to_the_next_agent_and_never_back():
    support = team()
    alice, bob = agent("alice", support), agent("bob", support)
    conversation = asked("Help")
    first = Handoff.objects.get(conversation=conversation).offered_to
    other = bob if first == alice else alice
    offers.decline(conversation.id, first)
    assert Handoff.objects.get(conversation=conversation).offered_to == other
    offers.decline(conversation.id, other)
    # Both said no: it waits in the queue for anyone, offered to nobody.
    assert Handoff.objects.get(conversation=conversation).offered_to is None
    with pytest.raises(handoff.NotAllowed):
        offers.decline(conversation.id, other)
