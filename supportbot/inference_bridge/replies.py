"""A bot reply's lifecycle in the database: created generating (chat.turns) and assigned to a
worker; finished once, by that worker; handed to another worker, or failed, when it died.

Every write is conditional on the reply still generating and, for a worker, on still being
assigned to it, so a worker that was declared dead but comes back cannot overwrite anything."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F

from inference.types import Finished, Usage
from supportbot.agents.handoff import after_bot_reply
from supportbot.chat.models import Message
from supportbot.events.log import record_event
from supportbot.events.models import Event

HANDING_OVER = "I cannot help with this myself; let me bring in a person."
WORKER_LOST = "The assistant was interrupted before it finished. Please send your message again."
# A reply whose worker dies is handed to another worker at most this many times in all.
MAX_GENERATION_ATTEMPTS = 3


def _generating(reply_id: int, worker_id: str | None = None):  # noqa: ANN202 (a QuerySet)
    replies = Message.objects.filter(pk=reply_id, finish_reason="")
    return replies if worker_id is None else replies.filter(worker_id=worker_id)


def finish_reply(reply_id: int, worker_id: str, outcome: Finished) -> Message | None:
    """Store the finished reply with its usage and its event; None when it is no longer this
    worker's. Failing replies in a row hand the conversation to people."""
    usage = outcome.usage
    with transaction.atomic():
        reply = _finish(reply_id, worker_id, outcome)
        if reply is not None:
            record_event(
                Event.Kind.MODEL_ERROR if usage.error else Event.Kind.MESSAGE_OUT,
                reply.conversation_id,
                message=reply.id,
                mean_logprob=usage.mean_logprob,  # for calibrating HANDOFF_MIN_MEAN_LOGPROB
                **_usage_fields(usage),
            )
            after_bot_reply(reply.conversation_id, usage)
    return reply


def _usage_fields(usage: Usage) -> dict[str, Any]:
    """The engine's usage, as stored on the reply and in its event (same names in both)."""
    names = ("finish_reason", "error", "prompt_tokens", "cached_tokens", "completion_tokens", "ttft_ms", "total_ms")
    return {name: getattr(usage, name) for name in names}


def _finish(reply_id: int, worker_id: str, outcome: Finished) -> Message | None:
    text = outcome.text
    if not text.strip() and outcome.usage.stop_string == settings.HANDOFF_MARKER:
        text = HANDING_OVER  # the marker alone: say something rather than show an empty reply
    updated = _generating(reply_id, worker_id).update(text=text, **_usage_fields(outcome.usage))
    return Message.objects.get(pk=reply_id) if updated else None


def fail_reply(
    reply_id: int, error: str, text: str = "", worker_id: str | None = None
) -> Message | None:
    """Mark a reply that will never finish normally; None when it already finished (or, given a
    worker, is no longer that worker's)."""
    with transaction.atomic():
        updated = _generating(reply_id, worker_id).update(
            text=text, finish_reason=Message.FinishReason.ERROR, error=error
        )
        if not updated:
            return None
        reply = Message.objects.get(pk=reply_id)
        record_event(Event.Kind.MODEL_ERROR, reply.conversation_id, message=reply.id, error=error)
        after_bot_reply(reply.conversation_id, Usage(finish_reason="error", error=error))
    return reply


def reassign_reply(reply_id: int, lost_worker_id: str, new_worker_id: str) -> bool:
    """Hand a reply of a dead worker to another; False when someone else already settled it."""
    return bool(
        _generating(reply_id, lost_worker_id)
        .filter(generation_attempts__lt=MAX_GENERATION_ATTEMPTS)
        .update(worker_id=new_worker_id, generation_attempts=F("generation_attempts") + 1)
    )


def generating_replies(conversation_id: uuid.UUID | str) -> list[tuple[int, str]]:
    """(reply id, worker id) of the conversation's replies still being generated."""
    return list(
        Message.objects.filter(
            conversation_id=conversation_id, role=Message.Role.ASSISTANT, finish_reason=""
        ).values_list("id", "worker_id")
    )


def finished_replies(reply_ids: set[int]) -> list[Message]:
    """Those of these replies that are no longer generating."""
    return list(Message.objects.filter(pk__in=reply_ids).exclude(finish_reason="").order_by("id"))
