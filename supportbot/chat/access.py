"""Who may read and write which conversation: the one place that decides it."""

from __future__ import annotations

import uuid

from django.http import HttpRequest

from supportbot.chat.models import Conversation


# Names a visitor's first conversation before it is stored (uuid5 of the signed visitor id).
FIRST_CONVERSATION_NAMESPACE = uuid.UUID("6f0c2a8e-3a57-4e1b-9d0f-5b7f1c2e8a41")


def first_conversation_id(visitor_id: uuid.UUID) -> uuid.UUID:
    """The id the chat page shows a visitor who has no conversation yet. Nothing is stored until
    the visitor connects or uploads, so page views (crawlers, probes) leave no rows."""
    return uuid.uuid5(FIRST_CONVERSATION_NAMESPACE, str(visitor_id))


def visitor_conversation(
    conversation_id: uuid.UUID | str, visitor_id: uuid.UUID | None, language: str = ""
) -> Conversation | None:
    """The conversation if this visitor owns it (their first one is stored on first use). A
    foreign one looks exactly like a missing one."""
    if visitor_id is None:
        return None
    try:
        conversation_uuid = uuid.UUID(str(conversation_id))
    except ValueError:
        return None
    if conversation_uuid == first_conversation_id(visitor_id):
        conversation, _ = Conversation.objects.get_or_create(
            pk=conversation_uuid, defaults={"visitor_id": visitor_id, "language": language}
        )
        return conversation if conversation.visitor_id == visitor_id else None
    return Conversation.objects.filter(pk=conversation_uuid, visitor_id=visitor_id).first()


def browser_language(accept_language: str) -> str:
    """The first language of an Accept-Language header (HTTP or the WebSocket handshake)."""
    first = accept_language.split(",")[0]
    return first.split(";")[0].strip()[:35]


def may_read_conversation(request: HttpRequest, conversation: Conversation) -> bool:
    """The owner may read; so may staff (the agent console of the escalation issue builds on this)."""
    if request.visitor_id is not None and conversation.visitor_id == request.visitor_id:
        return True
    return bool(request.user.is_authenticated and request.user.is_staff)
