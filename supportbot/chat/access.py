"""Who may read and write which conversation: the one place that decides it."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from supportbot.chat import address_limits
from supportbot.chat.hooks import people_rules
from supportbot.chat.models import Conversation


# Names a visitor's first conversation before it is stored (uuid5 of the signed visitor id).
FIRST_CONVERSATION_NAMESPACE = uuid.UUID("6f0c2a8e-3a57-4e1b-9d0f-5b7f1c2e8a41")


def first_conversation_id(visitor_id: uuid.UUID) -> uuid.UUID:
    """The id the chat page shows a visitor who has no conversation yet. Nothing is stored until
    the visitor connects or uploads, so page views (crawlers, probes) leave no rows."""
    return uuid.uuid5(FIRST_CONVERSATION_NAMESPACE, str(visitor_id))


class TooManyNewConversations(Exception):
    """The visitor's address started NEW_CONVERSATIONS_PER_ADDRESS_PER_MINUTE conversations
    this minute; nothing was stored."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many new conversations from this address; retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s


def admit_new(kind: str, address: str | None) -> None:
    """Count one new visitor's `kind` ("conversations" stored, "visitor-ids" handed out) against
    the per-address limit: a new cookie is free, so only the address bounds them. Raises
    TooManyNewConversations past the limit."""
    retry_after = address_limits.take(kind, address, settings.NEW_CONVERSATIONS_PER_ADDRESS_PER_MINUTE)
    if retry_after is not None:
        raise TooManyNewConversations(retry_after)


def visitor_conversation(
    conversation_id: uuid.UUID | str, visitor_id: uuid.UUID | None, language: str = "", address: str | None = None
) -> Conversation | None:
    """The conversation if this visitor owns it (their first one is stored on first use, counted
    against `address`'s limit: see admit_new). A foreign one looks exactly like a missing
    one."""
    if visitor_id is None:
        return None
    try:
        conversation_uuid = uuid.UUID(str(conversation_id))
    except ValueError:
        return None
    if conversation_uuid == first_conversation_id(visitor_id):
        conversation = Conversation.objects.filter(pk=conversation_uuid).first()
        if conversation is None:
            admit_new("conversations", address)
            conversation, _ = Conversation.objects.get_or_create(
                pk=conversation_uuid, defaults={"visitor_id": visitor_id, "language": language}
            )
        return conversation if conversation.visitor_id == visitor_id else None
    return Conversation.objects.filter(pk=conversation_uuid, visitor_id=visitor_id).first()


def browser_language(accept_language: str) -> str:
    """The first language of an Accept-Language header (HTTP or the WebSocket handshake)."""
    first = accept_language.split(",")[0]
    return first.split(";")[0].strip()[:35]


def visitor_owns(request: HttpRequest, conversation: Conversation) -> bool:
    return request.visitor_id is not None and conversation.visitor_id == request.visitor_id


# Ops read every transcript in the admin (which audits each read), screenshots included.
TRANSCRIPT_READER_PERMISSIONS = ("chat.view_attachment", "chat.view_conversation")


def staff_may_read(user: Any, conversation: Conversation) -> bool:
    """Ops, and the console users whom the console's rule lets view this conversation (an agent
    of another team does not, even with the screenshot's URL)."""
    if not (user.is_authenticated and user.is_staff):
        return False
    if any(user.has_perm(permission) for permission in TRANSCRIPT_READER_PERMISSIONS):
        return True
    return user.has_perm("agents.use_console") and people_rules().console_may_view(user, conversation)
