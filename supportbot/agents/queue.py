"""What the console shows: the queue (pending / mine / all) and one conversation in full."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from supportbot.agents.assignment import available_agents
from supportbot.agents.models import CannedResponse, Handoff, Note, Team, display_name
from supportbot.chat.frames import message_payload
from supportbot.chat.models import Conversation

ALL_LIMIT = 100


def _row(handoff: Handoff) -> dict[str, Any]:
    return {
        "conversation_id": str(handoff.conversation_id),
        "status": handoff.conversation.status,
        "reason": handoff.reason,
        "team": handoff.team.name if handoff.team else None,
        "priority": handoff.priority,
        "owner": handoff.owner.get_username() if handoff.owner else None,
        "offered_to_me": False,
        "waiting_s": int((timezone.now() - handoff.created_at).total_seconds()),
        "summary": handoff.summary,
    }


def snapshot(user: Any) -> dict[str, Any]:
    """Pending handoffs (highest priority, then longest waiting, first), the agent's own, and
    every active one for supervisors."""
    active = Handoff.objects.filter(ended_at=None).select_related("conversation", "team", "owner")
    pending = [
        {**_row(h), "offered_to_me": h.offered_to_id == user.pk}
        for h in active.filter(owner=None).order_by("-priority", "created_at")
    ]
    mine = [_row(h) for h in active.filter(owner=user).order_by("created_at")]
    everyone = (
        [_row(h) for h in active.order_by("created_at")[:ALL_LIMIT]]
        if user.has_perm("agents.supervise")
        else []
    )
    return {
        "pending": pending,
        "mine": mine,
        "all": everyone,
        "counts": {"pending": len(pending), "mine": len(mine), "all": active.count()},
    }


def conversation_detail(conversation_id: uuid.UUID, user: Any) -> dict[str, Any] | None:
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return None
    handoff = Handoff.objects.filter(conversation=conversation).order_by("-created_at").first()
    messages = conversation.messages.prefetch_related("attachments")
    return {
        "conversation_id": str(conversation.id),
        "status": conversation.status,
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
