"""Fault: the database is down and every open page reconnects. The chat and console sockets refuse
the handshake (the browser sees a failed connect) instead of accepting and then closing: an
accepted socket counts as an open, and during an outage every tab would come back at once.
The page's side (static/common/socket.js: exponential backoff with jitter, which a brief open
does not reset) is tested in Chromium by tests/chat/test_browser_chat.py

(test_a_server_that_keeps_dropping_the_socket_is_retried_ever_later_with_jitter)."""

from __future__ import annotations

import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import OperationalError

from supportbot.agents import console
from supportbot.asgi import application
from supportbot.chat import consumer
from tests.agent_fixtures import agent, team
from tests.agents.test_agent_console import console_socket, session_cookie
from tests.chat_fixtures import ORIGIN, cookie_header, new_conversation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


def database_down(*_args: object, **_kwargs: object) -> None:
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


async def test_the_chat_socket_refuses_the_handshake_while_the_database_is_down(monkeypatch):
    visitor_id = uuid.uuid4()
    conversation = await sync_to_async(new_conversation)(visitor_id)
    headers = [(b"origin", ORIGIN.encode()), (b"cookie", cookie_header(visitor_id).encode())]
    monkeypatch.setattr(consumer, "visitor_conversation", database_down)
    socket = WebsocketCommunicator(application, f"/ws/chat/{conversation.id}/", headers=headers)
    connected, _ = await socket.connect()
    assert not connected
    monkeypatch.undo()  # the database is back: the same page connects
    socket = WebsocketCommunicator(application, f"/ws/chat/{conversation.id}/", headers=headers)
    connected, _ = await socket.connect()
    assert connected
    await socket.disconnect()


async def test_the_console_refuses_the_handshake_while_the_database_is_down(monkeypatch):
    await sync_to_async(agent)("alice", await sync_to_async(team)())
    cookie = await sync_to_async(session_cookie)("alice")
    monkeypatch.setattr(console, "may_use_console", database_down)
    socket, connected = await console_socket(cookie)
    assert not connected
