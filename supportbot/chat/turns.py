"""A visitor's turn as plain database work: accept a message (idempotently), list what a client
missed. Synchronous on purpose: the consumer calls these through database_sync_to_async and tests
call them directly."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from supportbot.chat import replies
from supportbot.chat.frames import SendFrame, message_payload
from supportbot.chat.grounding import NOTHING, Grounding
from supportbot.chat.hooks import people_rules
from supportbot.chat.models import Attachment, Conversation, Message
from supportbot.events.log import record_event
from supportbot.events.models import Event


class TurnRejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ReplyInProgress(TurnRejected):
    """Refused because a bot reply is still generating (or its process died unnoticed so far)."""

    def __init__(self) -> None:
        super().__init__("busy", _("Please wait until the current reply has finished."))


@dataclass
class AcceptedTurn:
    # The bot reply row, generating until the worker finishes it; None while people own the
    # conversation (or this message handed it to them).
    reply: Message | None
    duplicate: bool  # a resend of an already accepted message: nothing new was started
    ack: dict[str, Any]  # the "ack" frame for the client
    user_message_id: int
    # The conversation's stored messages before this one, when asked for (empty for a duplicate):
    # what an early started reply must have assumed (replies.EarlyStart).
    history_ids: tuple[int, ...] = ()


def _accepted(
    user_message: Message,
    reply: Message | None,
    duplicate: bool,
    attachments: list[Attachment] | None = None,
    history_ids: tuple[int, ...] = (),
) -> AcceptedTurn:
    ack = {
        "type": "ack",
        "client_message_id": user_message.client_message_id,
        "duplicate": duplicate,
        "message": message_payload(user_message, attachments),
        "reply": message_payload(reply) if reply is not None else None,
    }
    return AcceptedTurn(reply, duplicate, ack, user_message.id, history_ids)


def accept_user_turn(
    conversation_id: uuid.UUID,
    frame: SendFrame,
    with_history: bool = False,
    grounding: Grounding = NOTHING,
    language: str = "",
) -> AcceptedTurn:
    """Store the visitor's message and its bot reply (generating), atomically.
    `with_history`: also say which messages came before it (AcceptedTurn.history_ids).
    `grounding`: what the help center says about it, stored with the message and its reply.
    `language`: the visitor's (their page's), which the bot is told to answer in.

    No reply when people own the conversation, or when this message hands it to them.
    A resend with a known client_message_id returns the stored pair instead of a new one.
    """
    # The rules that read only the text run first: a slow one must not hold the write lock.
    judged = people_rules().judge_text(frame.text.strip())
    try:
        return _accept_user_turn(conversation_id, frame, with_history, grounding, language, judged)
    except IntegrityError:
        # Two connections raced with the same client_message_id; the other one stored it.
        duplicate = _find_duplicate(conversation_id, frame.client_message_id)
        if duplicate is None:
            raise
        return duplicate


def _accept_user_turn(
    conversation_id: uuid.UUID,
    frame: SendFrame,
    with_history: bool,
    grounding: Grounding,
    language: str,
    judged: Any,
) -> AcceptedTurn:
    with transaction.atomic():
        # Row lock on PostgreSQL (SQLite's IMMEDIATE transactions already serialize writers), so
        # the checks below hold until the new rows are committed.
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        # One read of the conversation's messages answers every check below (a query each was a
        # good part of the time a turn held the database thread).
        stored = list(
            conversation.messages.order_by("id").values_list(
                "id", "role", "finish_reason", "client_message_id", "text", named=True
            )
        )
        if any(message.client_message_id == frame.client_message_id for message in stored):
            duplicate = _find_duplicate(conversation_id, frame.client_message_id)
            assert duplicate is not None
            return duplicate
        text = frame.text.strip()
        attachment_ids = set(frame.attachment_ids)
        if not text and not attachment_ids:
            raise TurnRejected("empty_message", _("Write a message or attach an image."))
        if any(message.role == Message.Role.ASSISTANT and not message.finish_reason for message in stored):
            raise ReplyInProgress()
        attachments = list(
            Attachment.objects.filter(
                conversation=conversation, id__in=attachment_ids, message__isnull=True
            )
            if attachment_ids
            else []
        )
        if len(attachments) != len(attachment_ids):
            raise TurnRejected(
                "attachment_not_found",
                _("An attached image was not found in this conversation (or was already sent)."),
            )
        history_ids = tuple(message.id for message in stored) if with_history else ()
        earlier_questions = [message.text for message in stored if message.role == Message.Role.USER]
        user_message = Message.objects.create(
            conversation=conversation,
            role=Message.Role.USER,
            text=text,
            context=grounding.context,
            language=language,
            client_message_id=frame.client_message_id,
        )
        if attachments:
            Attachment.objects.filter(id__in=attachment_ids).update(message=user_message)
        record_event(
            Event.Kind.MESSAGE_IN, conversation.id, message=user_message.id, images=len(attachments)
        )
        if not people_rules().on_visitor_message(conversation, user_message, earlier_questions, judged):
            conversation.save(update_fields=["updated_at"])
            return _accepted(user_message, None, duplicate=False, attachments=attachments)
        if grounding.unanswered:
            reply = replies.create_no_answer(conversation, grounding.lang)
        else:
            reply = replies.create_generating(conversation, grounding.citations, grounding.opening)
        conversation.save(update_fields=["updated_at"])
    return _accepted(user_message, reply, duplicate=False, attachments=attachments, history_ids=history_ids)


def _find_duplicate(conversation_id: uuid.UUID, client_message_id: str) -> AcceptedTurn | None:
    user_message = Message.objects.filter(
        conversation_id=conversation_id, client_message_id=client_message_id
    ).first()
    if user_message is None:
        return None
    # The reply that answered it: the next message, when that is the bot's.
    next_message = Message.objects.filter(
        conversation_id=conversation_id, id__gt=user_message.id
    ).first()
    reply = next_message if next_message and next_message.role == Message.Role.ASSISTANT else None
    return _accepted(user_message, reply, duplicate=True)


def missed_messages(
    conversation_id: uuid.UUID, last_message_id: int | None
) -> list[dict[str, Any]]:
    """Every message after `last_message_id` (all of them for None), generating replies included;
    a bot reply with the visitor's thumbs on it says which (`feedback`: true or false)."""
    messages = Message.objects.filter(conversation_id=conversation_id).prefetch_related(
        "attachments"
    )
    if last_message_id is not None:
        messages = messages.filter(id__gt=last_message_id)
    feedback = people_rules().feedback_given(conversation_id)
    payloads = [message_payload(message) for message in messages]
    for payload in payloads:
        if payload["id"] in feedback:
            payload["feedback"] = feedback[payload["id"]]
    return payloads
