"""Telling people: frames to the visitor's chat sockets and the agents' console sockets, mail to
agents and supervisors, signed webhooks. Everything here runs after the transaction commits."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction

from supportbot.chat.delivery import (
    CONSOLE_QUEUE_GROUP,
    console_agent_group,
    console_conversation_group,
    conversation_group,
    send_after_commit,
)


def to_visitor(conversation_id: uuid.UUID | str, frame: dict[str, Any]) -> None:
    send_after_commit(conversation_group(conversation_id), frame)


def to_console_viewers(conversation_id: uuid.UUID | str, frame: dict[str, Any]) -> None:
    send_after_commit(console_conversation_group(conversation_id), frame)


def queue_changed(conversation_id: uuid.UUID | str, status: str) -> None:
    send_after_commit(
        CONSOLE_QUEUE_GROUP,
        {"type": "queue.changed", "conversation_id": str(conversation_id), "status": status},
    )


def offer_to_agent(
    user_id: int, conversation_id: uuid.UUID | str, summary: str, transferred_by: str = ""
) -> None:
    """Live push to the agent's console and a mail, both after commit. `transferred_by`: the
    agent who gave the conversation to this one, who owns it already (no claim needed)."""
    send_after_commit(
        console_agent_group(user_id),
        {
            "type": "offer",
            "conversation_id": str(conversation_id),
            "summary": summary,
            "transferred_by": transferred_by or None,
        },
    )
    if transferred_by:
        subject = f"{transferred_by} transferred a conversation to you"
        body = f"{summary}\n\nIt is yours now: open the agent console."
    else:
        subject = "A conversation is waiting for you"
        body = f"{summary}\n\nOpen the agent console to claim it."
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is not None and user.email:
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=True),
            robust=True,
        )


def alert_supervisors(subject: str, body: str, extra_addresses: list[str]) -> None:
    supervisors = get_user_model().objects.filter(groups__name="supervisors", is_active=True)
    addresses = sorted({u.email for u in supervisors if u.email} | set(filter(None, extra_addresses)))
    if addresses:
        transaction.on_commit(
            lambda: send_mail(
                subject, body, settings.DEFAULT_FROM_EMAIL, addresses, fail_silently=True
            ),
            robust=True,
        )
