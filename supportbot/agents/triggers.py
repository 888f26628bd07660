"""When the bot should hand a conversation to a person. Each rule returns the reason and a short
detail for the record, or None. Pure reads: the handoff module acts on the answer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from supportbot.agents.models import Handoff, MessageFeedback, ModerationRule
from supportbot.chat.hooks import ReplyOutcome
from supportbot.chat.models import Conversation, Message

# Whole English words (so "agentic" or "humane" do not count) and Chinese phrases.
_ASK_FOR_HUMAN = re.compile(
    r"\b(human|humans|agent|real person|representative|operator|live person)\b"
    r"|转人工|人工客服|人工服务|真人|客服人员",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Trigger:
    reason: Handoff.Reason
    detail: str


def _normalized(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def asks_for_human(text: str) -> Trigger | None:
    found = _ASK_FOR_HUMAN.search(text)
    return Trigger(Handoff.Reason.USER_WORDS, f"asked for {found.group(0)!r}") if found else None


def abusive(text: str) -> Trigger | None:
    words = set(_normalized(text).split())
    for listed in settings.ESCALATION_ABUSE_WORDS:
        listed = listed.lower()
        # Chinese has no spaces between words: match listed CJK phrases as substrings.
        if listed in words or (not listed.isascii() and listed in text):
            return Trigger(Handoff.Reason.ABUSE, f"flagged word {listed!r}")
    return None


def moderated(text: str) -> Trigger | None:
    """The first active moderation rule (managed in the admin) whose pattern the text matches."""
    for rule in ModerationRule.objects.filter(active=True).order_by("id"):
        if re.search(rule.pattern, text, re.IGNORECASE):
            return Trigger(Handoff.Reason.MODERATION, f"moderation rule {rule.name!r}")
    return None


def repeated_question(text: str, earlier_questions: Sequence[str]) -> Trigger | None:
    """The same question (ignoring case and punctuation) N times in a row, this one included.
    `earlier_questions`: the visitor's earlier messages, oldest first."""
    needed = settings.ESCALATE_AFTER_REPEATS
    recent = earlier_questions[-(needed - 1) :] if needed > 1 else []
    question = _normalized(text)
    if question and len(recent) == needed - 1 and all(_normalized(t) == question for t in recent):
        return Trigger(Handoff.Reason.REPEATED_QUESTION, f"asked {needed} times: {text[:100]}")
    return None


def on_user_message(text: str, earlier_questions: Sequence[str]) -> Trigger | None:
    """Rules on a new visitor message, checked before it is stored (the repeat counts it)."""
    return (
        asks_for_human(text)
        or abusive(text)
        or moderated(text)
        or repeated_question(text, earlier_questions)
    )


def bot_gave_up(outcome: ReplyOutcome) -> Trigger | None:
    """The model ended its reply with the handoff marker its system prompt asks for when it cannot
    help (generation stops there, so the marker itself is never shown)."""
    if outcome.stop_string == settings.HANDOFF_MARKER:
        return Trigger(Handoff.Reason.BOT_HANDOFF_MARKER, "the bot said it cannot help")
    return None


def bot_unsure(outcome: ReplyOutcome) -> Trigger | None:
    """The reply's tokens had a mean log-probability under the configured threshold (off unless
    SUPPORTBOT_HANDOFF_MIN_MEAN_LOGPROB is set)."""
    threshold = settings.HANDOFF_MIN_MEAN_LOGPROB
    if threshold is None or outcome.mean_logprob is None or outcome.mean_logprob >= threshold:
        return None
    detail = f"mean token logprob {outcome.mean_logprob:.2f} < {threshold:g}"
    return Trigger(Handoff.Reason.LOW_CONFIDENCE, detail)


def on_bot_reply(conversation: Conversation, outcome: ReplyOutcome) -> Trigger | None:
    """Rules on a finished or failed bot reply. Only a web visitor's complete replies are judged
    on their content: API callers bring their own prompt, with no marker in it."""
    judged = conversation.source == Conversation.Source.WEB and outcome.finish_reason in ("stop", "length")
    return (judged and (bot_gave_up(outcome) or bot_unsure(outcome))) or bot_keeps_failing(conversation)


def bot_keeps_failing(conversation: Conversation) -> Trigger | None:
    needed = settings.ESCALATE_AFTER_BOT_FAILURES
    latest = list(
        conversation.messages.filter(role=Message.Role.ASSISTANT)
        .exclude(finish_reason="")
        .order_by("-id")
        .values_list("finish_reason", flat=True)[:needed]
    )
    failed = {Message.FinishReason.ERROR, Message.FinishReason.TIMEOUT}
    if len(latest) == needed and all(reason in failed for reason in latest):
        return Trigger(Handoff.Reason.BOT_FAILURES, f"{needed} failed replies in a row")
    return None


def replies_unhelpful(conversation: Conversation) -> Trigger | None:
    """The latest N bot replies that got feedback were all thumbs down."""
    needed = settings.ESCALATE_AFTER_THUMBS_DOWN
    latest = list(
        MessageFeedback.objects.filter(message__conversation=conversation)
        .order_by("-message_id")
        .values_list("helpful", flat=True)[:needed]
    )
    if len(latest) == needed and not any(latest):
        return Trigger(Handoff.Reason.THUMBS_DOWN, f"{needed} replies marked unhelpful in a row")
    return None
