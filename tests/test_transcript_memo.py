"""The memo early starts read transcripts from stays bounded: by conversations and by the decoded
screenshots it holds."""

from __future__ import annotations

from PIL import Image

from inference.types import ChatMessage
from supportbot.inference_bridge.early_start import TranscriptMemo
from supportbot.inference_bridge.transcript import Transcript


def transcript(*images: Image.Image) -> Transcript:
    return Transcript([ChatMessage("system", "Be brief."), ChatMessage("user", "Look", images=list(images))], (1,))


def test_the_least_recently_used_conversation_goes_first():
    memo = TranscriptMemo(capacity=2)
    memo.remember("a", transcript())
    memo.remember("b", transcript())
    assert memo.recall("a") is not None  # a is now the most recent
    memo.remember("c", transcript())
    assert [memo.recall(k) is not None for k in "abc"] == [True, False, True]


def test_screenshots_held_stay_within_the_budget():
    screenshot = Image.new("RGB", (100, 100))  # 30,000 bytes decoded
    memo = TranscriptMemo(image_budget_bytes=70_000)
    memo.remember("a", transcript(screenshot))
    memo.remember("b", transcript(screenshot))
    memo.remember("c", transcript(screenshot))
    assert [memo.recall(k) is not None for k in "abc"] == [False, True, True]
    # Remembering a conversation again replaces its transcript, it is not counted twice.
    memo.remember("c", transcript(screenshot))
    memo.remember("c", transcript())
    memo.remember("d", transcript(screenshot))
    assert [memo.recall(k) is not None for k in "bcd"] == [True, True, True]
    # A transcript over the whole budget is not kept at all.
    memo.remember("e", transcript(Image.new("RGB", (200, 200))))
    assert memo.recall("e") is None
