"""The engine's public vocabulary: requests in, events out, errors.

Plain dataclasses with no torch import, so the web layer can build requests
and read events without loading the model stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from PIL import Image

Role = Literal["system", "user", "assistant"]
FinishReason = Literal["stop", "length", "cancelled", "timeout", "error"]


class InferenceError(Exception):
    """Base of every error the engine raises on purpose; the message is safe to show a user."""


class InvalidRequest(InferenceError):
    """The request itself is wrong (empty text, too long, bad image): the caller must fix it."""


class ImageError(InvalidRequest):
    """An image could not be accepted (not an image, truncated, too large, a decompression bomb)."""


class ModelLoadError(InferenceError):
    """The model could not be loaded (unknown id, missing weights, no network)."""


class EngineTimeout(InferenceError):
    """A request did not finish within its time limit."""


class EngineStopped(InferenceError):
    """The engine was shut down before the request finished."""


@dataclass
class ChatMessage:
    role: Role
    text: str = ""
    # Already decoded and checked by inference.vision.load_image (RGB, orientation applied).
    images: list[Image.Image] = field(default_factory=list)


@dataclass
class SamplingParams:
    temperature: float = 0.0  # 0 means greedy
    top_p: float = 1.0
    max_new_tokens: int = 256
    seed: int | None = None
    stop: list[str] = field(default_factory=list)
    ignore_eos: bool = False  # keep going past stop tokens and loops (benchmarks want equal lengths)
    # Against loops (inference.decoding): None takes the model's default.
    repetition_penalty: float | None = None
    no_repeat_ngram: int | None = None
    frequency_penalty: float = 0.0  # OpenAI's meaning, -2..2
    presence_penalty: float = 0.0
    # A soft length: past this many tokens the reply ends at its next sentence end (finish_reason
    # "stop"), so a chat answer is not cut mid-sentence by max_new_tokens. None: off.
    wrap_up_after: int | None = None
    # The reply already shows the help center's answer, quoted: a model whose words add nothing to
    # such a quote (DecodingDefaults.words_after_quote) then writes none.
    after_quote: bool = False


@dataclass
class GenerationRequest:
    # The whole conversation so far, ending with the new user turn. The engine keeps each
    # session's tokens and KV cache and prefills only what is new; sending the full history
    # lets any worker rebuild a session it has never seen (after eviction or a failover).
    # "" for clients that keep no session (the OpenAI-style API): the engine then reuses whichever
    # cached conversation shares the longest prefix with this one.
    session_id: str
    messages: list[ChatMessage]
    sampling: SamplingParams = field(default_factory=SamplingParams)
    timeout_s: float | None = None
    request_id: str = ""


@dataclass
class TokenDelta:
    text: str
    token_id: int


@dataclass
class Usage:
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    # Until the first streamed text (the first generated token when no text was streamed).
    ttft_ms: float = 0.0
    total_ms: float = 0.0
    finish_reason: FinishReason = "stop"
    error: str = ""
    # The stop string (SamplingParams.stop) that ended the reply; "" when none did.
    stop_string: str = ""
    # The reply repeated itself and was ended there, its text cut after the first repetition.
    loop_cut: bool = False
    # Mean log-probability the model gave the tokens it generated, from its raw logits (before
    # temperature and top-p): how sure it was. None when nothing was generated.
    mean_logprob: float | None = None


@dataclass
class Finished:
    text: str
    usage: Usage
    # The log-probability of each generated token, in order (their mean is usage.mean_logprob).
    logprobs: list[float] = field(default_factory=list)


Event = TokenDelta | Finished
