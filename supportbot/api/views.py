"""/v1 endpoints (async views under Daphne). Everything before the first streamed byte is answered
with an OpenAI-style error and status; failures after it arrive as an `error` event."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError

from supportbot.api import rate_limits
from supportbot.api.auth import authenticate
from supportbot.api.completions import CompletionCall, start_call
from supportbot.api.errors import ApiError, invalid
from supportbot.api.prompts import prepare_messages
from supportbot.api.responses import (
    FINISH_REASONS,
    chunk_body,
    completion_body,
    sse,
    usage_chunk_body,
)
from supportbot.api.specs import ChatCompletionSpec, first_error
from supportbot.inference_bridge import engine_client


@csrf_exempt
async def chat_completions(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return ApiError(405, "Use POST.", code="method_not_allowed").response()
    try:
        key = await authenticate(request)
        spec = _parse(request)
        model = _served_model(spec.model)
        await rate_limits.take_request(key)
        # Decoding images is CPU work: off the event loop.
        messages = await asyncio.to_thread(prepare_messages, spec)
        engine_client().prepare()
        call = await start_call(key, spec, model, messages)
        if spec.stream:
            response = StreamingHttpResponse(
                _event_stream(call, spec.include_usage), content_type="text/event-stream"
            )
            response["Cache-Control"] = "no-cache"
            response["X-Accel-Buffering"] = "no"  # nginx must pass events on as they come
            return response
        outcome = await call.finish()
    except ApiError as error:
        return error.response()
    if outcome.finish_reason == "error":
        return ApiError(500, outcome.error, error_type="server_error").response()
    return JsonResponse(completion_body(call.ids, outcome))


async def models(request: HttpRequest) -> HttpResponse:
    try:
        await authenticate(request)
    except ApiError as error:
        return error.response()
    data = [
        {"id": name, "object": "model", "created": 0, "owned_by": "supportbot"}
        for name in settings.API_MODEL_NAMES
    ]
    return JsonResponse({"object": "list", "data": data})


async def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    return ApiError(404, f"Unknown API path /v1/{rest}", code="unknown_url").response()


def _parse(request: HttpRequest) -> ChatCompletionSpec:
    limit = settings.API_MAX_BODY_BYTES
    declared = request.headers.get("Content-Length", "")
    if (declared.isdigit() and int(declared) > limit) or len(request.body) > limit:
        raise ApiError(
            413,
            f"The request body is larger than {limit // 1024} KiB.",
            code="request_too_large",
        )
    try:
        body = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise invalid("", "the request body is not valid JSON", code="invalid_json") from None
    try:
        return ChatCompletionSpec.model_validate(body)
    except ValidationError as invalid_body:
        param, message = first_error(invalid_body)
        raise invalid(param, message) from None


def _served_model(name: str) -> str:
    if name not in settings.API_MODEL_NAMES:
        raise ApiError(
            404,
            f"The model {name!r} does not exist; GET /v1/models lists the served ones.",
            code="model_not_found",
            param="model",
        )
    return name


async def _event_stream(call: CompletionCall, include_usage: bool) -> AsyncIterator[bytes]:
    """Role first, then content deltas, the finish reason, the usage if asked for, [DONE]."""
    yield sse(chunk_body(call.ids, {"role": "assistant", "content": ""}, None, include_usage))
    try:
        async for text in call.deltas():
            yield sse(chunk_body(call.ids, {"content": text}, None, include_usage))
    except ApiError as error:
        yield sse(error.payload())
        yield sse("[DONE]")
        return
    outcome = call.outcome
    assert outcome is not None
    if outcome.finish_reason == "error":
        yield sse(ApiError(500, outcome.error, error_type="server_error").payload())
    else:
        finish = FINISH_REASONS.get(outcome.finish_reason, "stop")
        last = chunk_body(call.ids, {}, finish, include_usage)
        if outcome.citations is not None:
            last["citations"] = outcome.citations
        yield sse(last)
        if include_usage:
            yield sse(usage_chunk_body(call.ids, outcome))
    yield sse("[DONE]")
