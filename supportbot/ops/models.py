"""What ops adds to the data: an audit log of who looked at or changed the conversation logs,
and escalations as a read-only log view of the agents' handoffs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from supportbot.agents.models import Handoff


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "Viewed a transcript"
        EXPORT = "export", "Exported"
        STATUS = "status", "Changed status"
        DELETE = "delete", "Deleted"
        ANONYMISE = "anonymise", "Anonymised"

    # Empty for the retention task, which acts on its own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Kept as text so that the entry still names the person after their account is deleted.
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    # Not a foreign key: the entry must outlive the conversation it records deleting.
    conversation_id = models.UUIDField(null=True, blank=True, db_index=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"
        ordering = ["-created_at", "-id"]
        permissions = [
            ("export_logs", "Can export conversation logs"),
            ("view_dashboard", "Can see the metrics dashboard"),
        ]

    def __str__(self) -> str:
        return f"{self.username or 'system'} {self.action} {self.created_at:%Y-%m-%d %H:%M}"


class Escalation(Handoff):
    """A handoff as the log reviewer sees it: filtered by trigger, team, agent and rating."""

    class Meta:
        proxy = True
