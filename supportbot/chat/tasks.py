"""Celery beat: removing uploads nobody sent (see upload_cleanup)."""

from __future__ import annotations

from celery import shared_task

from supportbot.chat import upload_cleanup


@shared_task(acks_late=True)
def remove_unsent_uploads() -> int:
    return upload_cleanup.remove_unsent_uploads()
