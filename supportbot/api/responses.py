"""Response bodies in OpenAI's shapes: chat.completion, chat.completion.chunk, Server-Sent Events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# The engine's reasons beyond stop and length (cancelled, timeout) have no OpenAI counterpart;
# the reply simply ended early.
FINISH_REASONS = {"stop": "stop", "length": "length"}


@dataclass
class Outcome:
    text: str
    finish_reason: str  # the engine's: stop, length, cancelled, timeout, error
    error: str
    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int
    # The help-center articles the reply drew on ({title, url}), when the call asked for them.
    citations: list[dict[str, str]] | None = None


@dataclass
class CompletionIds:
    id: str  # chatcmpl-<the stored conversation's id>, to find the call in the logs
    created: int
    model: str


def usage_body(outcome: Outcome) -> dict[str, Any]:
    return {
        "prompt_tokens": outcome.prompt_tokens,
        "completion_tokens": outcome.completion_tokens,
        "total_tokens": outcome.prompt_tokens + outcome.completion_tokens,
        "prompt_tokens_details": {"cached_tokens": outcome.cached_tokens},
    }


def completion_body(ids: CompletionIds, outcome: Outcome) -> dict[str, Any]:
    return {
        "id": ids.id,
        "object": "chat.completion",
        "created": ids.created,
        "model": ids.model,
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": outcome.text, "refusal": None},
                "logprobs": None,
                "finish_reason": FINISH_REASONS.get(outcome.finish_reason, "stop"),
            }
        ],
        "usage": usage_body(outcome),
        **({"citations": outcome.citations} if outcome.citations is not None else {}),
    }


def chunk_body(
    ids: CompletionIds,
    delta: dict[str, str],
    finish_reason: str | None = None,
    with_usage_field: bool = False,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": ids.id,
        "object": "chat.completion.chunk",
        "created": ids.created,
        "model": ids.model,
        "system_fingerprint": None,
        "choices": [
            {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        ],
    }
    if with_usage_field:
        body["usage"] = None  # as OpenAI does when include_usage is on: only the last chunk has it
    return body


def usage_chunk_body(ids: CompletionIds, outcome: Outcome) -> dict[str, Any]:
    return {
        "id": ids.id,
        "object": "chat.completion.chunk",
        "created": ids.created,
        "model": ids.model,
        "system_fingerprint": None,
        "choices": [],
        "usage": usage_body(outcome),
    }


def sse(body: dict[str, Any] | str) -> bytes:
    data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return f"data: {data}\n\n".encode()
