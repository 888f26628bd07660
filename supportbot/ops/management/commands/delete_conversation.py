"""manage.py delete_conversation ID [ID ...]: a visitor's request to erase their conversations."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supportbot.chat.models import Conversation
from supportbot.ops import audit
from supportbot.ops.models import AuditEntry
from supportbot.ops.privacy import delete_conversations


class Command(BaseCommand):
    help = "Delete conversations with their messages, events and screenshot files (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("conversation_ids", nargs="+", type=uuid.UUID)
        parser.add_argument("--reason", default="erasure request", help="kept in the audit log")

    def handle(self, *args: Any, conversation_ids: list[uuid.UUID], reason: str, **options: Any) -> None:
        found = set(Conversation.objects.filter(pk__in=conversation_ids).values_list("pk", flat=True))
        missing = [str(conversation_id) for conversation_id in conversation_ids if conversation_id not in found]
        if missing:
            raise CommandError(f"no such conversation: {', '.join(missing)}")
        delete_conversations(Conversation.objects.filter(pk__in=found))
        for conversation_id in found:
            audit.record(None, AuditEntry.Action.DELETE, conversation_id, by="command", reason=reason)
        self.stdout.write(f"Deleted {len(found)} conversation(s) and their files.")
