"""Clients that come from a chosen address, as Daphne reports the peer in scope["client"]."""

from __future__ import annotations

import uuid
from contextlib import AbstractAsyncContextManager

import pytest
from channels.testing import WebsocketCommunicator
from django.core.cache import cache

from supportbot.asgi import application
from supportbot.chat.access import first_conversation_id
from tests.chat_fixtures import ORIGIN, chat_socket, cookie_header


@pytest.fixture(autouse=True)
def fresh_counters():
    """Per-address counters live in Django's cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def socket_from(
    address: str, visitor_id: uuid.UUID | None = None, forwarded_for: str | None = None
) -> AbstractAsyncContextManager[WebsocketCommunicator]:
    """A chat socket of a new visitor (a fresh cookie) on their first conversation, whose TCP
    peer is `address`."""
    visitor_id = visitor_id or uuid.uuid4()
    headers = [] if forwarded_for is None else [(b"x-forwarded-for", forwarded_for.encode())]
    return chat_socket(first_conversation_id(visitor_id), visitor_id, address=address, extra_headers=headers)


async def connects_from(address: str, visitor_id: uuid.UUID | None = None) -> bool:
    """Whether the chat socket of a new visitor (a fresh cookie) on their first conversation is
    accepted from `address` (a refused handshake is a refusal, not an error)."""
    visitor_id = visitor_id or uuid.uuid4()
    headers = [(b"origin", ORIGIN.encode()), (b"cookie", cookie_header(visitor_id).encode())]
    socket = WebsocketCommunicator(application, f"/ws/chat/{first_conversation_id(visitor_id)}/", headers=headers)
    socket.scope["client"] = [address, 50000]
    connected, _ = await socket.connect()
    if connected:
        await socket.disconnect()
    return connected
