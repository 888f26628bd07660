"""Removing personal data: deleting conversations with their screenshot files, anonymising them,
and the retention period that does either to conversations nobody touched for long enough."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from supportbot.agents.models import Handoff, Note, Rating
from supportbot.chat.models import Attachment, Conversation, Message
from supportbot.chat.uploads import remove_unreferenced_files
from supportbot.events.models import Event
from supportbot.ops import audit
from supportbot.ops.models import AuditEntry

# An anonymised conversation belongs to nobody; this also marks it as done for the retention task.
ANONYMOUS_VISITOR = uuid.UUID(int=0)
# Event payload keys that may hold what a person wrote (escalation reasons, rating comments).
FREE_TEXT_KEYS = {"detail", "comment", "error", "text"}
# Conversations handled per transaction: bounded locks and memory on a large backlog.
BATCH = 500


def delete_conversations(conversations: QuerySet[Conversation]) -> int:
    """Delete the conversations with everything that hangs on them (messages, handoffs, events)
    and their image files; the files go once the rows are gone for good (after the commit),
    each unless an identical screenshot of another conversation still uses it."""
    deleted = 0
    for batch in _id_batches(conversations):
        with transaction.atomic():
            files = _attachment_files(batch)
            Event.objects.filter(conversation_id__in=batch).delete()
            Conversation.objects.filter(pk__in=batch).delete()
            transaction.on_commit(lambda files=files: remove_unreferenced_files(files))
        deleted += len(batch)
    return deleted


def anonymise_conversations(conversations: QuerySet[Conversation]) -> int:
    """Keep what the metrics need (roles, times, token usage, ratings) and drop what a person
    wrote or showed: message text, screenshots, notes, comments, and the link to the visitor."""
    anonymised = 0
    for batch in _id_batches(conversations):
        with transaction.atomic():
            files = _attachment_files(batch)
            Attachment.objects.filter(conversation_id__in=batch).delete()
            Message.objects.filter(conversation_id__in=batch).update(
                text="", error="", client_message_id=""
            )
            Note.objects.filter(conversation_id__in=batch).delete()
            Handoff.objects.filter(conversation_id__in=batch).update(detail="", summary="")
            Rating.objects.filter(handoff__conversation_id__in=batch).update(comment="")
            for event in Event.objects.filter(conversation_id__in=batch).only("data"):
                event.data = {key: value for key, value in event.data.items() if key not in FREE_TEXT_KEYS}
                event.save(update_fields=["data"])
            Conversation.objects.filter(pk__in=batch).update(
                visitor_id=ANONYMOUS_VISITOR, language="", visitor_email=""
            )
            transaction.on_commit(lambda files=files: remove_unreferenced_files(files))
        anonymised += len(batch)
    return anonymised


def apply_retention(now: datetime | None = None) -> int:
    """Delete or anonymise (SUPPORTBOT_RETENTION_MODE) conversations not updated for
    SUPPORTBOT_RETENTION_DAYS; returns how many. Idempotent: anonymised ones are not redone."""
    if settings.RETENTION_DAYS <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=settings.RETENTION_DAYS)
    expired = Conversation.objects.filter(updated_at__lt=cutoff)
    if settings.RETENTION_MODE == "anonymise":
        count = anonymise_conversations(expired.exclude(visitor_id=ANONYMOUS_VISITOR))
        action = AuditEntry.Action.ANONYMISE
    else:
        count = delete_conversations(expired)
        action = AuditEntry.Action.DELETE
    if count:
        audit.record(None, action, conversations=count, not_updated_since=cutoff.isoformat())
    return count


def _id_batches(conversations: QuerySet[Conversation]) -> list[list[uuid.UUID]]:
    """The ids up front: deleting rows under an open cursor over the same table is unsafe."""
    ids = list(conversations.values_list("id", flat=True))
    return [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]


def _attachment_files(conversation_ids: Iterable[uuid.UUID]) -> list[str]:
    return list(
        Attachment.objects.filter(conversation_id__in=conversation_ids).values_list("file", flat=True)
    )
