"""Grounded replies (chat.grounding): a visitor's question retrieves help-center passages, the
model reads them inside the turn, and the reply opens with the best one quoted and labelled, with
its articles as sources. Words only (no embedding model), over three sample articles."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from channels.db import database_sync_to_async

from supportbot.chat.models import Message
from supportbot.knowledge import retrieval
from supportbot.knowledge.store import import_path
from tests.chat_fixtures import chat_socket, new_conversation, say

SAMPLE = Path(__file__).resolve().parents[2] / "supportbot/knowledge/sample/en"
ARTICLES = ("refund-policy", "account-locked", "delivery-times")

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


@pytest.fixture
def help_center(settings, tmp_path):
    settings.KB_EMBEDDINGS = False
    retrieval._index = None
    for slug in ARTICLES:
        shutil.copy(SAMPLE / f"{slug}.md", tmp_path)
    report = import_path(tmp_path)
    assert report.ok, report.errors
    yield
    retrieval._index = None


async def test_a_grounded_reply_quotes_its_passage_and_cites_it_and_the_cache_still_reuses(help_center):
    conversation = await database_sync_to_async(new_conversation)()
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        first = await say(socket, "m1", "Can I get my money back for the annual plan? I paid last week.")
        second = await say(socket, "m2", "How many days does the delivery take in Europe?")
    reply = first[-1]["message"]
    assert reply["state"] == "done"
    assert reply["citations"][0]["title"] == "Refund policy"
    assert reply["citations"][0]["url"].startswith("https://")
    # The quote comes first, labelled, and streamed as the first piece: told apart from the model.
    assert reply["text"].startswith("**From the help center: [Refund policy](")
    assert "> " in reply["text"] and "14 days" in reply["text"]
    assert first[1]["type"] == "token" and first[1]["text"].startswith("**From the help center")
    assert '<blockquote>' in reply["html"]
    # The passages went to the model inside the turn and are stored with it.
    asked = await database_sync_to_async(Message.objects.get)(pk=first[0]["message"]["id"])
    assert "Refund policy" in asked.context and asked.text.startswith("Can I get my money back")
    # The next turn reuses the whole cached history: the passages did not change the prefix.
    assert second[-1]["message"]["citations"][0]["title"].startswith("Delivery times")
    assert second[-1]["message"]["usage"]["cached_tokens"] > reply["usage"]["prompt_tokens"] * 0.8


async def test_a_question_the_help_center_does_not_answer_gets_no_sources(help_center):
    conversation = await database_sync_to_async(new_conversation)()
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        frames = await say(socket, "m1", "hello there")
    reply = frames[-1]["message"]
    assert reply["state"] == "done" and reply["citations"] == []
    assert not reply["text"].startswith("**From the help center")
