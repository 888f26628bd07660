"""Grounded replies (chat.grounding): a visitor's question retrieves help-center passages, the
model reads them inside the turn, and the reply opens with the best one quoted and labelled, with
its articles as sources. Words only (no embedding model), over three sample articles."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from channels.db import database_sync_to_async

from inference.decoding import DecodingDefaults
from supportbot.agents.models import Handoff
from supportbot.chat.grounding import asks_something, ground, quote_block
from supportbot.chat.frames import render_markdown
from supportbot.chat.models import Message
from supportbot.knowledge import retrieval
from supportbot.inference_bridge import engine_client
from supportbot.knowledge.store import import_path
from tests.chat_fixtures import chat_socket, new_conversation, receive_until, say, send_frame

SAMPLE = Path(__file__).resolve().parents[2] / "supportbot/knowledge/sample/en"
ARTICLES = ("refund-policy", "account-locked", "delivery-times", "failed-payment", "app-error-codes")

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
    # The quotes the reply opened with are not in its history as the model's words: the whole first
    # turn, prompt and generated reply, is reused.
    usage = reply["usage"]
    assert second[-1]["message"]["usage"]["cached_tokens"] >= usage["prompt_tokens"] + usage["completion_tokens"] - 1


async def test_a_model_that_adds_nothing_to_a_quote_leaves_the_reply_to_the_quote(help_center, monkeypatch):
    # SmolLM2-135M's words after a quote were mostly wrong (inference/models/smollm2.py): such a
    # model is asked, and writes nothing; the reply is the labelled quote with its sources.
    engine = await database_sync_to_async(engine_client().load)()
    monkeypatch.setattr(engine, "loaded", replace(engine.loaded, decoding=DecodingDefaults(words_after_quote=False)))
    conversation = await database_sync_to_async(new_conversation)()
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        quoted = await say(socket, "m1", "Can I get my money back for the annual plan? I paid last week.")
        chatted = await say(socket, "m2", "hello there")
    reply = quoted[-1]["message"]
    assert reply["state"] == "done" and reply["citations"][0]["title"] == "Refund policy"
    assert reply["text"].startswith("**From the help center") and "14 days" in reply["text"]
    assert reply["usage"]["completion_tokens"] == 0
    stored = await database_sync_to_async(Message.objects.get)(pk=reply["id"])
    assert stored.text == stored.opening
    # Small talk has no quote: the model answers it, after a turn whose reply it did not write.
    assert chatted[-1]["message"]["state"] == "done" and chatted[-1]["message"]["usage"]["completion_tokens"] > 0


async def test_a_question_the_help_center_does_not_answer_gets_no_sources(help_center):
    conversation = await database_sync_to_async(new_conversation)()
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        frames = await say(socket, "m1", "hello there")
    reply = frames[-1]["message"]
    assert reply["state"] == "done" and reply["citations"] == []
    assert not reply["text"].startswith("**From the help center")


async def test_a_product_question_without_an_answer_says_so_and_offers_a_person(help_center):
    conversation = await database_sync_to_async(new_conversation)()
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        await socket.send_json_to(send_frame("m1", "Does the premium plan include a dedicated phone line for my grandmother's pacemaker?"))
        ack = await receive_until(socket, lambda frame: frame["type"] == "ack")
        reply = ack[-1]["reply"]
        # Said at once in the acknowledgement, without the model: nothing to stream, no usage.
        assert reply["state"] == "done"
        assert reply["offers_person"] is True and reply["citations"] == []
        assert reply["usage"]["completion_tokens"] is None and reply["finish_reason"] == "stop"
        await socket.send_json_to({"type": "escalate", "message_id": reply["id"]})
        handoff = await receive_until(socket, lambda frame: frame["type"] == "handoff")
    assert handoff[-1]["status"] == "pending"
    taken = await database_sync_to_async(Handoff.objects.get)(conversation_id=conversation.id)
    assert taken.reason == Handoff.Reason.NO_ANSWER


async def test_the_offer_of_another_conversation_is_an_ordinary_button_press(help_center):
    elsewhere = await database_sync_to_async(new_conversation)()
    offer = await database_sync_to_async(Message.objects.create)(
        conversation=elsewhere, role=Message.Role.ASSISTANT, text="?", finish_reason="stop", offers_person=True
    )
    conversation = await database_sync_to_async(new_conversation)()
    async with chat_socket(conversation.id, conversation.visitor_id) as socket:
        await socket.send_json_to({"type": "escalate", "message_id": offer.id})
        await receive_until(socket, lambda frame: frame["type"] == "handoff")
    taken = await database_sync_to_async(Handoff.objects.get)(conversation_id=conversation.id)
    assert taken.reason == Handoff.Reason.USER_BUTTON


@pytest.mark.parametrize("small_talk", ["hi", "thanks a lot!", "你好", "谢谢", "ok great"])
def test_greetings_and_thanks_are_not_questions_to_refuse(small_talk):
    assert not asks_something(small_talk)


@pytest.mark.parametrize("question", ["can I pay with bitcoin", "能用比特币付款吗？", "where is the serial number printed"])
def test_questions_are(question):
    assert asks_something(question)


def test_the_screenshot_text_and_the_previous_question_are_searched_too(help_center):
    # Neither question names what it is about.
    from_screenshot = ground("what does this mean?", screenshot_text="Payment failed\nERR-4031\nRetry   Cancel")
    assert any(cited["title"].startswith("Payment failed") for cited in from_screenshot.citations)
    assert ground("and how long does that take?").citations[0]["title"] != "Refund policy"
    follow_up = ground("and how long does that take?", earlier="Can I get my money back for the annual plan?")
    assert follow_up.citations[0]["title"] == "Refund policy"


def test_every_quoted_article_is_labelled_in_order():
    block = quote_block([
        {"title": "Refund policy", "url": "https://help.example/refunds", "quote": "14 days."},
        {"title": "Double charge", "url": "", "quote": "We refund the second one."},
        {"title": "Delivery times", "url": "https://help.example/delivery"},
    ])
    assert block.index("[Refund policy](https://help.example/refunds)") < block.index("Double charge")
    assert "> 14 days." in block and "> We refund the second one." in block and "Delivery times" not in block


def test_quoted_sentences_stay_apart_and_a_list_stays_a_list():
    html = render_markdown(quote_block([{"title": "T", "url": "", "quote": "First sentence.\nSecond one.\nRules:\n- ten characters\n- a number"}]))
    assert html.count("<p>") >= 4 and "<ul>" in html and html.count("<li>") == 2
