"""What the people side tells a visitor (handoff notices, the waiting room, an agent's reply by
email) is in the visitor's language: their page's at their latest message, else their browser's."""

from __future__ import annotations

import pytest
from django.core import mail

from supportbot.agents import email_later, handoff, waiting
from supportbot.agents.models import Handoff
from supportbot.agents.triggers import Trigger
from supportbot.chat.models import Conversation, Message
from tests.agent_fixtures import agent, team
from tests.chat_fixtures import new_conversation

pytestmark = pytest.mark.django_db

BUTTON = Trigger(Handoff.Reason.USER_BUTTON, "pressed Talk to a human")


def visitor_wrote(conversation: Conversation, language: str) -> None:
    Message.objects.create(conversation=conversation, role=Message.Role.USER, text="你好", language=language)


def test_the_visitor_language_is_their_latest_page_then_their_browser():
    conversation = new_conversation()
    assert conversation.visitor_language() == "en"
    Conversation.objects.filter(pk=conversation.pk).update(language="zh-CN")
    conversation.refresh_from_db()
    assert conversation.visitor_language() == "zh-hans"
    visitor_wrote(conversation, "en")
    assert conversation.visitor_language() == "en"  # they switched the page to English


def test_a_chinese_visitor_reads_the_handoff_notices_and_the_waiting_room_in_chinese():
    alice = agent("alice", team())
    conversation = new_conversation()
    visitor_wrote(conversation, "zh-hans")
    handoff.escalate(conversation.id, BUTTON)
    assert conversation.messages.filter(role=Message.Role.SYSTEM).last().text == "您已请求人工服务：客服正在加入…"
    frame = waiting.state_of(conversation.id)
    assert frame["text"].startswith("您在队列中排第 1 位")

    assert handoff.claim(conversation.id, alice)
    assert conversation.messages.last().text == "Alice 已加入对话。"
    handoff.resolve(conversation.id, alice)
    assert conversation.messages.last().text == "客服已将此对话标记为已解决。"


def test_an_english_visitor_keeps_english_notices():
    alice = agent("alice", team())
    conversation = new_conversation()
    visitor_wrote(conversation, "en")
    handoff.escalate(conversation.id, BUTTON)
    assert conversation.messages.last().text == "You asked for a person: an agent is joining…"
    assert waiting.state_of(conversation.id)["text"].startswith("You are number 1 in the queue")
    assert handoff.claim(conversation.id, alice)
    assert conversation.messages.last().text == "Alice has joined the conversation."


def test_an_agent_reply_is_mailed_in_the_visitor_language(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    conversation = new_conversation()
    visitor_wrote(conversation, "zh-hans")
    handoff.escalate(conversation.id, BUTTON)
    email_later.leave_email(conversation.id, "visitor@example.com")
    reply = Message.objects.create(conversation=conversation, role=Message.Role.AGENT, text="已退款。", author_name="Alice")
    assert email_later.mail_reply(reply.id)
    sent = mail.outbox[-1]
    assert sent.subject == "来自我们客服团队的答复"
    assert sent.body.startswith("Alice 回复了您：\n\n已退款。")
