"""Content gaps: questions the help center did not answer, or whose reply got a thumbs down,
grouped by wording, most asked first; only the ops group sees them."""

from __future__ import annotations

import pytest
from django.test import Client

from supportbot.agents.models import MessageFeedback
from supportbot.chat.models import Message
from supportbot.ops.gaps import content_gaps
from supportbot.ops.stats import period_from
from tests.agent_fixtures import PASSWORD, agent, team
from tests.chat_fixtures import new_conversation
from tests.ops_fixtures import bot_turn, ops_user

pytestmark = pytest.mark.django_db


def asked(question: str, grounded: bool = False, thumbs_down: bool = False) -> None:
    conversation = new_conversation()
    reply = bot_turn(conversation, question)
    if grounded:  # a passage was found for it
        Message.objects.filter(conversation=conversation, role="user").update(context="Help center passages ...")
    if thumbs_down:
        MessageFeedback.objects.create(message=reply, helpful=False)


def test_unanswered_and_unhelpful_questions_are_grouped_most_asked_first():
    asked("Does the hub work with my Tesla?")
    asked("does the hub work with my tesla car")
    asked("Does the hub work with a Tesla?")
    asked("Can I pay with Bitcoin?")
    asked("What is the refund window for annual plans?", grounded=True)  # answered: no gap
    asked("How do I reset my password?", grounded=True, thumbs_down=True)  # answered badly
    gaps = content_gaps(period_from({}))
    assert [(gap.count, gap.unanswered, gap.unhelpful) for gap in gaps] == [(3, 3, 0), (1, 1, 0), (1, 0, 1)]
    assert "tesla" in gaps[0].question.lower() and len(gaps[0].message_ids) == 3
    assert {gap.question for gap in gaps[1:]} == {"Can I pay with Bitcoin?", "How do I reset my password?"}


def test_only_the_ops_group_sees_the_gaps():
    asked("Can I pay with Bitcoin?")
    page = Client()
    page.login(username=ops_user().username, password=PASSWORD)
    response = page.get("/admin/ops/gaps/")
    assert response.status_code == 200 and "Can I pay with Bitcoin?" in response.content.decode()
    other = Client()
    other.login(username=agent("alex", team()).username, password=PASSWORD)
    assert other.get("/admin/ops/gaps/").status_code == 403
    assert Client().get("/admin/ops/gaps/").status_code == 302  # to the login page
