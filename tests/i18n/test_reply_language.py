"""The bot is told the visitor's language in each turn written in another one, never in the
system prompt, so the conversation's cached prefix stays the same (tiny random model in-process: it cannot answer in
Chinese, but it reads what it is told)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from supportbot.chat.transcript import read_transcript
from tests.chat_fixtures import chat_socket, new_conversation, receive, say

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

CHINESE = "Answer in Simplified Chinese (简体中文)."


async def test_each_turn_carries_the_page_language_and_the_history_stays_cacheable():
    conversation = await database_sync_to_async(new_conversation)()
    async with chat_socket(conversation.id, conversation.visitor_id, query="lang=zh-hans") as socket:
        await socket.send_json_to({"type": "resume", "last_message_id": None})
        assert (await receive(socket))["type"] == "history"
        await say(socket, "zh-1", "How do I reset my password?")
        before = await database_sync_to_async(read_transcript)(conversation.id)
        second = await say(socket, "zh-2", "And my email?")

    after = await database_sync_to_async(read_transcript)(conversation.id)
    system, first_turn = after.messages[0], after.messages[1]
    assert system.role == "system" and system.text == settings.SUPPORTBOT_SYSTEM_PROMPT
    assert first_turn.text.startswith("How do I reset my password?") and first_turn.text.endswith(CHINESE)
    assert after.messages[-2].text.startswith("And my email?") and after.messages[-2].text.endswith(CHINESE)
    # What the first turn was read as is what every later turn reads: the engine reused it.
    assert [m.text for m in after.messages[: len(before.messages)]] == [m.text for m in before.messages]
    assert second[-1]["message"]["usage"]["cached_tokens"] > 0


async def test_an_english_page_is_answered_in_english_and_a_german_browser_gets_english():
    conversation = await database_sync_to_async(new_conversation)()
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:  # no lang, no header
        await socket.send_json_to({"type": "resume", "last_message_id": None})
        await receive(socket)
        await say(socket, "en-1", "Hello there, how are refunds handled?")
        await say(socket, "en-2", "退款要多久？")
    transcript = await database_sync_to_async(read_transcript)(conversation.id)
    # Asked in the page's language: nothing to add (the model answers in the language it is
    # asked in). Asked in another: told the page's.
    assert transcript.messages[1].text == "Hello there, how are refunds handled?"
    assert transcript.messages[3].text.endswith("Answer in English.")


async def test_server_messages_come_in_the_page_language():
    conversation = await database_sync_to_async(new_conversation)()
    async with chat_socket(conversation.id, conversation.visitor_id, query="lang=zh-hans") as socket:
        await socket.send_json_to({"type": "send", "client_message_id": "empty-1", "text": "  "})
        refused = await receive(socket)
    assert refused["type"] == "error" and refused["code"] == "empty_message"
    assert refused["message"] == "请输入消息或附上图片。"
