"""Shared pieces for the web-chat tests: visitors, conversations, WebSocket clients, images."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from channels.testing import WebsocketCommunicator
from django.conf import settings
from PIL import Image, ImageDraw

from supportbot.asgi import application
from supportbot.chat.identity import visitor_cookie_value
from supportbot.chat.models import Conversation

ORIGIN = "http://localhost"
Frame = dict[str, Any]


def new_conversation(visitor_id: uuid.UUID | None = None) -> Conversation:
    return Conversation.objects.create(visitor_id=visitor_id or uuid.uuid4())


def cookie_header(visitor_id: uuid.UUID) -> str:
    return f"{settings.VISITOR_COOKIE_NAME}={visitor_cookie_value(visitor_id)}"


@asynccontextmanager
async def chat_socket(
    conversation_id: uuid.UUID | str,
    visitor_id: uuid.UUID | None,
    origin: str = ORIGIN,
    query: str = "",
    address: str | None = None,
    extra_headers: list[tuple[bytes, bytes]] | None = None,
) -> AsyncIterator[WebsocketCommunicator]:
    """`query`: the URL's query string, e.g. "lang=zh-hans" as the chat page sends it.
    `address`: the TCP peer Daphne would report (none by default: no per-address limits)."""
    headers = [(b"origin", origin.encode()), *(extra_headers or [])]
    if visitor_id is not None:
        headers.append((b"cookie", cookie_header(visitor_id).encode()))
    path = f"/ws/chat/{conversation_id}/" + (f"?{query}" if query else "")
    socket = WebsocketCommunicator(application, path, headers=headers)
    if address is not None:
        socket.scope["client"] = [address, 50000]  # read when the application starts, at connect
    connected, _ = await socket.connect()
    assert connected
    try:
        yield socket
    finally:
        await socket.disconnect()


async def receive(socket: WebsocketCommunicator, timeout: float = 30) -> Frame:
    return json.loads(await socket.receive_from(timeout=timeout))


async def receive_until(
    socket: WebsocketCommunicator, done: Callable[[Frame], bool], timeout: float = 60
) -> list[Frame]:
    """Every frame up to and including the first one for which `done` is true."""
    frames: list[Frame] = []
    async with asyncio.timeout(timeout):
        while True:
            frames.append(await receive(socket, timeout))
            if done(frames[-1]):
                return frames


def is_reply_end(frame: Frame) -> bool:
    return frame["type"] == "reply.end"


def send_frame(
    client_message_id: str, text: str = "", attachment_ids: list[str] | None = None
) -> Frame:
    return {
        "type": "send",
        "client_message_id": client_message_id,
        "text": text,
        "attachment_ids": attachment_ids or [],
    }


async def say(
    socket: WebsocketCommunicator, client_message_id: str, text: str, **kwargs: Any
) -> list[Frame]:
    """Send a message and collect frames until its reply has ended."""
    await socket.send_json_to(send_frame(client_message_id, text, **kwargs))
    return await receive_until(socket, is_reply_end)


def screenshot_png(size: tuple[int, int] = (320, 200), label: str = "Error 42") -> bytes:
    """A fake app screenshot: a window with a title bar and an error line."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, size[0], 24], fill=(40, 80, 160))
    draw.text((10, 40), label, fill="black")
    return image_bytes(image, "PNG")


def image_bytes(image: Image.Image, image_format: str, **save_args: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=image_format, **save_args)
    return out.getvalue()
