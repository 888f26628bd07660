"""One reply as a remote OpenAI-compatible engine streams it, turned into engine events: what text
may be relayed now, where the reply ends, and its usage. Plain code, no I/O: remote_client.py feeds
it the chunks.

The in-house engine ends a reply at a stop string (telling which one: the handoff marker hands the
conversation to people) and, past `wrap_up_after` tokens, at a sentence's end. A remote server
knows neither, so both are decided here, on the streamed text, with the engine's own rules
(inference.detokenizer); the caller then closes the stream, which cancels the request upstream.
"""

from __future__ import annotations

import time
from typing import Any

from inference.detokenizer import could_become_stop, ends_a_sentence
from inference.types import Finished, FinishReason, SamplingParams, TokenDelta, Usage

# The server sends no token ids: every relayed piece carries this one.
NO_TOKEN_ID = -1


class RemoteReply:
    def __init__(self, sampling: SamplingParams, started_at: float) -> None:
        self.sampling = sampling
        self.started_at = started_at  # time.monotonic() when the request was first submitted
        self.text = ""
        self.sent = 0  # characters of `text` relayed so far
        self.chunks = 0  # streamed pieces of text: one token each on vLLM, SGLang and llama.cpp
        self.logprobs: list[float] = []
        self.usage = Usage()
        # How the reply ended, once it has: by the server ("stop", "length") or here ("stop").
        self.ended: FinishReason | None = None
        self.ended_here = False

    @property
    def streamed(self) -> bool:
        """Whether any text was relayed: from then on the request cannot be submitted again."""
        return self.sent > 0

    def add(self, chunk: dict[str, Any]) -> list[TokenDelta]:
        """Take one streamed chunk (an SSE event's JSON); the text to relay now, if any."""
        if usage := chunk.get("usage"):
            self._take_usage(usage)
        for choice in chunk.get("choices") or []:
            if self.ended_here:
                break
            self.logprobs.extend(
                float(entry["logprob"]) for entry in ((choice.get("logprobs") or {}).get("content") or [])
            )
            piece = (choice.get("delta") or {}).get("content") or ""
            if piece:
                self.chunks += 1
                self.text += piece
                self._end_here_if_due()
            if choice.get("finish_reason") and not self.ended_here:
                self.ended = "length" if choice["finish_reason"] == "length" else "stop"
        return self._relayable()

    def _take_usage(self, usage: dict[str, Any]) -> None:
        self.usage.prompt_tokens = int(usage.get("prompt_tokens") or 0)
        self.usage.completion_tokens = int(usage.get("completion_tokens") or 0)
        details = usage.get("prompt_tokens_details") or {}
        self.usage.cached_tokens = int(details.get("cached_tokens") or 0)

    def _end_here_if_due(self) -> None:
        stops = self.sampling.stop
        hit = next((stop for stop in stops if stop and stop in self.text), None)
        if hit is not None:
            self.text = self.text[: self.text.index(hit)]
            self.usage.stop_string = hit
            self.ended, self.ended_here = "stop", True
            return
        wrap_up = self.sampling.wrap_up_after
        if wrap_up is not None and self.chunks >= wrap_up and ends_a_sentence(self.text):
            self.ended, self.ended_here = "stop", True

    def _relayable(self) -> list[TokenDelta]:
        held = 0 if self.ended_here else could_become_stop(self.text, self.sampling.stop)
        ready = len(self.text) - held
        if ready <= self.sent:
            return []
        piece = self.text[self.sent : ready]
        if not self.sent:
            self.usage.ttft_ms = (time.monotonic() - self.started_at) * 1000
        self.sent = ready
        return [TokenDelta(piece, NO_TOKEN_ID)]

    def finished(self) -> list[TokenDelta | Finished]:
        """The end: text still held back (the start of a stop string that never completed), then
        the Finished event."""
        events: list[TokenDelta | Finished] = []
        if self.sent < len(self.text):
            if not self.sent:
                self.usage.ttft_ms = (time.monotonic() - self.started_at) * 1000
            events.append(TokenDelta(self.text[self.sent :], NO_TOKEN_ID))
            self.sent = len(self.text)
        usage = self.usage
        usage.finish_reason = self.ended or "stop"
        # Cut short here, the server's count never came (or counts tokens not relayed).
        if self.ended_here or not usage.completion_tokens:
            usage.completion_tokens = self.chunks
        usage.total_ms = (time.monotonic() - self.started_at) * 1000
        logprobs = self.logprobs[: usage.completion_tokens]
        usage.mean_logprob = sum(logprobs) / len(logprobs) if logprobs else None
        events.append(Finished(self.text, usage, logprobs))
        return events
