"""The agent console in the agent's own language: what the server builds for a console socket (the
queue's statuses, reasons and visitor labels, errors) is in that socket's language, the offers
broadcast by whoever caused them included, while the codes beside the words stay the same; and
every string the console's scripts translate is in the Chinese JavaScript catalog."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation
from django.views.i18n import JSONCatalog

from supportbot.agents.console import in_own_words
from supportbot.agents.labels import reason_in_words, status_in_words, visitor_label
from supportbot.asgi import application
from tests.agent_fixtures import agent, team
from tests.agents.test_agent_console import of_type, session_cookie
from tests.chat_fixtures import ORIGIN, chat_socket, new_conversation, receive, receive_until

AGENT_SCRIPTS = Path(settings.BASE_DIR) / "static" / "agents"
# gettext("…") with its argument, which may be string literals joined by +.
GETTEXT_CALL = re.compile(r'\bgettext\(((?:\s*"(?:[^"\\]|\\.)*"\s*\+?)+)\)')
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')


async def console_in(language: str, cookie: str) -> WebsocketCommunicator:
    """A console socket whose page is in `language` (the handshake's Accept-Language)."""
    headers = [(b"origin", ORIGIN.encode()), (b"cookie", cookie.encode()), (b"accept-language", language.encode())]
    socket = WebsocketCommunicator(application, "/ws/console/", headers=headers)
    connected, _ = await socket.connect()
    assert connected
    return socket


async def offer_and_queue(console: WebsocketCommunicator) -> tuple[dict, dict]:
    """The offer and the first queue frame with a pending row, in whichever order they come."""
    seen: dict[str, dict] = {}

    def both(frame: dict) -> bool:
        if frame["type"] == "offer" or (frame["type"] == "queue" and frame["pending"]):
            seen.setdefault(frame["type"], frame)
        return len(seen) == 2

    await receive_until(console, both)
    return seen["offer"], seen["queue"]


def pending_row(frame: dict, conversation_id) -> dict:
    return next(r for r in frame["pending"] if r["conversation_id"] == str(conversation_id))


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
async def test_one_handoff_reaches_a_chinese_and_an_english_console_each_in_its_language():
    support = await database_sync_to_async(team)()
    await database_sync_to_async(agent)("alice", support, online=False)
    conversation = await database_sync_to_async(new_conversation)()
    code = conversation.visitor_id.hex[:6].upper()
    cookie = await sync_to_async(session_cookie)("alice")
    chinese = await console_in("zh-CN,zh;q=0.9", cookie)
    english = await console_in("en-US", cookie)
    await receive(chinese)
    await receive(english)

    # An English visitor asks for a person: the offer to alice is built in the visitor's request.
    async with chat_socket(conversation.id, conversation.visitor_id) as visitor:
        await visitor.send_json_to({"type": "escalate"})
        (chinese_offer, chinese_queue), (english_offer, english_queue) = [
            await offer_and_queue(console) for console in (chinese, english)
        ]

    assert chinese_offer["title"].startswith(f"访客 {code} · ") and chinese_offer["reason_text"] == "要求转人工"
    assert english_offer["title"].startswith(f"Visitor {code} · ") and english_offer["reason_text"] == "asked for a person"
    chinese_row, english_row = (pending_row(queue, conversation.id) for queue in (chinese_queue, english_queue))
    assert (chinese_row["status"], chinese_row["status_text"]) == ("pending", "等待中")
    assert (chinese_row["reason"], chinese_row["reason_text"]) == ("user_button", "要求转人工")
    assert chinese_row["visitor"] == f"访客 {code}"
    assert (english_row["status_text"], english_row["reason_text"]) == ("pending", "asked for a person")
    assert english_row["visitor"] == f"Visitor {code}"

    # Errors answered to one socket are in its language.
    missing = {"type": "open", "conversation_id": "00000000-0000-0000-0000-000000000000"}
    for console, words in ((chinese, "没有这个对话。"), (english, "No such conversation.")):
        await console.send_json_to(missing)
        error = (await receive_until(console, of_type("error")))[-1]
        assert (error["code"], error["message"]) == ("not_found", words)
        await console.disconnect()


def test_labels_follow_the_active_language_and_keep_unknown_codes():
    visitor = "abcdef00-0000-4000-8000-000000000000"
    with translation.override("zh-hans"):
        assert (status_in_words("resolved"), reason_in_words("no_answer")) == ("已解决", "帮助中心没有答案")
        assert visitor_label(visitor) == "访客 ABCDEF"
        assert reason_in_words("some_new_reason") == "some new reason"
    with translation.override("en"):
        assert (status_in_words("resolved"), visitor_label(visitor)) == ("resolved", "Visitor ABCDEF")


@pytest.mark.django_db
def test_a_broadcast_visitor_message_is_worded_again_for_each_console():
    conversation = new_conversation()
    code = conversation.visitor_id.hex[:6].upper()
    # As notify.visitor_wrote built it, in the language of the visitor's request.
    frame = {"type": "visitor.message", "conversation_id": str(conversation.id), "title": f"Visitor {code} · …",
             "message_id": 1, "text": "(a screenshot)", "screenshot_only": True}
    with translation.override("zh-hans"):
        worded = in_own_words(dict(frame))
    assert worded["title"] == f"访客 {code} · （尚无问题）" and worded["text"] == "（一张截图）"
    with translation.override("en"):
        assert in_own_words(dict(frame))["text"] == "(a screenshot)"


def script_strings() -> set[str]:
    strings = set()
    for script in AGENT_SCRIPTS.glob("*.js"):
        for call in GETTEXT_CALL.finditer(script.read_text()):
            # A JavaScript string literal's escapes are JSON's.
            strings.add("".join(json.loads(f'"{part}"') for part in LITERAL.findall(call.group(1))))
    return strings


def test_every_string_the_console_scripts_translate_is_in_the_chinese_catalog():
    strings = script_strings()
    assert {"%s unread", "waiting %s", "offered to you"} <= strings  # the queue rows' words are found
    # The catalog /jsi18n/ serves (JavaScriptCatalog), as JSON.
    with translation.override("zh-hans"):
        catalog = json.loads(JSONCatalog.as_view()(RequestFactory().get("/jsi18n/")).content)["catalog"]
    missing = sorted(s for s in strings if not catalog.get(s))
    assert missing == [], f"not in locale/zh_Hans/LC_MESSAGES/djangojs.po: {missing}"
