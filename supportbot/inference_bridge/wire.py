"""Requests and events as JSON, for their trip through Redis between a client and a worker."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
from typing import Any

from PIL import Image

from inference.types import (
    ChatMessage,
    Event,
    Finished,
    GenerationRequest,
    InvalidRequest,
    SamplingParams,
    TokenDelta,
    Usage,
)
from supportbot.inference_bridge.client import ImageFile


def _image_to_json(image: ImageFile | Image.Image) -> dict[str, str]:
    if isinstance(image, ImageFile):
        return {"path": image.path}  # the worker reads the shared media volume
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return {"png": base64.b64encode(buffer.getvalue()).decode()}


def _image_from_json(data: dict[str, str]) -> ImageFile | Image.Image:
    if "path" in data:
        return ImageFile(data["path"])
    with Image.open(io.BytesIO(base64.b64decode(data["png"]))) as image:
        return image.convert("RGB")


def request_to_json(request: GenerationRequest) -> str:
    return json.dumps(
        {
            "session_id": request.session_id,
            "request_id": request.request_id,
            "timeout_s": request.timeout_s,
            "sampling": dataclasses.asdict(request.sampling),
            "messages": [
                {"role": m.role, "text": m.text, "images": [_image_to_json(i) for i in m.images]}
                for m in request.messages
            ],
        }
    )


def request_from_json(text: str) -> GenerationRequest:
    data = json.loads(text)
    return GenerationRequest(
        session_id=data["session_id"],
        messages=[
            ChatMessage(m["role"], m["text"], images=[_image_from_json(i) for i in m["images"]])
            for m in data["messages"]
        ],
        sampling=SamplingParams(**data["sampling"]),
        timeout_s=data["timeout_s"],
        request_id=data["request_id"],
    )


def event_to_json(event: Event | InvalidRequest, model: str = "") -> str:
    """`model`: the model that generated it, sent with the Finished event."""
    if isinstance(event, TokenDelta):
        return json.dumps({"t": event.text, "id": event.token_id})
    if isinstance(event, InvalidRequest):  # refused before it started: raised to the caller
        return json.dumps({"invalid": str(event)})
    usage = dataclasses.asdict(event.usage)
    return json.dumps({"text": event.text, "usage": usage, "logprobs": event.logprobs, "model": model})


def event_from_json(text: str) -> tuple[Event, str]:
    """The event, and the model that generated it ("" until the Finished event)."""
    data: dict[str, Any] = json.loads(text)
    if "t" in data:
        return TokenDelta(data["t"], data["id"]), ""
    if "invalid" in data:
        raise InvalidRequest(data["invalid"])
    return Finished(data["text"], Usage(**data["usage"]), data["logprobs"]), data["model"]
