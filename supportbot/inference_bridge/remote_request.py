"""A GenerationRequest as the body of an OpenAI-compatible `/chat/completions` call (vLLM, SGLang,
llama.cpp's server), for the remote engine (remote_client.py).

The body is built the same way every turn, so that turn N's prompt starts with exactly turn N-1's
prompt and reply, and the server's prefix cache reuses the history: the messages in order, each
screenshot as the same bytes (a stored file, sent as it is) or the same OCR text (cached by pixel
hash) every time. Stop strings are not sent: the client finds them in the streamed text
(remote_reply.py), which tells which one ended the reply (the handoff marker) on every server.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image

from inference.ocr import read_text, screenshot_texts
from inference.types import ChatMessage, GenerationRequest
from supportbot.inference_bridge.client import ImageFile, decoded_image


def chat_body(
    request: GenerationRequest, model: str, vision: bool, affinity: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The streamed request body (blocking: reads screenshots, and OCRs them for text-only
    models). `affinity` goes as `user`, which session-affine routers and servers key on; `extra`:
    server-specific fields added to every body."""
    sampling = request.sampling
    body: dict[str, Any] = {
        "model": model,
        "messages": [_message(m, vision) for m in request.messages],
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": sampling.max_new_tokens,
        "temperature": sampling.temperature,
        "top_p": sampling.top_p,
        "frequency_penalty": sampling.frequency_penalty,
        "presence_penalty": sampling.presence_penalty,
        # The mean log-probability of a reply hands uncertain answers to people (agents.triggers).
        "logprobs": True,
        "user": affinity,
        # SupportBot answers without a reasoning preamble (the in-house engine renders GLM's
        # turns with thinking off too); templates without the switch ignore it.
        "chat_template_kwargs": {"enable_thinking": False},
    }
    if sampling.seed is not None:
        body["seed"] = sampling.seed
    # vLLM's and SGLang's extensions to the OpenAI body; other servers ignore what they lack.
    if sampling.repetition_penalty is not None:
        body["repetition_penalty"] = sampling.repetition_penalty
    if sampling.ignore_eos:
        body["ignore_eos"] = True
    return {**body, **(extra or {})}


def _message(message: ChatMessage, vision: bool) -> dict[str, Any]:
    if not message.images:
        return {"role": message.role, "content": message.text}
    if not vision:
        return {"role": message.role, "content": ocr_preamble(message.images) + message.text}
    parts: list[dict[str, Any]] = [{"type": "image_url", "image_url": {"url": _data_url(i)}} for i in message.images]
    parts.append({"type": "text", "text": message.text})
    return {"role": message.role, "content": parts}


def ocr_preamble(images: list[ImageFile | Image.Image]) -> str:
    """Each screenshot's text ahead of the message, as the in-house engine shows it to text-only
    models."""
    return screenshot_texts([read_text(_decoded(image)) for image in images])


def _decoded(image: ImageFile | Image.Image) -> Image.Image:
    return decoded_image(image.path) if isinstance(image, ImageFile) else image


def _data_url(image: ImageFile | Image.Image) -> str:
    """A stored screenshot's own bytes (checked and re-encoded on upload: PNG or JPEG), identical
    every turn; an image given in memory (an API call's) as PNG."""
    if isinstance(image, ImageFile):
        with open(image.path, "rb") as stored:
            data = stored.read()
        with Image.open(io.BytesIO(data)) as opened:
            mime = Image.MIME.get(opened.format or "", "image/png")
    else:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        data, mime = buffer.getvalue(), "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"
