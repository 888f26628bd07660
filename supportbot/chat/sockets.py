"""The base of this project's WebSocket consumers."""

from __future__ import annotations

from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer


class DirectDispatchConsumer(AsyncWebsocketConsumer):
    """Handles each message without first queueing on Channels' one database thread.

    Channels runs close_old_connections there before every handler, so every frame (and every
    relayed token) waited behind other conversations' queries. Nothing is lost by skipping it:
    every database call here goes through database_sync_to_async, which closes old connections
    before and after itself.
    """

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
