"""Who may read and write which conversation: the one place that decides it."""

from __future__ import annotations

import uuid

from django.http import HttpRequest

from supportbot.chat.models import Conversation


def visitor_conversation(
    conversation_id: uuid.UUID | str, visitor_id: uuid.UUID | None
) -> Conversation | None:
    """The conversation if this visitor owns it. A foreign one looks exactly like a missing one."""
    if visitor_id is None:
        return None
    try:
        conversation_uuid = uuid.UUID(str(conversation_id))
    except ValueError:
        return None
    return Conversation.objects.filter(pk=conversation_uuid, visitor_id=visitor_id).first()


def may_read_conversation(request: HttpRequest, conversation: Conversation) -> bool:
    """The owner may read; so may staff (the agent console of the escalation issue builds on this)."""
    if request.visitor_id is not None and conversation.visitor_id == request.visitor_id:
        return True
    return bool(request.user.is_authenticated and request.user.is_staff)
