"""The note an agent reads when a conversation is handed over. Extractive on purpose: it is
written inside the escalation's transaction, where waiting seconds for the model is not an
option, and it cannot make anything up."""

from __future__ import annotations

from supportbot.agents.labels import reason_in_words
from supportbot.agents.triggers import Trigger
from supportbot.chat.models import Conversation, Message

QUOTE_CHARS = 200


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def summarize(conversation: Conversation, trigger: Trigger) -> str:
    messages = list(conversation.messages.order_by("id"))
    asked = [m for m in messages if m.role == Message.Role.USER and m.text]
    replies = [m for m in messages if m.role == Message.Role.ASSISTANT]
    failed = sum(m.finish_reason == Message.FinishReason.ERROR for m in replies)
    screenshots = conversation.attachments.exclude(message=None).count()
    lines = [f"Handed over ({reason_in_words(trigger.reason)}): {trigger.detail}."]
    if asked:
        lines.append(f"First question: {_quote(asked[0].text)}")
    if len(asked) > 1:
        lines.append(f"Latest message: {_quote(asked[-1].text)}")
    if replies:
        last = replies[-1]
        lines.append(f"Last bot reply: {_quote(last.text) or '(empty)'}")
    lines.append(
        f"{len(asked)} visitor messages, {len(replies)} bot replies ({failed} failed), "
        f"{screenshots} screenshots."
    )
    return "\n".join(lines)
