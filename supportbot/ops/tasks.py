"""Celery beat: the retention period (see privacy.apply_retention)."""

from __future__ import annotations

from celery import shared_task

from supportbot.ops.privacy import apply_retention


@shared_task(acks_late=True)
def enforce_retention() -> int:
    return apply_retention()
