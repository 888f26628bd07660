"""The WebSocket protocol's frames (docs/protocol.md): pydantic specs for what clients send,
plain builders for what the server sends."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlsplit
from typing import Annotated, Any, Literal

from django.conf import settings
from django.urls import reverse
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from supportbot.chat.models import Attachment, Message

ClientMessageId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
]


class ClientFrame(BaseModel):
    """What a browser sends, on the chat page and in the agents' console. Unknown fields are
    ignored so that newer clients keep working with this server."""

    model_config = ConfigDict(extra="ignore")


class SendFrame(ClientFrame):
    type: Literal["send"]
    client_message_id: ClientMessageId
    text: Annotated[str, StringConstraints(max_length=settings.CHAT_MAX_TEXT_CHARS)] = ""
    attachment_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=settings.CHAT_MAX_ATTACHMENTS_PER_MESSAGE
    )


class ResumeFrame(ClientFrame):
    type: Literal["resume"]
    # The highest id of a finished message the client already shows; null for everything.
    last_message_id: int | None = None


class PingFrame(ClientFrame):
    type: Literal["ping"]


class EscalateFrame(ClientFrame):
    """The "Talk to a human" button, or the offer of a person under a reply that had no answer
    (`message_id`: that reply)."""

    type: Literal["escalate"]
    message_id: int | None = None


class FeedbackFrame(ClientFrame):
    """Thumbs up (helpful) or down on a finished bot reply."""

    type: Literal["feedback"]
    message_id: int
    helpful: bool


class RatingFrame(ClientFrame):
    """The answer to csat.request after an agent resolved the conversation."""

    type: Literal["rating"]
    score: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, StringConstraints(max_length=2000)] = ""


class TypingFrame(ClientFrame):
    type: Literal["typing"]
    typing: bool = True


class EmailFrame(ClientFrame):
    """"Email me the answer instead" while waiting for a person; the address is checked by the
    people rules (a bad one is refused with code invalid_email)."""

    type: Literal["email"]
    address: Annotated[str, StringConstraints(max_length=320)]


class CancelFrame(ClientFrame):
    """The Stop button: end the bot reply `message_id` now, keeping what it said so far."""

    type: Literal["cancel"]
    message_id: int


AnyClientFrame = (
    SendFrame | ResumeFrame | PingFrame | EscalateFrame | FeedbackFrame | RatingFrame | TypingFrame | CancelFrame
    | EmailFrame
)
_client_frame = TypeAdapter(Annotated[AnyClientFrame, Field(discriminator="type")])


class FrameError(Exception):
    def __init__(self, code: str, message: str, client_message_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.client_message_id = client_message_id


def parse_client_frame(text: str) -> AnyClientFrame:
    try:
        return _client_frame.validate_json(text)
    except ValidationError as invalid:
        raise _frame_error(text, invalid) from None


def _frame_error(text: str, invalid: ValidationError) -> FrameError:
    first = invalid.errors()[0]
    kind, where = first["type"], ".".join(str(part) for part in first["loc"])
    if kind == "json_invalid":
        return FrameError("bad_json", "The frame is not valid JSON.")
    if kind == "model_type":
        return FrameError("invalid_frame", "A frame must be a JSON object.")
    if kind == "union_tag_not_found":
        return FrameError("invalid_frame", 'The frame has no "type" field.')
    if kind == "union_tag_invalid":
        return FrameError("unknown_type", "Unknown frame type; see docs/protocol.md.")
    client_message_id = client_message_id_of(text)
    if kind == "string_too_long" and where == "send.text":
        return FrameError(
            "text_too_long",
            f"Messages may be at most {settings.CHAT_MAX_TEXT_CHARS} characters.",
            client_message_id,
        )
    if kind == "too_long" and where == "send.attachment_ids":
        return FrameError(
            "too_many_attachments",
            f"At most {settings.CHAT_MAX_ATTACHMENTS_PER_MESSAGE} images per message.",
            client_message_id,
        )
    if kind == "missing":
        return FrameError("invalid_frame", f"Missing field {where}.", client_message_id)
    return FrameError("invalid_frame", f"Invalid field {where}: {first['msg']}.", client_message_id)


def client_message_id_of(text: str) -> str | None:
    """Echoed in errors when it can be read, so the client knows which send failed."""
    try:
        value = json.loads(text).get("client_message_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and len(value) <= 64 else None


# --- Server to client ---------------------------------------------------------------------------

# CommonMark with raw HTML disabled: model output is shown as formatting, never as markup, and
# markdown-it refuses javascript: and similar link targets. No images, in bot or agent text (an
# agent may send a draft the model wrote): a URL planted in a screenshot would carry the
# conversation to its host when the page loads it. Image syntax stays text.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def render_markdown(text: str) -> str:
    return _markdown.render(text)


def render_bot_markdown(text: str, link_hosts: set[str]) -> str:
    """A bot reply as HTML: links only to `link_hosts` (its sources' sites); any other link the
    model wrote, invented or planted, is shown as its text."""
    env: dict[str, Any] = {}
    tokens = _markdown.parse(text, env)
    for block in tokens:
        if block.children:
            block.children = _links_to(block.children, link_hosts)
    return _markdown.renderer.render(tokens, _markdown.options, env)


def _links_to(children: list[Token], hosts: set[str]) -> list[Token]:
    kept, dropping = [], 0
    for token in children:
        if token.type == "link_open" and (dropping or urlsplit(token.attrGet("href") or "").hostname not in hosts):
            dropping += 1
            continue
        if token.type == "link_close" and dropping:
            dropping -= 1
            continue
        kept.append(token)
    return kept


def attachment_payload(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": str(attachment.id),
        "url": reverse("chat:attachment", args=[attachment.id]),
        "content_type": attachment.content_type,
        "width": attachment.width,
        "height": attachment.height,
        "size": attachment.size,
    }


def message_payload(
    message: Message, attachments: list[Attachment] | None = None
) -> dict[str, Any]:
    """`attachments` saves the query when the caller has them at hand; only visitors attach."""
    if attachments is None:
        attachments = list(message.attachments.all()) if message.role == Message.Role.USER else []
    payload: dict[str, Any] = {
        "id": message.id,
        "role": message.role,
        "text": message.text,
        "created_at": message.created_at.isoformat(),
        "client_message_id": message.client_message_id or None,
        "attachments": [attachment_payload(a) for a in attachments],
    }
    if message.role == Message.Role.ASSISTANT:
        payload["html"] = render_bot_markdown(message.text, {urlsplit(c["url"]).hostname for c in message.citations})
    elif message.role == Message.Role.AGENT:
        payload["html"] = render_markdown(message.text)
    if message.role == Message.Role.AGENT:
        payload["author"] = message.author_name or None
    if message.role == Message.Role.ASSISTANT:
        payload["state"] = (
            "generating"
            if message.is_generating
            else "failed"
            if message.finish_reason == Message.FinishReason.ERROR
            else "done"
        )
        payload["finish_reason"] = message.finish_reason or None
        payload["offers_person"] = message.offers_person
        # The help-center articles the reply drew on, shown as its sources.
        payload["citations"] = [{"title": c["title"], "url": c["url"]} for c in message.citations]
        payload["error"] = message.error or None
        payload["usage"] = {
            "prompt_tokens": message.prompt_tokens,
            "cached_tokens": message.cached_tokens,
            "completion_tokens": message.completion_tokens,
            "ttft_ms": message.ttft_ms,
            "total_ms": message.total_ms,
        }
    return payload


def error_frame(code: str, message: str, client_message_id: str | None = None, **extra: Any) -> str:
    # str(): a lazily translated message, in the socket's language (ChatConsumer.dispatch).
    frame = {"type": "error", "code": code, "message": str(message), **extra}
    if client_message_id is not None:
        frame["client_message_id"] = client_message_id
    return json.dumps(frame)


def pong_frame() -> str:
    return json.dumps({"type": "pong"})


def typing_frame(role: str, typing: bool) -> str:
    """Someone on the other side is typing: the visitor ("user") or an agent."""
    return json.dumps({"type": "typing", "role": role, "typing": typing})


def token_frame(message_id: int, index: int, text: str) -> str:
    return json.dumps({"type": "token", "message_id": message_id, "index": index, "text": text})


def reply_end_frame(message: Message) -> str:
    return json.dumps({"type": "reply.end", "message": message_payload(message)})

