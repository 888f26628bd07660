"""The memo early starts read transcripts from stays bounded (its screenshots are references to
storage, not decoded images)."""

from __future__ import annotations

from inference.types import ChatMessage
from supportbot.chat.transcript import Transcript, TranscriptMemo


def transcript() -> Transcript:
    return Transcript([ChatMessage("system", "Be brief."), ChatMessage("user", "Look")], (1,))


def test_the_least_recently_used_conversation_goes_first():
    memo = TranscriptMemo(capacity=2)
    memo.remember("a", transcript())
    memo.remember("b", transcript())
    assert memo.recall("a") is not None  # a is now the most recent
    memo.remember("c", transcript())
    assert [memo.recall(k) is not None for k in "abc"] == [True, False, True]
