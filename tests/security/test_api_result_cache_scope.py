"""Issue 16, item 12: the API's result cache is per API key. Shared, one key could learn whether
another key sent the same prompt (a hit answers at once, and is billed as cached)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from supportbot.api.models import ApiCall
from tests.api_app import MODEL, user_message

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]


def _client(name: str) -> Client:
    out = io.StringIO()
    call_command("api_key", "create", name, stdout=out)
    return Client(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")


def _ask(client: Client) -> dict:
    body = {"model": MODEL, "messages": [user_message("Is my order 1234 late?")], "temperature": 0, "max_tokens": 4}
    response = client.post("/v1/chat/completions", json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_deterministic_answer_is_reused_for_its_own_key_only():
    alice, mallory = _client("alice"), _client("mallory")
    first = _ask(alice)
    assert _ask(alice)["choices"][0]["message"]["content"] == first["choices"][0]["message"]["content"]
    _ask(mallory)
    from_cache = list(ApiCall.objects.order_by("created_at").values_list("api_key__name", "from_result_cache"))
    assert from_cache == [("alice", False), ("alice", True), ("mallory", False)]
