"""A validated request's messages, prepared for storage and the engine: text joined, images
(data URLs, or allowed http(s) URLs) decoded and checked, plus the two keys derived from them (worker affinity, result cache)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field

from django.conf import settings

from inference.vision import image_sha256
from supportbot.api.errors import invalid
from supportbot.api.remote_images import fetch_image_bytes
from supportbot.api.specs import ChatCompletionSpec, ImagePart, TextPart
from supportbot.lib.images import DecodedImage, ImageRejected, decode_image, image_pixels

DATA_URL = re.compile(r"data:(?P<type>[\w.+-]+/[\w.+-]+)?(?P<params>(;[^;,]*)*?);base64,(?P<data>.*)", re.S)


@dataclass
class PreparedMessage:
    role: str  # system, user or assistant
    text: str
    images: list[DecodedImage] = field(default_factory=list)
    image_hashes: list[str] = field(default_factory=list)


def prepare_messages(spec: ChatCompletionSpec) -> list[PreparedMessage]:
    """Raises ApiError (400) naming the field of the first problem. Images are counted, and their
    pixels added up from their headers, before any of them is decoded."""
    layout = []  # (role, texts, [(image part, its parameter path)]) per message
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
                images.append((part, f"{param}.image_url"))
        layout.append((role, texts, images))
    image_data = _checked_image_bytes([image for _, _, images in layout for image in images])
    prepared = []
    for role, texts, images in layout:
        decoded = [_decode(image_data[param], param) for _, param in images]
        prepared.append(PreparedMessage(role, "\n".join(texts), decoded, [image_sha256(i.image) for i in decoded]))
    last = prepared[-1]
    if last.role != "user":
        raise invalid("messages", "the last message must be a user message")
    if not last.text.strip() and not last.images:
        raise invalid(f"messages[{len(prepared) - 1}].content", "the last message is empty")
    return prepared


def _checked_image_bytes(parts: list[tuple[ImagePart, str]]) -> dict[str, bytes]:
    """Each image part's bytes by parameter path, once the request is within API_MAX_IMAGES and
    API_MAX_TOTAL_PIXELS (many small files can each hold a huge picture)."""
    if len(parts) > settings.API_MAX_IMAGES:
        raise invalid("messages", f"at most {settings.API_MAX_IMAGES} images per request", code="too_many_images")
    image_data, pixels = {}, 0
    for part, param in parts:
        url = part.image_url.url
        data = fetch_image_bytes(url, param) if url.startswith(("http://", "https://")) else _data_url_bytes(url, param)
        try:
            pixels += image_pixels(data)
        except ImageRejected as rejected:
            raise invalid(param, rejected.message, code="invalid_image") from None
        if pixels > settings.API_MAX_TOTAL_PIXELS:
            raise invalid(
                param,
                f"the images have more than {settings.API_MAX_TOTAL_PIXELS:,} pixels together",
                code="too_many_pixels",
            )
        image_data[param] = data
    return image_data


def _decode(data: bytes, param: str) -> DecodedImage:
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


def result_cache_key(api_key_id: uuid.UUID, model: str, messages: list[PreparedMessage], sampling: dict) -> str:
    """Identical deterministic requests of one API key get the same key; images count by their
    pixels' hash. Keys never share results: a hit would tell one caller what another asked."""
    content = {
        "api_key": str(api_key_id),
        "model": model,
        "messages": [[m.role, m.text, m.image_hashes] for m in messages],
        "sampling": sampling,
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    return f"api:result:{digest}"
