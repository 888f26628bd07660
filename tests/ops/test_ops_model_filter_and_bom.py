"""The "By model" filter lists each model once however many replies it wrote; the CSV export for
spreadsheets starts with UTF-8's byte order mark and round-trips Chinese; conversations are
titled by their visitor and first question in the log review, not by a UUID prefix."""

from __future__ import annotations

import csv
import io

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from supportbot.chat.models import Message
from supportbot.events.log import record_event
from supportbot.events.models import Event
from tests.chat_fixtures import new_conversation
from tests.ops_fixtures import bot_turn, ops_user

pytestmark = pytest.mark.django_db

CONVERSATIONS = "/admin/chat/conversation/"


@pytest.fixture
def client() -> Client:
    client = Client()
    client.force_login(ops_user())
    return client


def model_choices(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    model_filter = next(f for f in response.context["cl"].filter_specs if getattr(f, "parameter_name", "") == "model")
    return [choice["display"] for choice in model_filter.choices(response.context["cl"])][1:]  # after "All"


def test_the_model_filter_lists_each_model_once(client):
    conversation = new_conversation()
    for index in range(30):
        reply = bot_turn(conversation, f"Question {index}")
        model = "tiny-random" if index % 3 else "Qwen/Qwen2.5-0.5B-Instruct"
        record_event(Event.Kind.MESSAGE_OUT, conversation.id, message=reply.id, model=model)
    expected = ["Qwen/Qwen2.5-0.5B-Instruct", "tiny-random"]
    assert model_choices(client, CONVERSATIONS) == expected
    assert model_choices(client, "/admin/chat/message/") == expected


def export(client: Client, action: str) -> bytes:
    response = client.post(CONVERSATIONS, {"action": action, "select_across": "1", "index": "0", "_selected_action": ["x"]})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return async_to_sync(read_all)(response.streaming_content)


async def read_all(chunks) -> bytes:  # noqa: ANN001 (the response's async iterator)
    return b"".join([chunk async for chunk in chunks])


def test_the_csv_for_spreadsheets_starts_with_the_bom_and_round_trips_chinese(client):
    conversation = new_conversation()
    Message.objects.create(conversation=conversation, role=Message.Role.USER, text="我的发票在哪里？谢谢")
    body = export(client, "export_csv_for_spreadsheets")
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert list(rows[0])[0] == "conversation_id"
    assert rows[0]["text"] == "我的发票在哪里？谢谢"

    plain = export(client, "export_csv")  # for scripts: no mark glued to the first column
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert list(csv.DictReader(io.StringIO(plain.decode())))[0]["text"] == "我的发票在哪里？谢谢"


def test_the_log_review_titles_conversations_by_visitor_and_first_question(client):
    conversation = new_conversation()
    bot_turn(conversation, "Why was I charged twice?")
    page = client.get(CONVERSATIONS).content.decode()
    assert "Why was I charged twice?" in page and "Visitor " in page
    assert f"{str(conversation.id)[:8]}…" not in page
    messages = client.get("/admin/chat/message/").content.decode()
    assert "Why was I charged twice?" in messages and f"{str(conversation.id)[:8]}…" not in messages
    transcript = client.get(f"{CONVERSATIONS}{conversation.pk}/change/").content.decode()
    assert "Transcript of Visitor " in transcript
