"""On PostgreSQL the conversation and message lists' search box is full-text search on message
text (websearch syntax: phrases, `or`, `-word`; whole words, no stemming), the message list is
ranked by relevance, ids still find their conversation, and the query uses the GIN index.

One fresh PostgreSQL database for the module: the admin runs in a `manage.py shell` against it
and prints what each search listed."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.agents.test_claim_race import manage
from tests.bridge.test_redis_workers import fresh_database

pytestmark = pytest.mark.services

SEARCHES = """
import json
import uuid
from django.contrib.admin.sites import site
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import setup_test_environment
from supportbot.chat.models import Conversation, Message
from tests.ops_fixtures import bot_turn, ops_user

setup_test_environment()  # responses carry their context
names = {}
for name, question, answer in [
    ("refund", "I want a refund for my order", "Your refund is on its way."),
    ("password", "I forgot my password, the login is not working", "Reset it from the login page."),
    ("card", "My card was charged twice for one order", "I am sorry about that."),
    ("invoice", "Where is my invoice?", "In your account."),
]:
    conversation = Conversation.objects.create(visitor_id=uuid.uuid4())
    bot_turn(conversation, question, answer)
    names[str(conversation.pk)] = name
# The more relevant message is the older one, so relevance order is not the newest-first default.
ranked = Conversation.objects.create(visitor_id=uuid.uuid4())
names[str(ranked.pk)] = "ranked"
strong = Message.objects.create(conversation=ranked, role="user", text="Refund, refund, where is my refund?")
weak = Message.objects.create(conversation=ranked, role="user", text="A refund maybe")
texts = {str(strong.pk): "strong", str(weak.pk): "weak"}

client = Client()
client.force_login(ops_user())

def listed(url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return [str(row.pk) for row in response.context["cl"].result_list]

def conversations(q):
    return sorted(names[pk] for pk in listed("/admin/chat/conversation/", q=q))

def messages(q, **params):
    return [texts.get(pk, "other") for pk in listed("/admin/chat/message/", q=q, **params)]

invoice = Conversation.objects.get(pk=next(pk for pk, name in names.items() if name == "invoice"))
results = {
    "phrase": conversations('"not working"'),
    "reversed phrase": conversations('"working not"'),
    "or": conversations("invoice or password"),
    "exclusion": conversations("order -refund"),
    "all words": conversations("order twice"),
    "case": conversations("PASSWORD"),
    "part of a word": conversations("pass"),
    "stem": conversations("charge"),
    "id": conversations(str(invoice.pk)),
    "visitor id": conversations(str(invoice.visitor_id)),
    "ranked": messages("refund -order -way"),
    "sorted by id": messages("refund -order -way", o="-0"),
}
with connection.cursor() as cursor:
    cursor.execute("SET enable_seqscan = off")  # few rows: the planner takes any index that fits
request = RequestFactory().get("/")
results["plans"] = [
    site._registry[model].get_search_results(request, model.objects.all(), "refund")[0].explain()
    for model in (Message, Conversation)
]
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def searched() -> Iterator[dict]:
    with fresh_database() as url:
        manage(url, "migrate", "--noinput")
        yield json.loads(manage(url, "shell", "-c", SEARCHES).strip().splitlines()[-1])


def test_phrases_or_and_exclusion(searched):
    assert searched["phrase"] == ["password"]
    assert searched["reversed phrase"] == []
    assert searched["or"] == ["invoice", "password"]
    assert searched["exclusion"] == ["card"]
    assert searched["all words"] == ["card"]


def test_whole_words_without_stemming(searched):
    assert searched["case"] == ["password"]
    assert searched["part of a word"] == []  # the substring search of SQLite would find "password"
    assert searched["stem"] == []  # "simple": "charge" is not "charged"


def test_ids_still_find_their_conversation(searched):
    assert searched["id"] == searched["visitor id"] == ["invoice"]


def test_message_list_is_ranked_unless_sorted_by_a_column(searched):
    assert searched["ranked"] == ["strong", "weak"]
    assert searched["sorted by id"] == ["weak", "strong"]


def test_search_uses_the_gin_index(searched):
    for plan in searched["plans"]:
        assert "chat_message_text_search" in plan, plan
