"""Shipping events: each one is written to the `supportbot.events.shipped` log as a JSON line (the
feed a log pipeline collects) and marked delivered. At-least-once: an event is shipped twice only
if its process died between the two steps.

With a broker, each event's commit queues deliver_event and beat's sweep catches up on any whose
task never ran. The embedded setup queues nothing while its in-process beat
(supportbot.embedded_beat) runs the sweep every second, so a burst of turns ships in one
transaction instead of one each; with that beat turned off, each event's task runs eagerly.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from supportbot.events.models import Event

shipped_log = logging.getLogger("supportbot.events.shipped")

# How many events one sweep ships; the next sweep takes the rest.
SWEEP_BATCH = 500


def ship_events(event_ids: Iterable[int]) -> int:
    """Ship those of these events not delivered yet, in one transaction; returns how many."""
    with transaction.atomic():
        events = list(
            Event.objects.select_for_update()
            .filter(pk__in=list(event_ids), delivered_at=None)
            .order_by("id")
        )
        for event in events:
            shipped_log.info(
                json.dumps(
                    {
                        "id": event.id,
                        "kind": event.kind,
                        "conversation_id": str(event.conversation_id or ""),
                        "created_at": event.created_at.isoformat(),
                        "data": event.data,
                    },
                    ensure_ascii=False,
                )
            )
        Event.objects.filter(pk__in=[event.id for event in events]).update(
            delivered_at=timezone.now(), delivery_attempts=F("delivery_attempts") + 1
        )
    return len(events)


@shared_task(
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def deliver_event(event_id: int) -> bool:
    """Ship one event; False when it was already delivered (a duplicate task), which is fine."""
    return ship_events([event_id]) == 1


@shared_task(acks_late=True)
def ship_undelivered_events() -> int:
    """Beat: ship events older than the grace period that are still undelivered (with a broker:
    those whose own task never ran; embedded: all of them)."""
    older_than = timezone.now() - timedelta(seconds=settings.EVENT_SWEEP_GRACE_S)
    event_ids = Event.objects.filter(delivered_at=None, created_at__lte=older_than).values_list(
        "id", flat=True
    )[:SWEEP_BATCH]
    return ship_events(event_ids)
