"""Frames to people's sockets: the group names, the one envelope every consumer relays as is, and
sending now or once a transaction commits. The chat consumer, replies, the API, the agents'
console and notifications all send through here."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

# Every console socket (queue changes).
CONSOLE_QUEUE_GROUP = "console.queue"
# The envelope's type: both consumers' `chat_frame` handler passes the frame to its browser.
ENVELOPE_TYPE = "chat.frame"


def conversation_group(conversation_id: uuid.UUID | str) -> str:
    """Every connection showing this conversation: the visitor's tabs and the consoles that
    opened it."""
    return f"conversation.{conversation_id}"


def console_conversation_group(conversation_id: uuid.UUID | str) -> str:
    """Console sockets showing one conversation: visitor messages, typing and private notes."""
    return f"console.conversation.{conversation_id}"


def console_agent_group(user_id: int) -> str:
    """One agent's console sockets (offers meant for them)."""
    return f"console.agent.{user_id}"


def envelope(frame: str | dict[str, Any], **tags: Any) -> dict[str, Any]:
    """A frame (encoded, or a dict to encode) as a channel-layer message; `tags` travel beside it
    for the receiving consumer (e.g. which reply ended, which socket sent it)."""
    encoded = frame if isinstance(frame, str) else json.dumps(frame, ensure_ascii=False)
    return {"type": ENVELOPE_TYPE, "frame": encoded, **tags}


async def send_to_group(group: str, frame: str | dict[str, Any], **tags: Any) -> None:
    await get_channel_layer().group_send(group, envelope(frame, **tags))


async def send_to_channel(channel: str, frame: str | dict[str, Any]) -> None:
    """To one socket (an agent's reply draft goes only to the console that asked)."""
    await get_channel_layer().send(channel, envelope(frame))


def send_after_commit(group: str, frame: str | dict[str, Any]) -> None:
    """From synchronous code: send once the transaction that produced the frame commits."""
    transaction.on_commit(
        lambda: async_to_sync(get_channel_layer().group_send)(group, envelope(frame)), robust=True
    )


class PieceStream:
    """A reply's text streamed to a group as frames, one send at a time: pieces that arrive while
    a send is under way go out together in the next frame, so a busy process sends fewer, larger
    frames instead of falling behind (the protocol's token frames are pieces of text, in order)."""

    def __init__(self, group: str, frame_of: Callable[[int, str], str]) -> None:
        self.group = group
        self._frame_of = frame_of  # (index of the frame, text) -> the encoded frame
        self._pending: list[str] = []
        self._sent = 0
        self._sending: asyncio.Task[None] | None = None

    async def add(self, text: str) -> None:
        self._pending.append(text)
        if self._sending is not None and not self._sending.done():
            return  # the send under way takes it along
        if self._sent == 0:
            # The first piece at once: a task would first wait a turn of the loop, and that wait
            # is the visitor's time to first token.
            await self._send_pending()
        else:
            self._sending = asyncio.ensure_future(self._send_pending())

    async def _send_pending(self) -> None:
        while self._pending:
            text = "".join(self._pending)
            self._pending.clear()
            try:
                await send_to_group(self.group, self._frame_of(self._sent, text))
            except Exception:  # the layer's Redis away: the reply's end frame carries the whole text
                log.warning("a piece of a reply could not be sent to %s", self.group, exc_info=True)
            self._sent += 1

    async def flush(self) -> None:
        """Wait until every piece added has been sent."""
        if self._sending is not None:
            await self._sending

    async def restart(self) -> None:
        """The text starts over: the next piece is sent as index 0."""
        await self.flush()
        self._sent = 0
