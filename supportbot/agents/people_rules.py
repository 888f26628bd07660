"""The people side's answers to what the visitor's chat asks (chat.hooks.PeopleRules), registered
at start-up (AgentsConfig.ready): each delegates to the module that owns the decision."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser

from supportbot.agents import access, email_later, triggers, waiting
from supportbot.agents.handoff import (
    after_bot_reply,
    bot_answers,
    escalate,
    escalate_in_transaction,
    rate,
    rating_due,
    record_feedback,
    relay_visitor_message,
)
from supportbot.agents.models import Handoff, MessageFeedback
from supportbot.agents.triggers import Trigger
from supportbot.chat import hooks
from supportbot.chat.models import Conversation, Message


class HandoffRules:
    """What the visitor's chat asks of the people side (chat.hooks.PeopleRules)."""

    def judge_text(self, text: str) -> triggers.TextJudgement | None:
        return triggers.judge_text(text) if text else None

    def on_visitor_message(
        self,
        conversation: Conversation,
        message: Message,
        earlier_questions: list[str],
        judged: triggers.TextJudgement | None = None,
    ) -> bool:
        trigger = triggers.on_user_message(message.text, earlier_questions, judged) if message.text else None
        if trigger is not None:
            escalate_in_transaction(conversation, trigger)
        if bot_answers(conversation):
            return True
        relay_visitor_message(conversation, message)
        return False

    def after_bot_reply(self, conversation_id: uuid.UUID | str, outcome: hooks.ReplyOutcome) -> None:
        after_bot_reply(conversation_id, outcome)

    def visitor_asks_for_person(self, conversation_id: uuid.UUID | str, offered_by: int | None = None) -> None:
        # A repeated press while people own the conversation changes nothing.
        offer_taken = offered_by is not None and Message.objects.filter(
            pk=offered_by, conversation_id=conversation_id, offers_person=True
        ).exists()
        trigger = (
            Trigger(Handoff.Reason.NO_ANSWER, "took the offered person: the help center had no answer")
            if offer_taken
            else Trigger(Handoff.Reason.USER_BUTTON, "pressed Talk to a human")
        )
        escalate(conversation_id, trigger)

    def record_feedback(self, conversation_id: uuid.UUID | str, message_id: int, helpful: bool) -> None:
        record_feedback(conversation_id, message_id, helpful)

    def feedback_given(self, conversation_id: uuid.UUID | str) -> dict[int, bool]:
        return dict(
            MessageFeedback.objects.filter(message__conversation_id=conversation_id).values_list("message_id", "helpful")
        )

    def rate(self, conversation_id: uuid.UUID | str, score: int, comment: str) -> None:
        rate(conversation_id, score, comment)

    def rating_due(self, conversation: Conversation) -> bool:
        return rating_due(conversation)

    def waiting_state(self, conversation_id: uuid.UUID | str) -> dict[str, object] | None:
        return waiting.state_of(conversation_id)

    def leave_email(self, conversation_id: uuid.UUID | str, address: str) -> None:
        email_later.leave_email(conversation_id, address)

    def console_may_view(self, user: AbstractBaseUser, conversation: Conversation) -> bool:
        return access.may_view(user, conversation)
