"""Shipping events: each one is written to the `supportbot.events.shipped` log as a JSON line (the
feed a log pipeline collects) and marked delivered. At-least-once: a redelivered task ships an
event it already shipped only if the worker died between the two steps."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from supportbot.events.models import Event

shipped_log = logging.getLogger("supportbot.events.shipped")

# How many events one sweep resends; the next sweep takes the rest.
SWEEP_BATCH = 500


@shared_task(
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def deliver_event(event_id: int) -> bool:
    """Ship one event; False when it was already delivered (a duplicate task), which is fine."""
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(pk=event_id, delivered_at=None).first()
        if event is None:
            return False
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
        Event.objects.filter(pk=event.id).update(
            delivered_at=timezone.now(), delivery_attempts=F("delivery_attempts") + 1
        )
    return True


@shared_task(acks_late=True)
def resend_undelivered_events() -> int:
    """Beat: queue events whose own task never ran (the broker was down at commit time)."""
    older_than = timezone.now() - timedelta(seconds=settings.EVENT_SWEEP_GRACE_S)
    event_ids = list(
        Event.objects.filter(delivered_at=None, created_at__lt=older_than).values_list(
            "id", flat=True
        )[:SWEEP_BATCH]
    )
    for event_id in event_ids:
        deliver_event.delay(event_id)
    return len(event_ids)
