"""When the bot should hand a conversation to a person. Each rule returns the reason and a short
detail for the record, or None. Pure reads: the handoff module acts on the answer."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import regex
from django.conf import settings

from supportbot.agents import intent
from supportbot.agents.models import Handoff, MessageFeedback, ModerationRule
from supportbot.chat.hooks import ReplyOutcome
from supportbot.chat.models import Conversation, Message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Trigger:
    reason: Handoff.Reason
    detail: str
    priority: int = 0  # 1: the visitor is upset (agents take it first)


def _normalized(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _intent(text: str) -> intent.Intent | None:
    """The message's intents (agents/intent.py), or None if the model cannot answer: a chat turn
    never fails for it (logged, and the other rules still run)."""
    try:
        return intent.classify(text)
    except Exception:
        log.exception("intent model failed; no intent-based handoff for this message")
        return None


def asks_for_human(text: str) -> Trigger | None:
    """The visitor asks for a person in any wording ("can someone from your team call me",
    "让客服联系我"), by the intent model, not by listed words."""
    found = _intent(text)
    if found is None or not found.wants_person:
        return None
    return Trigger(Handoff.Reason.USER_WORDS, f"asked for a person (intent {found.person_score:.2f})")


def is_upset(text: str) -> bool:
    """The visitor sounds angry or is complaining (threatens to leave, a chargeback)."""
    found = _intent(text)
    return bool(found and found.upset)


def abusive(text: str) -> Trigger | None:
    words = set(_normalized(text).split())
    for listed in settings.ESCALATION_ABUSE_WORDS:
        listed = listed.lower()
        # Chinese has no spaces between words: match listed CJK phrases as substrings.
        if listed in words or (not listed.isascii() and listed in text):
            return Trigger(Handoff.Reason.ABUSE, f"flagged word {listed!r}")
    return None


def moderated(text: str) -> Trigger | None:
    """The first active moderation rule (managed in the admin) whose pattern the text matches.
    Supervisors write the patterns: each match may take MODERATION_MATCH_TIMEOUT_S at most, and a
    pattern that backtracks past it (a nested quantifier on the wrong text) is skipped with a
    warning instead of stalling the turn."""
    limit = settings.MODERATION_MATCH_TIMEOUT_S
    for rule in ModerationRule.objects.filter(active=True).order_by("id"):
        try:
            found = regex.search(rule.pattern, text, regex.IGNORECASE, timeout=limit)
        except TimeoutError:
            log.warning(
                "moderation rule %r took over %s s on a message and was skipped: simplify its pattern",
                rule.name,
                limit,
            )
            continue
        except regex.error:
            log.warning("moderation rule %r has a pattern that is not a regular expression", rule.name)
            continue
        if found:
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


@dataclass(frozen=True)
class TextJudgement:
    """What the rules that read only a message's text found. Worked out before the turn's write
    transaction (chat.turns): the moderation patterns and the intent model take time, and on
    SQLite that transaction holds the database's one write lock."""

    trigger: Trigger | None
    upset: bool


def judge_text(text: str) -> TextJudgement:
    trigger = asks_for_human(text) or abusive(text) or moderated(text)
    return TextJudgement(trigger, is_upset(text))


def on_user_message(
    text: str, earlier_questions: Sequence[str], judged: TextJudgement | None = None
) -> Trigger | None:
    """Rules on a new visitor message, checked before it is stored (the repeat counts it). An
    upset visitor's handoff goes ahead of the others in the queue. `judged`: judge_text(text),
    when the caller worked it out already."""
    judged = judged or judge_text(text)
    trigger = judged.trigger or repeated_question(text, earlier_questions)
    return replace(trigger, priority=1) if trigger is not None and judged.upset else trigger


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
