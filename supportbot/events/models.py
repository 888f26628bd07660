"""The durable log of everything that happens in a conversation (an outbox): each Event is written
in the same transaction as the change it describes, then shipped by Celery."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Event(models.Model):
    class Kind(models.TextChoices):
        MESSAGE_IN = "message.in"
        MESSAGE_OUT = "message.out"
        UPLOAD = "upload"
        MODEL_ERROR = "model.error"
        ESCALATION = "escalation"
        ASSIGNMENT = "assignment"
        AGENT_ACTION = "agent.action"
        CSAT = "csat"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    conversation_id = models.UUIDField(null=True, blank=True, db_index=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # Empty until shipped; the sweep resends events whose task was never queued (broker down).
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(delivered_at__isnull=True),
                name="event_undelivered",
            ),
            models.Index(fields=["kind", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} event {self.id}"
