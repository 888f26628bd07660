"""Moderation rules, managed in the admin: a visitor message a rule matches hands the
conversation to people, to the team that takes moderation cases."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from inference.types import Finished, Usage
from supportbot.agents.models import Handoff, ModerationRule
from supportbot.chat.frames import SendFrame
from supportbot.chat.turns import accept_user_turn
from supportbot.chat.replies import finish
from tests.agent_fixtures import PASSWORD, agent, team
from tests.chat_fixtures import new_conversation

pytestmark = pytest.mark.django_db


def send(conversation, text: str, number: int = 1):
    frame = SendFrame(type="send", client_message_id=f"m{number}", text=text)
    return accept_user_turn(conversation.id, frame)


def test_a_matching_rule_hands_the_conversation_to_the_moderation_team():
    team("Support")
    trust = team("Trust and safety", reasons=["moderation"], default=False)
    ModerationRule.objects.create(name="self harm", pattern=r"\bhurt (myself|me)\b")
    conversation = new_conversation()

    calm = send(conversation, "My order is late", 1)
    assert calm.reply is not None and not Handoff.objects.exists()
    finish(calm.reply.id, 1, Finished("Let me check.", Usage(finish_reason="stop")))

    flagged = send(conversation, "I will HURT MYSELF if this is not fixed", 2)
    assert flagged.reply is None  # the bot stays silent: people own it now
    handoff = Handoff.objects.get(conversation=conversation)
    assert handoff.reason == Handoff.Reason.MODERATION
    assert handoff.detail == "moderation rule 'self harm'"
    assert handoff.team == trust


def test_an_inactive_rule_flags_nothing():
    team()
    ModerationRule.objects.create(name="refunds", pattern="refund", active=False)
    turn = send(new_conversation(), "I want a refund")
    assert turn.reply is not None and not Handoff.objects.exists()


def test_a_pattern_that_is_not_a_regular_expression_is_refused():
    with pytest.raises(ValidationError, match="Not a valid regular expression"):
        ModerationRule(name="broken", pattern="(unclosed").full_clean()


def test_supervisors_manage_rules_in_the_admin_and_agents_cannot():
    support = team()
    agent("sam", support, role_name="supervisors")
    agent("alice", support)
    supervisor = Client()
    assert supervisor.login(username="sam", password=PASSWORD)
    added = supervisor.post(
        "/admin/agents/moderationrule/add/", {"name": "threats", "pattern": r"\bkill\b", "active": "on"}
    )
    assert added.status_code == 302 and ModerationRule.objects.filter(name="threats").exists()
    refused = supervisor.post("/admin/agents/moderationrule/add/", {"name": "bad", "pattern": "(", "active": "on"})
    assert refused.status_code == 200 and "Not a valid regular expression" in refused.content.decode()

    plain_agent = Client()
    assert plain_agent.login(username="alice", password=PASSWORD)
    assert plain_agent.get("/admin/agents/moderationrule/").status_code == 403
