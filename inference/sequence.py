"""One request in flight: its prompt, how much of it is cached, what it generated so far."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Callable

import torch

from inference.chat_format import RenderedPrompt
from inference.kv_store import SessionState
from inference.media import PreparedImage
from inference.types import Event, GenerationRequest, Usage

_ids = itertools.count(1)


@dataclass(eq=False)
class Sequence:
    request: GenerationRequest
    images: list[list[PreparedImage]]  # per message
    emit: Callable[[Event], None]
    deadline: float | None
    seq_id: int = field(default_factory=lambda: next(_ids))
    arrival: float = field(default_factory=time.monotonic)
    previous_arrival: float = float("-inf")  # the engine's previous request, to spot bursts
    # Set when the scheduler admits it.
    session: SessionState | None = None
    prompt: RenderedPrompt | None = None
    max_new_tokens: int = 0
    fed: int = 0  # prompt tokens whose K/V are in the session cache
    next_position: int = 0  # RoPE position of the next generated token
    generated: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)  # of each generated token
    text: str = ""  # decoded reply (special tokens skipped)
    kept: int | None = None  # generated tokens the reply keeps when a loop was cut off
    sent: int = 0  # characters of `text` already streamed
    usage: Usage = field(default_factory=Usage)
    generator: torch.Generator | None = None
    first_token_at: float | None = None

    @property
    def session_id(self) -> str:
        return self.request.session_id

    @property
    def prefilling(self) -> bool:
        return self.prompt is None or self.fed < len(self.prompt)
