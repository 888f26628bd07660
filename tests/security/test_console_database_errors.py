"""Issue 16, item 12: a console frame that meets a database error (a missing conversation, the
database away) is answered with an error frame; the socket stays up."""

from __future__ import annotations

import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.db import OperationalError

from supportbot.agents import console
from tests.agent_fixtures import agent, team
from tests.agents.test_agent_console import console_socket, session_cookie
from tests.chat_fixtures import receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


async def _supervisor_console():
    support = await database_sync_to_async(team)()
    await database_sync_to_async(agent)("sam", support, online=False, role_name="supervisors")
    socket, connected = await console_socket(await sync_to_async(session_cookie)("sam"))
    assert connected
    assert (await receive(socket))["type"] == "queue"
    return socket


async def _still_up(socket) -> None:
    await socket.send_json_to({"type": "ping"})
    assert (await receive(socket))["type"] == "pong"


async def test_a_note_for_a_missing_conversation_is_answered_not_crashed():
    socket = await _supervisor_console()
    await socket.send_json_to({"type": "note", "conversation_id": str(uuid.uuid4()), "text": "hi"})
    assert (await receive(socket))["code"] == "not_found"
    await _still_up(socket)
    await socket.disconnect()


async def test_a_database_outage_is_answered_with_an_error_frame(monkeypatch):
    socket = await _supervisor_console()

    def database_away(*_args):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(console, "refusal", database_away)
    await socket.send_json_to({"type": "note", "conversation_id": str(uuid.uuid4()), "text": "hi"})
    frame = await receive(socket)
    assert (frame["type"], frame["code"]) == ("error", "unavailable")
    monkeypatch.undo()
    await _still_up(socket)
    await socket.disconnect()
