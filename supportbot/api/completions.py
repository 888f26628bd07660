"""One /v1/chat/completions call: stored as an API conversation, generated as a bot reply
(chat.replies, on the engine that most likely caches its prefix) whose tokens stream straight to
the caller, or answered from the result cache.

Each call is its own stored Conversation (source = api) holding the messages the client sent and
the reply with its usage. The engine gets it sessionless (chat.transcript.reply_request), so a call
that extends an earlier one reuses that one's cached prefix.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from supportbot.api import rate_limits
from supportbot.api.errors import ApiError, invalid
from supportbot.api.models import ApiCall, ApiKey
from supportbot.api.prompts import PreparedMessage, affinity_key, result_cache_key
from supportbot.api.responses import CompletionIds, Outcome
from supportbot.api.specs import ChatCompletionSpec
from supportbot.chat.models import Conversation, Message
from supportbot.chat import replies
from supportbot.chat.grounding import NOTHING, Grounding, ground_turn
from supportbot.chat.replies import reply_runner
from supportbot.chat.uploads import store_image
from supportbot.inference_bridge import engine_client
from supportbot.inference_bridge.client import NO_WORKER
from supportbot.lib.images import ImageRejected

log = logging.getLogger(__name__)

ROLES = {"system": Message.Role.SYSTEM, "user": Message.Role.USER, "assistant": Message.Role.ASSISTANT}


def sampling_of(spec: ChatCompletionSpec) -> dict[str, Any]:
    """SamplingParams fields, as plain values (they may travel to a worker through Redis)."""
    max_tokens = spec.max_completion_tokens or spec.max_tokens or settings.SUPPORTBOT_MAX_NEW_TOKENS
    if max_tokens > settings.API_MAX_TOKENS:
        raise ApiError(
            400, f"max_tokens: at most {settings.API_MAX_TOKENS}", code="invalid_value", param="max_tokens"
        )
    return {
        "temperature": spec.temperature,
        "top_p": spec.top_p,
        "max_new_tokens": max_tokens,
        "seed": spec.seed,
        "stop": spec.stop_sequences,
        "frequency_penalty": spec.frequency_penalty,
        "presence_penalty": spec.presence_penalty,
    }


class CompletionCall:
    """A call under way; iterate `deltas()` once, after which `outcome` is set."""

    def __init__(
        self, key: ApiKey, ids: CompletionIds, cache_key: str | None, with_citations: bool = False
    ) -> None:
        self.key = key
        self.ids = ids
        self.cache_key = cache_key  # where to keep the result (deterministic calls only)
        self.with_citations = with_citations  # the caller asked for the help center's articles
        self.outcome: Outcome | None = None
        # While generating: the reply's tokens as they come, and the reply itself (chat.replies).
        self._tokens: asyncio.Queue[str] = asyncio.Queue()
        self._reply: asyncio.Task[Message | None] | None = None
        self._reply_id = 0

    async def deltas(self) -> AsyncIterator[str]:
        if self._reply is None:  # answered from the result cache
            assert self.outcome is not None
            yield self.outcome.text
            return
        while not (self._reply.done() and self._tokens.empty()):
            token = asyncio.ensure_future(self._tokens.get())
            await asyncio.wait({token, self._reply}, return_when=asyncio.FIRST_COMPLETED)
            if token.done():
                yield token.result()
            else:
                token.cancel()
        # Ended by this process, or (its lease lapsed meanwhile) by another one.
        reply = self._reply.result() or await database_sync_to_async(Message.objects.get)(pk=self._reply_id)
        if reply.is_generating:
            raise ApiError(500, "The reply ended without a result.", error_type="server_error")
        self.outcome = _outcome_of(reply, self.with_citations)
        await self._account()
        if self.cache_key and self.outcome.finish_reason in ("stop", "length"):
            await cache.aset(self.cache_key, self.outcome.__dict__, settings.API_RESULT_CACHE_TTL_S)

    async def finish(self) -> Outcome:
        async for _ in self.deltas():
            pass
        assert self.outcome is not None
        return self.outcome

    async def _account(self) -> None:
        outcome = self.outcome
        assert outcome is not None
        await rate_limits.count_tokens(self.key, outcome.prompt_tokens + outcome.completion_tokens)
        await database_sync_to_async(self.key.add_usage)(
            outcome.prompt_tokens, outcome.cached_tokens, outcome.completion_tokens
        )


async def start_call(
    key: ApiKey, spec: ChatCompletionSpec, model: str, messages: list[PreparedMessage]
) -> CompletionCall:
    sampling = sampling_of(spec)
    # Streaming calls skip the result cache: see docs/api.md.
    deterministic = (
        spec.temperature == 0 and not spec.stream and not spec.citations and settings.API_RESULT_CACHE_TTL_S > 0
    )
    cache_key = result_cache_key(key.pk, model, messages, sampling) if deterministic else None
    if cache_key:
        cached = await cache.aget(cache_key)
        if cached is not None:
            return await _answer_from_cache(key, spec, model, messages, Outcome(**cached))

    if not await engine_client().available():
        raise ApiError(503, NO_WORKER, error_type="server_error", code="no_worker")
    grounding = await ground_turn(_last_question(messages)) if spec.citations else NOTHING
    conversation_id, reply_id = await database_sync_to_async(_store_call)(
        key, messages, spec.stream, None, grounding
    )
    call = CompletionCall(key, _ids(conversation_id, model), cache_key, with_citations=spec.citations)

    async def on_delta(index: int, text: str) -> None:
        call._tokens.put_nowait(text)

    call._reply_id = reply_id
    # Run by the reply runner: stored in full even if the caller hangs up.
    call._reply = reply_runner().start(
        conversation_id, reply_id, sampling=sampling, on_delta=on_delta, affinity=affinity_key(messages)
    )
    return call


async def _answer_from_cache(
    key: ApiKey, spec: ChatCompletionSpec, model: str, messages: list[PreparedMessage], cached: Outcome
) -> CompletionCall:
    # Nothing was computed: the whole prompt counts as cached.
    outcome = Outcome(**{**cached.__dict__, "cached_tokens": cached.prompt_tokens})
    conversation_id, _ = await database_sync_to_async(_store_call)(key, messages, spec.stream, outcome)
    log.info("API call %s answered from the result cache", conversation_id)
    call = CompletionCall(key, _ids(conversation_id, model), None)
    call.outcome = outcome
    await call._account()
    return call


def _ids(conversation_id: uuid.UUID, model: str) -> CompletionIds:
    return CompletionIds(f"chatcmpl-{conversation_id.hex}", int(time.time()), model)


def _last_question(messages: list[PreparedMessage]) -> str:
    return next((m.text for m in reversed(messages) if m.role == "user"), "")


def _store_call(
    key: ApiKey,
    messages: list[PreparedMessage],
    stream: bool,
    cached: Outcome | None,
    grounding: Grounding = NOTHING,
) -> tuple[uuid.UUID, int]:
    """The call as a conversation: the client's messages (the last question with the help-center
    passages found for it, when asked), then the reply (generating, or already finished from the
    result cache). Returns (conversation id, reply id)."""
    last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=-1)
    with transaction.atomic():
        conversation = Conversation.objects.create(visitor_id=key.pk, source=Conversation.Source.API)
        for index, prepared in enumerate(messages):
            message = Message.objects.create(
                conversation=conversation,
                role=ROLES[prepared.role],
                text=prepared.text,
                context=grounding.context if index == last_user else "",
                # Assistant turns the client sent are finished replies, not ones being generated.
                finish_reason=Message.FinishReason.STOP if prepared.role == "assistant" else "",
            )
            for image in prepared.images:
                try:
                    store_image(conversation, image, message)
                except ImageRejected as rejected:  # too large once stored
                    raise invalid(f"messages[{index}].content", rejected.message, code="invalid_image") from None
        finished = {}
        if cached is not None:
            finished = {
                "text": cached.text,
                "finish_reason": cached.finish_reason,
                "prompt_tokens": cached.prompt_tokens,
                "cached_tokens": cached.cached_tokens,
                "completion_tokens": cached.completion_tokens,
                "ttft_ms": 0.0,
                "total_ms": 0.0,
            }
        if cached is None:
            # Sources only: an API caller gets the model's words, not the chat page's quote.
            sources = [{"article_id": c["article_id"], "title": c["title"], "url": c["url"]} for c in grounding.citations]
            reply = replies.create_generating(conversation, sources)
        else:
            reply = Message.objects.create(conversation=conversation, role=Message.Role.ASSISTANT, **finished)
        ApiCall.objects.create(
            api_key=key, conversation=conversation, stream=stream, from_result_cache=cached is not None
        )
    return conversation.id, reply.id


def _outcome_of(reply: Message, with_citations: bool) -> Outcome:
    return Outcome(
        text=reply.text,
        finish_reason=reply.finish_reason or "error",
        error=reply.error,
        prompt_tokens=reply.prompt_tokens or 0,
        cached_tokens=reply.cached_tokens or 0,
        completion_tokens=reply.completion_tokens or 0,
        citations=[{"title": c["title"], "url": c["url"]} for c in reply.citations] if with_citations else None,
    )
