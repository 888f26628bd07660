"""How people see a conversation: named by its visitor and first question (never a UUID prefix),
and a handoff's reason and a conversation's status in words. Used by the console and by the admin
(ops). Translated where they are read (the agent's console socket, the admin page), never where a
handoff is made: the agents who see one conversation may each read another language."""

from __future__ import annotations

import uuid

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supportbot.agents.models import Handoff
from supportbot.chat.models import Conversation, Message

# Why a conversation came to people, as an agent would say it.
REASON_WORDS = {
    Handoff.Reason.USER_BUTTON: gettext_lazy("asked for a person"),
    Handoff.Reason.USER_WORDS: gettext_lazy("asked for a person in words"),
    Handoff.Reason.BOT_FAILURES: gettext_lazy("the bot failed twice"),
    Handoff.Reason.ABUSE: gettext_lazy("abusive words"),
    Handoff.Reason.REPEATED_QUESTION: gettext_lazy("asked the same question three times"),
    Handoff.Reason.THUMBS_DOWN: gettext_lazy("thumbs down twice"),
    Handoff.Reason.BOT_HANDOFF_MARKER: gettext_lazy("the bot said it cannot help"),
    Handoff.Reason.LOW_CONFIDENCE: gettext_lazy("the bot was unsure of its reply"),
    Handoff.Reason.MODERATION: gettext_lazy("a moderation rule flagged a message"),
    Handoff.Reason.NO_ANSWER: gettext_lazy("the help center had no answer"),
}
# A conversation's status as the console's badges show it.
STATUS_WORDS = {
    Conversation.Status.BOT: gettext_lazy("bot"),
    Conversation.Status.PENDING: gettext_lazy("pending"),
    Conversation.Status.OPEN: gettext_lazy("open"),
    Conversation.Status.RESOLVED: gettext_lazy("resolved"),
}
TITLE_QUESTION_CHARS = 60
NO_QUESTION = gettext_lazy("(no question yet)")
DELETED = gettext_lazy("Deleted conversation")
# A visitor message with a screenshot and no words, where its text is quoted.
SCREENSHOT_ONLY = gettext_lazy("(a screenshot)")


def reason_in_words(reason: str) -> str:
    return str(REASON_WORDS.get(reason, reason.replace("_", " ")))


def status_in_words(status: str) -> str:
    return str(STATUS_WORDS.get(status, status))


def shorten(text: str, limit: int) -> str:
    """One line, at most `limit` characters, an ellipsis where it was cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def visitor_label(
    visitor_id: uuid.UUID | str | None, source: str = Conversation.Source.WEB, email: str = "", name: str = ""
) -> str:
    """How agents name a visitor: the name a host site vouched for (supportbot.widget), with the
    email address; the email address they left to be answered at (agents.email_later); else a short label that stays the same for every conversation of one visitor (visitors are
    anonymous: a signed cookie, chat.identity); an API conversation's "visitor" is its API key."""
    if name:
        return f"{name} ({email})" if email else name
    if email:
        return email
    if visitor_id is None:
        return _("Unknown visitor")
    code = uuid.UUID(str(visitor_id)).hex[:6].upper()
    label = _("API caller %(code)s") if source == Conversation.Source.API else _("Visitor %(code)s")
    return label % {"code": code}


def title(visitor: str, first_question: str | None) -> str:
    return f"{visitor} · {shorten(first_question or str(NO_QUESTION), TITLE_QUESTION_CHARS)}"


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
    return title(visitor_of(conversation), first)


def visitor_of(conversation: Conversation) -> str:
    return visitor_label(
        conversation.visitor_id, conversation.source, conversation.visitor_email, conversation.visitor_name
    )


def with_titles(queryset: QuerySet, conversation_field: str = "pk") -> QuerySet:
    """Annotates `first_question`, `visitor_id_of`, `source_of`, `email_of` and `name_of` for
    conversation_title_of()."""
    conversations = Conversation.objects.filter(pk=OuterRef(conversation_field))
    return queryset.annotate(
        first_question=first_question_of(conversation_field),
        visitor_id_of=Subquery(conversations.values("visitor_id")[:1]),
        source_of=Subquery(conversations.values("source")[:1]),
        email_of=Subquery(conversations.values("visitor_email")[:1]),
        name_of=Subquery(conversations.values("visitor_name")[:1]),
    )


def conversation_title_of(row: object) -> str:
    """The title of a row annotated by with_titles() (a deleted conversation has no visitor)."""
    visitor = getattr(row, "visitor_id_of", None)
    if visitor is None:
        return str(DELETED)
    label = visitor_label(
        visitor,
        getattr(row, "source_of", "web"),
        getattr(row, "email_of", None) or "",
        getattr(row, "name_of", None) or "",
    )
    return title(label, getattr(row, "first_question", None))
