"""Attack: a supervisor writes a moderation pattern that backtracks without end on some text (a
nested quantifier), and a visitor sends such text. Each match has a time limit (the `regex`
module's timeout), the rule is skipped with a warning, and the rules that read only the text run
before the turn's write transaction, so a slow pattern never holds SQLite's write lock."""

from __future__ import annotations

import logging
import time

import pytest
from django.db import connection

from supportbot.agents import triggers
from supportbot.agents.models import Handoff, ModerationRule
from supportbot.chat.frames import SendFrame
from supportbot.chat.turns import accept_user_turn
from tests.agent_fixtures import team
from tests.chat_fixtures import new_conversation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

# With Python's re this takes longer than the age of the universe on the text below (each extra
# "a" multiplies the ways to split the run).
CATASTROPHIC = r"(a|aa)+$"
TEXT = "a" * 80 + "!"


def send(conversation, text: str, number: int = 1):
    return accept_user_turn(conversation.id, SendFrame(type="send", client_message_id=f"m{number}", text=text))


def test_a_backtracking_rule_is_cut_off_and_the_turn_goes_on(caplog):
    team()
    ModerationRule.objects.create(name="runaway", pattern=CATASTROPHIC)
    ModerationRule.objects.create(name="refunds", pattern=r"\brefund\b")
    conversation = new_conversation()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="supportbot.agents.triggers"):
        turn = send(conversation, TEXT)
    took = time.monotonic() - started
    assert took < 2.0, took
    assert turn.reply is not None  # nothing matched: the bot answers
    assert not Handoff.objects.exists()
    assert any("runaway" in record.getMessage() for record in caplog.records)
    # The rules after it still judge: a later message matching "refunds" hands over.
    from supportbot.chat.replies import finish
    from inference.types import Finished, Usage

    finish(turn.reply.id, 1, Finished("ok", Usage(finish_reason="stop")))
    flagged = send(conversation, TEXT + " I want a refund", 2)
    assert flagged.reply is None
    assert Handoff.objects.get().detail == "moderation rule 'refunds'"


def test_moderation_runs_outside_the_turns_write_transaction(monkeypatch):
    team()
    ModerationRule.objects.create(name="refunds", pattern=r"\brefund\b")
    seen_in_transaction: list[bool] = []
    real = triggers.moderated

    def spy(text: str):
        seen_in_transaction.append(connection.in_atomic_block)
        return real(text)

    monkeypatch.setattr(triggers, "moderated", spy)
    turn = send(new_conversation(), "I want a refund")
    assert turn.reply is None  # the rule matched and handed over
    assert seen_in_transaction == [False]
