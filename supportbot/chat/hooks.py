"""The seam between a visitor's chat and the people behind it.

Chat asks the handoff rules at a few points (a visitor's message, a finished bot reply, the
visitor's buttons), and those rules change the conversation. So that the two apps do not import
each other, chat defines what it asks here and the agents app registers the answers at start-up
(AgentsConfig.ready). Without agents installed, the bot answers everything and the people frames
are refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from supportbot.chat.models import Conversation, Message


class NotAllowed(Exception):
    """A people action that the conversation's state does not allow; the message is for the visitor,
    the code for the error frame."""

    code = "not_allowed"


@dataclass(frozen=True)
class ReplyOutcome:
    """How a bot reply ended, as the handoff rules judge it."""

    finish_reason: str  # the engine's (stop, length, cancelled, timeout) or "error"
    error: str = ""
    stop_string: str = ""  # the stop string that ended it: the handoff marker says "give up"
    mean_logprob: float | None = None  # how sure the model was


class PeopleRules(Protocol):
    def judge_text(self, text: str) -> Any:
        """Before the turn's write transaction: the rules that read only the message's text
        (moderation patterns, the intent model); on_visitor_message takes the answer."""

    def on_visitor_message(
        self, conversation: Conversation, message: Message, earlier_questions: list[str], judged: Any = None
    ) -> bool:
        """In the transaction that stores the message, with the conversation's row locked:
        escalate if the message calls for it; True when the bot should answer it. `judged`:
        judge_text's answer for the message's text."""

    def after_bot_reply(self, conversation_id: uuid.UUID | str, outcome: ReplyOutcome) -> None:
        """In the transaction that stores a finished or failed reply."""

    def visitor_asks_for_person(self, conversation_id: uuid.UUID | str, offered_by: int | None = None) -> None:
        """The "Talk to a human" button; `offered_by`: the bot reply whose offer was taken."""

    def record_feedback(self, conversation_id: uuid.UUID | str, message_id: int, helpful: bool) -> None: ...

    def feedback_given(self, conversation_id: uuid.UUID | str) -> dict[int, bool]:
        """The thumbs stored on the conversation's bot replies: reply id -> helpful."""

    def rate(self, conversation_id: uuid.UUID | str, score: int, comment: str) -> None: ...

    def rating_due(self, conversation: Conversation) -> bool:
        """Whether the visitor should be asked to rate the people who helped."""

    def waiting_state(self, conversation_id: uuid.UUID | str) -> dict[str, Any] | None:
        """The `waiting` frame for a page that (re)connects while the conversation waits for a
        person; None when it is not waiting."""

    def leave_email(self, conversation_id: uuid.UUID | str, address: str) -> None:
        """"Email me the answer instead": NotAllowed (code invalid_email) for a bad address."""

    def console_may_view(self, user: Any, conversation: Conversation) -> bool:
        """Whether a console user (an agent or supervisor) may see the conversation, its
        screenshots included: the console's own rule."""


class BotOnly:
    """The rules without people: the bot answers everything."""

    def judge_text(self, text: str) -> Any:
        return None

    def on_visitor_message(
        self, conversation: Conversation, message: Message, earlier_questions: list[str], judged: Any = None
    ) -> bool:
        return True

    def after_bot_reply(self, conversation_id: uuid.UUID | str, outcome: ReplyOutcome) -> None:
        pass

    def visitor_asks_for_person(self, conversation_id: uuid.UUID | str, offered_by: int | None = None) -> None:
        raise NotAllowed("No people answer this chat.")

    def record_feedback(self, conversation_id: uuid.UUID | str, message_id: int, helpful: bool) -> None:
        raise NotAllowed("Feedback is not collected here.")

    def feedback_given(self, conversation_id: uuid.UUID | str) -> dict[int, bool]:
        return {}

    def rate(self, conversation_id: uuid.UUID | str, score: int, comment: str) -> None:
        raise NotAllowed("Nothing to rate.")

    def rating_due(self, conversation: Conversation) -> bool:
        return False

    def waiting_state(self, conversation_id: uuid.UUID | str) -> dict[str, Any] | None:
        return None

    def leave_email(self, conversation_id: uuid.UUID | str, address: str) -> None:
        raise NotAllowed("No people answer this chat.")

    def console_may_view(self, user: Any, conversation: Conversation) -> bool:
        return False


def people_rules() -> PeopleRules:
    """The rules registered at start-up (ChatConfig.people_rules)."""
    from django.apps import apps

    return apps.get_app_config("chat").people_rules


def register_people_rules(rules: PeopleRules) -> None:
    from django.apps import apps

    apps.get_app_config("chat").people_rules = rules
