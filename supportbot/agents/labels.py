"""How people see a conversation: named by its visitor and first question (never a UUID prefix),
and a handoff's reason in words. Used by the console and by the admin (ops)."""

from __future__ import annotations

import uuid

from django.db.models import OuterRef, QuerySet, Subquery

from supportbot.agents.models import Handoff
from supportbot.chat.models import Conversation, Message

# Why a conversation came to people, as an agent would say it.
REASON_WORDS = {
    Handoff.Reason.USER_BUTTON: "asked for a person",
    Handoff.Reason.USER_WORDS: "asked for a person in words",
    Handoff.Reason.BOT_FAILURES: "the bot failed twice",
    Handoff.Reason.ABUSE: "abusive words",
    Handoff.Reason.REPEATED_QUESTION: "asked the same question three times",
    Handoff.Reason.THUMBS_DOWN: "thumbs down twice",
    Handoff.Reason.BOT_HANDOFF_MARKER: "the bot said it cannot help",
    Handoff.Reason.LOW_CONFIDENCE: "the bot was unsure of its reply",
    Handoff.Reason.MODERATION: "a moderation rule flagged a message",
    Handoff.Reason.NO_ANSWER: "the help center had no answer",
}
TITLE_QUESTION_CHARS = 60
NO_QUESTION = "(no question yet)"
DELETED = "Deleted conversation"


def reason_in_words(reason: str) -> str:
    return REASON_WORDS.get(reason, reason.replace("_", " "))


def shorten(text: str, limit: int) -> str:
    """One line, at most `limit` characters, an ellipsis where it was cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def visitor_label(
    visitor_id: uuid.UUID | str | None, source: str = Conversation.Source.WEB, email: str = ""
) -> str:
    """How agents name a visitor: the email address they left to be answered at (agents.email_later),
    else a short label that stays the same for every conversation of one visitor (visitors are
    anonymous: a signed cookie, chat.identity); an API conversation's "visitor" is its API key."""
    if email:
        return email
    if visitor_id is None:
        return "Unknown visitor"
    code = uuid.UUID(str(visitor_id)).hex[:6].upper()
    return f"API caller {code}" if source == Conversation.Source.API else f"Visitor {code}"


def title(visitor: str, first_question: str | None) -> str:
    return f"{visitor} · {shorten(first_question or NO_QUESTION, TITLE_QUESTION_CHARS)}"


def first_question_of(conversation_field: str = "pk") -> Subquery:
    """The text of the visitor's first message with words, for annotating any queryset whose
    `conversation_field` is a conversation's id."""
    return Subquery(
        Message.objects.filter(conversation_id=OuterRef(conversation_field), role=Message.Role.USER)
        .exclude(text="")
        .order_by("id")
        .values("text")[:1]
    )


def conversation_title(conversation: Conversation) -> str:
    first = (
        conversation.messages.filter(role=Message.Role.USER).exclude(text="").order_by("id")
        .values_list("text", flat=True).first()
    )
    return title(visitor_label(conversation.visitor_id, conversation.source, conversation.visitor_email), first)


def with_titles(queryset: QuerySet, conversation_field: str = "pk") -> QuerySet:
    """Annotates `first_question`, `visitor_id_of`, `source_of` and `email_of` for
    conversation_title_of()."""
    conversations = Conversation.objects.filter(pk=OuterRef(conversation_field))
    return queryset.annotate(
        first_question=first_question_of(conversation_field),
        visitor_id_of=Subquery(conversations.values("visitor_id")[:1]),
        source_of=Subquery(conversations.values("source")[:1]),
        email_of=Subquery(conversations.values("visitor_email")[:1]),
    )


def conversation_title_of(row: object) -> str:
    """The title of a row annotated by with_titles() (a deleted conversation has no visitor)."""
    visitor = getattr(row, "visitor_id_of", None)
    if visitor is None:
        return DELETED
    label = visitor_label(visitor, getattr(row, "source_of", "web"), getattr(row, "email_of", None) or "")
    return title(label, getattr(row, "first_question", None))
