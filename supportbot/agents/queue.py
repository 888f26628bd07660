"""What the console shows: the queue (pending / mine / all; each row titled by its visitor and
first question, with its last message, unread count and reason in words) and one conversation in
full. Only what the agent may view (agents.access): other teams' conversations are not even
counted. Built for one console socket at a time, so its words are in that agent's language
(ConsoleConsumer.dispatch); the codes beside them (status, reason, role) stay the same in every
language."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from supportbot.agents import access
from supportbot.agents.assignment import availability, available_agents
from supportbot.agents.labels import (
    NO_QUESTION,
    SCREENSHOT_ONLY,
    TITLE_QUESTION_CHARS,
    conversation_title,
    first_question_of,
    reason_in_words,
    shorten,
    status_in_words,
    title,
    visitor_of,
)
from supportbot.agents.models import CannedResponse, Handoff, Note, Team, display_name
from supportbot.agents.unread import with_unread
from supportbot.chat.frames import message_payload
from supportbot.chat.models import Conversation, Message

ALL_LIMIT = 100
# How much of the last message a queue row shows.
LAST_MESSAGE_CHARS = 90
ROLE_WORDS = {
    "user": gettext_lazy("Visitor"),
    "assistant": gettext_lazy("Bot"),
    "agent": gettext_lazy("Agent"),
    "system": "",
}


def _last_message() -> QuerySet[Message]:
    """The newest visitor, bot or agent message (system notices say nothing about the problem)."""
    return Message.objects.filter(conversation_id=OuterRef("conversation_id")).exclude(role=Message.Role.SYSTEM)


def _rows(user: Any) -> QuerySet[Handoff]:
    latest = _last_message().order_by("-id")
    visible = access.visible_handoffs(Handoff.objects.filter(ended_at=None), user)
    return with_unread(visible.select_related("conversation", "team", "owner"), user).annotate(
        first_question=first_question_of("conversation_id"),
        last_text=Subquery(latest.values("text")[:1]),
        last_role=Subquery(latest.values("role")[:1]),
    )


def _row(handoff: Handoff, user: Any) -> dict[str, Any]:
    conversation = handoff.conversation
    visitor = visitor_of(conversation)
    last_text = shorten(handoff.last_text, LAST_MESSAGE_CHARS) if handoff.last_text else ""
    if handoff.last_role == Message.Role.USER and not last_text:
        last_text = str(SCREENSHOT_ONLY)
    return {
        "conversation_id": str(handoff.conversation_id),
        "status": conversation.status,
        "status_text": status_in_words(conversation.status),
        "visitor": visitor,
        "title": title(visitor, handoff.first_question),
        "question": shorten(handoff.first_question or str(NO_QUESTION), TITLE_QUESTION_CHARS),
        "last_message": (
            {"role": handoff.last_role, "who": str(ROLE_WORDS[handoff.last_role]), "text": last_text}
            if handoff.last_role
            else None
        ),
        "unread": handoff.unread,
        "reason": handoff.reason,
        "reason_text": reason_in_words(handoff.reason),
        "team": handoff.team.name if handoff.team else None,
        "priority": handoff.priority,
        "owner": handoff.owner.get_username() if handoff.owner else None,
        "offered_to_me": handoff.owner_id is None and handoff.offered_to_id == user.pk,
        "waiting_s": int((timezone.now() - handoff.created_at).total_seconds()),
        "summary": handoff.summary,
    }


def snapshot(user: Any) -> dict[str, Any]:
    """Pending handoffs the agent may view (highest priority, then longest waiting, first), the
    agent's own, and every active one for supervisors; with whether offers can reach this agent."""
    active = _rows(user)
    pending = [_row(h, user) for h in active.filter(owner=None).order_by("-priority", "created_at")]
    mine = [_row(h, user) for h in active.filter(owner=user).order_by("created_at")]
    everyone = (
        [_row(h, user) for h in active.order_by("created_at")[:ALL_LIMIT]]
        if user.has_perm("agents.supervise")
        else []
    )
    return {
        "pending": pending,
        "mine": mine,
        "all": everyone,
        "counts": {"pending": len(pending), "mine": len(mine), "all": active.count()},
        "availability": availability(user),
    }


def conversation_detail(conversation_id: uuid.UUID, user: Any) -> dict[str, Any] | None:
    """None when there is no such conversation or the agent may not view it (agents.access)."""
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None or not access.may_view(user, conversation):
        return None
    handoff = Handoff.objects.filter(conversation=conversation).order_by("-created_at").first()
    messages = conversation.messages.prefetch_related("attachments")
    return {
        "conversation_id": str(conversation.id),
        "title": conversation_title(conversation),
        "visitor": visitor_of(conversation),
        # The visitor asked to be answered by email too: each reply is mailed (agents.email_later).
        "visitor_email": conversation.visitor_email or None,
        "reason_text": reason_in_words(handoff.reason) if handoff else None,
        "status": conversation.status,
        "status_text": status_in_words(conversation.status),
        "summary": handoff.summary if handoff else "",
        "owner": handoff.owner.get_username() if handoff and handoff.owner else None,
        "messages": [message_payload(m) for m in messages],
        "notes": [
            {"author": n.author.get_username(), "text": n.text}
            for n in Note.objects.filter(conversation=conversation).select_related("author")
        ],
        "canned": [{"title": c.title, "text": c.text} for c in CannedResponse.objects.order_by("title")],
        # Where the agent may transfer it: named agents who are online with room, or a team.
        "transfer_agents": [
            {"id": p.user_id, "name": display_name(p.user), "team": p.team.name}
            for p in available_agents(exclude_user_ids=[user.pk])
        ],
        "teams": [{"id": t.id, "name": t.name} for t in Team.objects.order_by("name")],
    }
