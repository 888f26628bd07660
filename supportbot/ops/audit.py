"""Writing the audit log: who viewed a transcript, exported, changed a status or deleted."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models.signals import post_save
from django.dispatch import receiver

from supportbot.events.models import Event
from supportbot.ops.models import AuditEntry

# Console actions (agents.handoff) that move a conversation to another status.
STATUS_ACTIONS = {"claim", "transfer", "resolve", "hand_back", "reopen"}
# An agent opening a conversation in the console (agents.console) reads its transcript.
VIEW_ACTIONS = {"open"}


def record(
    user: AbstractBaseUser | AnonymousUser | None,
    action: AuditEntry.Action,
    conversation_id: uuid.UUID | str | None = None,
    **detail: Any,
) -> AuditEntry:
    person = user if user is not None and user.is_authenticated else None
    return AuditEntry.objects.create(
        user=person,
        username=person.get_username() if person else "",
        action=action,
        conversation_id=conversation_id,
        detail=detail,
    )


@receiver(post_save, sender=Event, dispatch_uid="ops.audit.status_changes")
def audit_console_status_change(sender: type[Event], instance: Event, created: bool, **_: Any) -> None:
    """The console's claim/resolve/... and its opening of a conversation write an agent.action
    event naming the agent; the audit entry is written in the same transaction."""
    data = instance.data
    if not created or instance.kind != Event.Kind.AGENT_ACTION:
        return
    action = data.get("action")
    if action not in STATUS_ACTIONS and action not in VIEW_ACTIONS:
        return
    agent = get_user_model().objects.filter(pk=data.get("agent")).first()
    if action in VIEW_ACTIONS:
        record(agent, AuditEntry.Action.VIEW, instance.conversation_id, by="console")
    else:
        record(agent, AuditEntry.Action.STATUS, instance.conversation_id, change=action)
