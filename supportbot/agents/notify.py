"""Telling people: frames to the visitor's chat sockets and the agents' console sockets, mail to
agents and supervisors (a Celery task, off the database thread). Everything here runs after the
transaction commits."""

from __future__ import annotations

import uuid
from typing import Any

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction

from supportbot.agents.labels import conversation_title, reason_in_words, shorten
from supportbot.chat.delivery import (
    CONSOLE_QUEUE_GROUP,
    console_agent_group,
    console_conversation_group,
    conversation_group,
    send_after_commit,
)
from supportbot.celery import OffThreadTask
from supportbot.chat.models import Conversation, Message

# How much of a visitor's message the console's alert quotes.
PREVIEW_CHARS = 140


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
    user_id: int,
    conversation_id: uuid.UUID | str,
    summary: str,
    transferred_by: str = "",
    reason: str = "",
) -> None:
    """Live push to the agent's console and a mail, both after commit. `transferred_by`: the
    agent who gave the conversation to this one, who owns it already (no claim needed). The
    console shows the offer until it is taken or declined, with a sound and a desktop alert."""
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    title = conversation_title(conversation) if conversation else str(conversation_id)
    send_after_commit(
        console_agent_group(user_id),
        {
            "type": "offer",
            "conversation_id": str(conversation_id),
            "title": title,
            "reason": reason or None,
            "reason_text": reason_in_words(reason) if reason else None,
            "summary": summary,
            "transferred_by": transferred_by or None,
        },
    )
    if transferred_by:
        subject = f"{transferred_by} transferred a conversation to you: {title}"
        body = f"{summary}\n\nIt is yours now: open the agent console."
    else:
        subject = f"A conversation is waiting for you: {title}"
        body = f"{summary}\n\nOpen the agent console to claim it."
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is not None and user.email:
        mail_after_commit(subject, body, [user.email])


def visitor_wrote(user_id: int, conversation: Conversation, message: Message) -> None:
    """The agent who owns (or is offered) the conversation hears of each visitor message, even
    while another conversation is on their screen: their console sounds and alerts."""
    send_after_commit(
        console_agent_group(user_id),
        {
            "type": "visitor.message",
            "conversation_id": str(conversation.id),
            "title": conversation_title(conversation),
            "message_id": message.id,
            "text": shorten(message.text, PREVIEW_CHARS) if message.text else "(a screenshot)",
            # The console says "(a screenshot)" in its agent's language (agents.console).
            "screenshot_only": not message.text,
        },
    )


def alert_supervisors(subject: str, body: str, extra_addresses: list[str]) -> None:
    supervisors = get_user_model().objects.filter(groups__name="supervisors", is_active=True)
    addresses = sorted({u.email for u in supervisors if u.email} | set(filter(None, extra_addresses)))
    if addresses:
        mail_after_commit(subject, body, addresses)


def mail_after_commit(subject: str, body: str, recipients: list[str]) -> None:
    """Queued once the transaction commits (a failure to queue is logged, the commit stands)."""
    transaction.on_commit(lambda: send_notification_mail.delay(subject, body, recipients), robust=True)


@shared_task(base=OffThreadTask, acks_late=True)
def send_notification_mail(subject: str, body: str, recipients: list[str]) -> int:
    """On the Celery worker, or a background thread in the embedded setup: an SMTP server that
    stops answering holds no chat socket, and is given up on after EMAIL_TIMEOUT."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
