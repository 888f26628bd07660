"""A validated request's messages, prepared for storage and the engine: text joined, images
(data URLs, or allowed http(s) URLs) decoded and checked, plus the two keys derived from them (worker affinity, result cache)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass, field

from inference.vision import image_sha256
from supportbot.api.errors import invalid
from supportbot.api.remote_images import fetch_image_bytes
from supportbot.api.specs import ChatCompletionSpec, ImagePart, TextPart
from supportbot.lib.images import DecodedImage, ImageRejected, decode_image

DATA_URL = re.compile(r"data:(?P<type>[\w.+-]+/[\w.+-]+)?(?P<params>(;[^;,]*)*?);base64,(?P<data>.*)", re.S)


@dataclass
class PreparedMessage:
    role: str  # system, user or assistant
    text: str
    images: list[DecodedImage] = field(default_factory=list)
    image_hashes: list[str] = field(default_factory=list)


def prepare_messages(spec: ChatCompletionSpec) -> list[PreparedMessage]:
    """Raises ApiError (400) naming the field of the first problem."""
    prepared = []
    for index, message in enumerate(spec.messages):
        role = "system" if message.role == "developer" else message.role
        texts, images = [], []
        for part_index, part in enumerate(message.parts):
            param = f"messages[{index}].content[{part_index}]"
            if isinstance(part, TextPart):
                texts.append(part.text)
            elif role != "user":
                raise invalid(param, "only user messages may contain images")
            else:
                images.append(_decode_image_part(part, f"{param}.image_url"))
        prepared.append(
            PreparedMessage(
                role, "\n".join(texts), images, [image_sha256(i.image) for i in images]
            )
        )
    last = prepared[-1]
    if last.role != "user":
        raise invalid("messages", "the last message must be a user message")
    if not last.text.strip() and not last.images:
        raise invalid(f"messages[{len(prepared) - 1}].content", "the last message is empty")
    return prepared


def _decode_image_part(part: ImagePart, param: str) -> DecodedImage:
    url = part.image_url.url
    if url.startswith(("http://", "https://")):
        data = fetch_image_bytes(url, param)
    else:
        data = _data_url_bytes(url, param)
    try:
        return decode_image(data)
    except ImageRejected as rejected:
        raise invalid(param, rejected.message, code="invalid_image") from None


def _data_url_bytes(url: str, param: str) -> bytes:
    match = DATA_URL.fullmatch(url)
    if match is None:
        raise invalid(param, "expected a base64 data URL (data:image/png;base64,...) or an allowed http(s) URL")
    try:
        return base64.b64decode(match["data"].strip(), validate=True)
    except (binascii.Error, ValueError):
        raise invalid(param, "the data URL's payload is not valid base64") from None


def affinity_key(messages: list[PreparedMessage]) -> str:
    """The same for every call of one conversation (its system prompt and first user message), so
    that they are routed to the worker whose cache holds the conversation."""
    start = []
    for message in messages:
        start.append([message.role, message.text, message.image_hashes])
        if message.role == "user":
            break
    return "api:" + hashlib.sha256(json.dumps(start).encode()).hexdigest()


def result_cache_key(model: str, messages: list[PreparedMessage], sampling: dict) -> str:
    """Identical deterministic requests get the same key; images count by their pixels' hash."""
    content = {
        "model": model,
        "messages": [[m.role, m.text, m.image_hashes] for m in messages],
        "sampling": sampling,
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    return f"api:result:{digest}"
