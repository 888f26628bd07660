"""Writing events: call record_event inside the transaction of the change it describes."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction

from supportbot.events.models import Event
from supportbot.lib.redaction import scrub

log = logging.getLogger(__name__)


def record_event(
    kind: Event.Kind | str, conversation_id: uuid.UUID | str | None = None, **data: Any
) -> Event:
    """Store an event with the surrounding transaction and queue its shipping once that commits.

    Queuing may fail (broker down): the commit stands and the beat sweep ships the event later.
    Not when the embedded setup's in-process beat runs: that ships events in batches.
    Personal data in the payload is redacted before it is stored (SUPPORTBOT_REDACT_PII).
    """
    event = Event.objects.create(
        kind=kind,
        conversation_id=conversation_id,
        data=scrub(data),
    )
    if not settings.EMBEDDED_BEAT:
        transaction.on_commit(lambda: _queue_delivery(event.id), robust=True)
    return event


def _queue_delivery(event_id: int) -> None:
    from supportbot.events.tasks import deliver_event

    try:
        deliver_event.delay(event_id)
    except Exception as error:  # kombu raises its own and socket errors; the sweep catches up
        log.warning("event %s stays queued for the sweep: %s", event_id, error)
