"""A bot reply's lifecycle in the database: created generating (chat.turns), then finished once,
either by the worker that generated it or, when that worker died, as failed by whoever noticed."""

from __future__ import annotations

import uuid

from inference.types import Finished
from supportbot.chat.models import Message

WORKER_LOST = "The assistant was interrupted before it finished. Please send your message again."


def finish_reply(reply_id: int, outcome: Finished) -> Message | None:
    """Store the finished reply with its usage; None when it was already finished (declared
    lost while its worker was silent), which keeps the first outcome."""
    usage = outcome.usage
    updated = Message.objects.filter(pk=reply_id, finish_reason="").update(
        text=outcome.text,
        finish_reason=usage.finish_reason,
        error=usage.error,
        prompt_tokens=usage.prompt_tokens,
        cached_tokens=usage.cached_tokens,
        completion_tokens=usage.completion_tokens,
        ttft_ms=usage.ttft_ms,
        total_ms=usage.total_ms,
    )
    return Message.objects.get(pk=reply_id) if updated else None


def fail_reply(reply_id: int, error: str, text: str = "") -> Message | None:
    """Mark a reply that will never finish normally; None when it already finished."""
    updated = Message.objects.filter(pk=reply_id, finish_reason="").update(
        text=text, finish_reason=Message.FinishReason.ERROR, error=error
    )
    return Message.objects.get(pk=reply_id) if updated else None


def generating_replies(conversation_id: uuid.UUID | str) -> list[tuple[int, str]]:
    """(reply id, worker id) of the conversation's replies still being generated."""
    return list(
        Message.objects.filter(
            conversation_id=conversation_id, role=Message.Role.ASSISTANT, finish_reason=""
        ).values_list("id", "worker_id")
    )
