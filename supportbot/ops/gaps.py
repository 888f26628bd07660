"""Content gaps: what visitors asked that the help center did not answer (no passage was found
for the question) or answered badly (its reply got a thumbs down), grouped by wording so the team
sees which articles to write first."""

from __future__ import annotations

from dataclasses import dataclass, field

from supportbot.agents.models import MessageFeedback
from supportbot.chat.models import Conversation, Message
from supportbot.knowledge.tokens import tokens
from supportbot.ops.stats import Period

# The newest questions considered: grouping compares each with the groups so far.
MAX_QUESTIONS = 2000
# Two questions are one gap when their word sets overlap at least this much (Jaccard).
SAME_GAP = 0.5


@dataclass
class Gap:
    question: str  # the first one asked, as an example
    conversation_id: str  # where that example was asked
    unanswered: int = 0  # no help-center passage was found
    unhelpful: int = 0  # the reply got a thumbs down
    message_ids: list[int] = field(default_factory=list)
    words: frozenset[str] = frozenset()

    @property
    def count(self) -> int:
        return self.unanswered + self.unhelpful


def content_gaps(period: Period) -> list[Gap]:
    """Most asked first."""
    asked = Message.objects.filter(
        role=Message.Role.USER,
        conversation__source=Conversation.Source.WEB,
        created_at__gte=period.since,
        created_at__lt=period.until,
    ).exclude(text="")
    fields = ("id", "text", "conversation_id")
    unanswered = list(asked.filter(context="").order_by("-id").values_list(*fields)[:MAX_QUESTIONS])
    groups: list[Gap] = []
    for question in unanswered:
        _group(groups, *question).unanswered += 1
    for question in _questions_of_unhelpful_replies(asked):
        _group(groups, *question).unhelpful += 1
    return sorted(groups, key=lambda gap: (-gap.count, gap.question))


def _questions_of_unhelpful_replies(asked) -> list[tuple[int, str, str]]:  # noqa: ANN001 (a QuerySet)
    """The visitor's message each thumbs-down reply answered (the one just before it)."""
    replies = MessageFeedback.objects.filter(helpful=False).values_list("message__conversation_id", "message_id")
    questions = []
    for conversation_id, reply_id in replies[:MAX_QUESTIONS]:
        question = asked.filter(conversation_id=conversation_id, id__lt=reply_id).order_by("-id").first()
        if question is not None:
            questions.append((question.id, question.text, question.conversation_id))
    return questions


def _group(groups: list[Gap], message_id: int, text: str, conversation_id: str) -> Gap:
    words = frozenset(tokens(text))
    best = max(groups, key=lambda gap: _overlap(gap.words, words), default=None)
    if best is None or _overlap(best.words, words) < SAME_GAP:
        best = Gap(question=text, conversation_id=str(conversation_id), words=words)
        groups.append(best)
    best.message_ids.append(message_id)
    return best


def _overlap(first: frozenset[str], second: frozenset[str]) -> float:
    union = first | second
    return len(first & second) / len(union) if union else 1.0
