"""Fault: the SMTP server (or a webhook endpoint) accepts connections and never answers. Mail and
webhooks are Celery tasks; in the embedded setup they run on a background thread, not on
Channels' database thread, so every chat socket of the process still answers at once, and the
hung attempt is given up after its timeout (EMAIL_TIMEOUT, WEBHOOK_TIMEOUT_S)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from channels.db import database_sync_to_async

from supportbot.agents import email_later, handoff
from supportbot.agents.models import Handoff, WebhookDelivery, WebhookEndpoint
from supportbot.agents.triggers import Trigger
from supportbot.lib import background
from tests.agent_fixtures import agent, team
from tests.chat_fixtures import chat_socket, new_conversation, receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

BUTTON = Trigger(Handoff.Reason.USER_BUTTON, "pressed Talk to a human")
TIMEOUT_S = 3
# What "promptly" means for a chat socket's answer that needs the database.
PROMPT_S = 1.0


class SilentServer:
    """Accepts every connection and never writes a byte (a hung SMTP or HTTP server)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


async def answers_promptly(visitor_id: uuid.UUID, conversation_id: uuid.UUID) -> float:
    """Seconds a chat socket takes to answer `resume` (a database read) while the hung attempt runs."""
    async with chat_socket(conversation_id, visitor_id) as socket:
        started = time.monotonic()
        await socket.send_to(json.dumps({"type": "resume", "last_message_id": None}))
        frame = await receive(socket, timeout=TIMEOUT_S + 5)
        assert frame["type"] == "history"
        return time.monotonic() - started


async def wait_for_connection(server: SilentServer) -> None:
    """The attempt is under way: the silent server holds its connection."""
    deadline = time.monotonic() + 5
    while not server.accepted:
        assert time.monotonic() < deadline, "nothing connected to the silent server"
        await asyncio.sleep(0.05)  # not on the database thread: that is what is being watched


async def test_a_hung_smtp_server_does_not_stall_the_chat_sockets(settings, silent, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", silent.port, TIMEOUT_S

    def scene():
        alice = agent("alice", team())
        conversation = new_conversation()
        handoff.escalate(conversation.id, BUTTON)
        email_later.leave_email(conversation.id, "ann@example.com")
        handoff.claim(conversation.id, alice)
        return alice, conversation

    alice, conversation = await database_sync_to_async(scene)()
    # As the console does: on the database thread, whose commit queues the mail to the visitor.
    posting = asyncio.create_task(
        database_sync_to_async(handoff.post_agent_message)(conversation.id, alice, "Your refund is on its way.")
    )
    await wait_for_connection(silent)
    assert await answers_promptly(conversation.visitor_id, conversation.id) < PROMPT_S
    await posting
    # The hung attempt ends at EMAIL_TIMEOUT, on its own thread.
    started = time.monotonic()
    assert await database_sync_to_async(background.drain)(TIMEOUT_S + 5)
    assert time.monotonic() - started < TIMEOUT_S + 2
    assert "timed out" in caplog.text


async def test_a_hung_webhook_endpoint_does_not_stall_the_chat_sockets(settings, silent):
    settings.WEBHOOK_TIMEOUT_S = TIMEOUT_S

    def scene():
        team()
        WebhookEndpoint.objects.create(url=f"http://127.0.0.1:{silent.port}/hook", secret="s")
        return new_conversation()

    conversation = await database_sync_to_async(scene)()
    escalating = asyncio.create_task(database_sync_to_async(handoff.escalate)(conversation.id, BUTTON))
    await wait_for_connection(silent)
    assert await answers_promptly(conversation.visitor_id, conversation.id) < PROMPT_S
    await escalating
    assert await database_sync_to_async(background.drain)(TIMEOUT_S + 5)
    delivery = await database_sync_to_async(WebhookDelivery.objects.get)()
    assert (delivery.state, delivery.attempts) == ("pending", 1) and "Timeout" in delivery.last_error
