"""Unread visitor messages per agent: what the console counts in its title and on queue rows.

A visitor message is unread by an agent when it came after the handoff began (what the bot
already answered is history, summed up in the handoff's summary) and after the newest message the
agent has seen in that conversation (their ReadMark, moved when they open or read it)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from supportbot.agents.models import Handoff, ReadMark
from supportbot.chat.models import Message


def mark_read(user: Any, conversation_id: uuid.UUID | str) -> None:
    """The agent has seen every message of the conversation so far."""
    newest = (
        Message.objects.filter(conversation_id=conversation_id).order_by("-id").values_list("id", flat=True).first()
    )
    ReadMark.objects.update_or_create(
        user=user,
        conversation_id=conversation_id,
        defaults={"last_read_message_id": newest or 0, "read_at": timezone.now()},
    )


def with_unread(handoffs: QuerySet[Handoff], user: Any) -> QuerySet[Handoff]:
    """Annotates each handoff with `unread`: the visitor's messages since it began that `user`
    has not read. Two subqueries, so a queue of any length is one query."""
    read_up_to = ReadMark.objects.filter(user=user, conversation_id=OuterRef("conversation_id")).values(
        "last_read_message_id"
    )[:1]
    unread = (
        Message.objects.filter(
            conversation_id=OuterRef("conversation_id"),
            role=Message.Role.USER,
            created_at__gte=OuterRef("created_at"),
            id__gt=OuterRef("read_up_to"),
        )
        .order_by()
        .values("conversation_id")
        .annotate(count=Count("id"))
        .values("count")
    )
    return handoffs.annotate(
        read_up_to=Coalesce(Subquery(read_up_to), Value(0), output_field=IntegerField())
    ).annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))
