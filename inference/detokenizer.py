"""A sequence's generated tokens as text: decoding, stop strings, and what may stream yet."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # torch-free, so that a remote engine's client finds stop strings without torch
    from inference.sequence import Sequence

_SENTENCE_END = (".", "!", "?", "。", "！", "？")


def ends_a_sentence(text: str) -> bool:
    """Whether a reply's text so far ends a sentence or a line (wrap_up_after may end it there);
    not at a list's "2." or a decimal point."""
    stripped = text.rstrip(" ")
    if text.endswith("\n") and text.strip():
        return True
    return stripped.endswith(_SENTENCE_END) and not (len(stripped) > 1 and stripped[-2].isdigit())


def could_become_stop(text: str, stops: list[str]) -> int:
    """How many characters at the end of `text` are the start of a stop string: they are held
    back from streaming until the stop string completes or cannot. Usually none, so an always-on
    stop string (the chat's handoff marker) costs no streaming delay."""
    longest = 0
    for stop in stops:
        for length in range(min(len(stop) - 1, len(text)), longest, -1):
            if text.endswith(stop[:length]):
                longest = length
                break
    return longest


class Detokenizer:
    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def decode(self, token_ids: list[int]) -> str:
        return self.tokenizer.decode(token_ids, skip_special_tokens=True)

    def update(self, seq: Sequence) -> str | None:
        """Decode the reply so far into seq.text. The whole reply is decoded again, not the new
        token alone: a token's text can depend on its neighbours (merged bytes, spaces). If the
        text now holds a stop string, cut it there and return that stop string."""
        seq.text = self.decode(seq.generated)
        stops = seq.request.sampling.stop
        hit = next((s for s in stops if s and s in seq.text), None)
        if hit is not None:
            seq.text = seq.text[: seq.text.index(hit)]
            seq.usage.stop_string = hit
        return hit

    @staticmethod
    def streamable(seq: Sequence) -> str:
        """The text not streamed yet that may stream now: all but an end that could still grow
        into a stop string or is half a character."""
        ready = len(seq.text) - could_become_stop(seq.text, seq.request.sampling.stop)
        if seq.text.endswith("\ufffd"):  # half a character: wait for the rest of its bytes
            ready = min(ready, seq.text.rfind("\ufffd"))
        return seq.text[seq.sent : ready]
