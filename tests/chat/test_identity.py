"""Anonymous visitors: a signed cookie identifies them; they see only their own conversation."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from supportbot.chat.access import first_conversation_id, visitor_conversation
from supportbot.chat.identity import read_visitor_cookie, visitor_cookie_value
from supportbot.chat.models import Conversation
from tests.chat_fixtures import screenshot_png

pytestmark = pytest.mark.django_db


def test_first_visit_gets_a_signed_identity_and_a_conversation_stored_on_first_use():
    client = Client(HTTP_ACCEPT_LANGUAGE="de-CH,de;q=0.9,en;q=0.5")
    response = client.get("/")
    assert response.status_code == 200
    cookie = response.cookies[settings.VISITOR_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    visitor_id = read_visitor_cookie(cookie.value)
    conversation_id = first_conversation_id(visitor_id)
    assert f'data-conversation-id="{conversation_id}"' in response.content.decode()
    # A page view alone (a crawler, a probe) stores nothing.
    assert not Conversation.objects.exists()

    upload = client.post(
        reverse("chat:upload", args=[conversation_id]),
        {"image": io.BytesIO(screenshot_png())},
    )
    assert upload.status_code == 201
    conversation = Conversation.objects.get()
    assert (conversation.id, conversation.visitor_id) == (conversation_id, visitor_id)
    assert conversation.language == "de-CH"


def test_a_returning_visitor_gets_the_same_conversation_back():
    client = Client()
    first = client.get("/")
    visitor_id = read_visitor_cookie(first.cookies[settings.VISITOR_COOKIE_NAME].value)
    assert visitor_conversation(first_conversation_id(visitor_id), visitor_id) is not None
    again = client.get("/")
    assert settings.VISITOR_COOKIE_NAME not in again.cookies  # nothing new to set
    assert Conversation.objects.count() == 1
    conversation_id = str(Conversation.objects.get().id)
    assert conversation_id in first.content.decode() and conversation_id in again.content.decode()


def test_nobody_else_can_take_a_visitors_first_conversation():
    owner, intruder = uuid.uuid4(), uuid.uuid4()
    assert visitor_conversation(first_conversation_id(owner), intruder) is None
    assert not Conversation.objects.exists()
    assert visitor_conversation(first_conversation_id(owner), owner) is not None
    assert visitor_conversation(first_conversation_id(owner), intruder) is None


def test_a_forged_or_tampered_cookie_is_not_an_identity():
    victim = uuid.uuid4()
    Conversation.objects.create(visitor_id=victim)
    genuine = visitor_cookie_value(victim)
    assert read_visitor_cookie(genuine) == victim
    assert read_visitor_cookie(str(victim)) is None
    assert read_visitor_cookie(genuine.replace(str(victim)[:8], "00000000")) is None
    assert read_visitor_cookie(genuine[:-2] + "xx") is None

    client = Client()
    client.cookies[settings.VISITOR_COOKIE_NAME] = str(victim)
    response = client.get("/")
    # A new identity with its own conversation; the victim's stays out of reach.
    assert read_visitor_cookie(response.cookies[settings.VISITOR_COOKIE_NAME].value) != victim
    victims = Conversation.objects.get(visitor_id=victim)
    assert str(victims.id) not in response.content.decode()


def test_the_page_carries_the_chat_controls():
    html = Client().get("/").content.decode()
    for control in [
        'id="text"',
        'id="send"',
        'id="file-input"',
        'id="talk-to-human"',
        "chat.js",
        "chat.css",
    ]:
        assert control in html


def run_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import supportbot.settings as s; print(s.SECRET_KEY)"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.services
def test_without_debug_a_missing_secret_key_refuses_to_start():
    result = run_settings(DEBUG="0")
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


@pytest.mark.services
def test_with_debug_a_development_key_is_generated_once_and_kept(tmp_path):
    first = run_settings(DEBUG="1", SUPPORTBOT_VAR_DIR=str(tmp_path))
    second = run_settings(DEBUG="1", SUPPORTBOT_VAR_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert len(first.stdout.strip()) >= 50 and first.stdout == second.stdout
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
