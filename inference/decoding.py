"""What keeps a reply from repeating itself: the penalties and n-gram blocking applied to a
sequence's logits before sampling, and the detector that ends a reply caught in a loop.

Small models decode greedily into loops ("rescue-rescue-...", one sentence until the length
limit). Penalties count only the reply's own tokens, never the prompt's: a grounded answer should
be free to copy a passage or an error code it was given.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

import torch

from inference.types import SamplingParams

# A tail of tokens repeating with a period up to this long is checked for on every step.
MAX_LOOP_PERIOD = 64
# A loop: the same run of tokens at least this many times in a row, covering at least
# LOOP_MIN_TOKENS (so "| --- | --- |" in a table or "..." is not one).
LOOP_MIN_REPEATS = 3
LOOP_MIN_TOKENS = 16


@dataclass(frozen=True)
class DecodingDefaults:
    """A model's values for the SamplingParams fields a request leaves as None."""

    repetition_penalty: float = 1.0
    no_repeat_ngram: int = 0
    # Whether the model's words add to a reply that already quotes the help center's answer
    # (SamplingParams.after_quote); a model that barely reads its prompt adds nothing and often
    # contradicts the quote.
    words_after_quote: bool = True


def resolved(sampling: SamplingParams, defaults: DecodingDefaults) -> SamplingParams:
    return replace(
        sampling,
        repetition_penalty=(
            defaults.repetition_penalty if sampling.repetition_penalty is None else sampling.repetition_penalty
        ),
        no_repeat_ngram=defaults.no_repeat_ngram if sampling.no_repeat_ngram is None else sampling.no_repeat_ngram,
    )


def penalize(logits: torch.Tensor, generated: list[int], sampling: SamplingParams) -> None:
    """Apply the request's penalties to one sequence's next-token logits (a 1-D CPU row), in place.

    repetition_penalty (as in CTRL and transformers): a seen token's logit is divided by it when
    positive, multiplied when negative. frequency_penalty and presence_penalty (as in OpenAI's
    API): minus penalty x count, minus penalty once. no_repeat_ngram = n: no token that would
    repeat an n-gram already in the reply.
    """
    neutral = sampling.repetition_penalty in (None, 1.0) and not (
        sampling.frequency_penalty or sampling.presence_penalty or sampling.no_repeat_ngram
    )
    if not generated or neutral:  # the common case for most models: no work on the hot path
        return
    counts = Counter(generated)
    seen = torch.tensor(list(counts), dtype=torch.long)
    if sampling.repetition_penalty and sampling.repetition_penalty != 1.0:
        values = logits[seen]
        logits[seen] = torch.where(
            values > 0, values / sampling.repetition_penalty, values * sampling.repetition_penalty
        )
    if sampling.frequency_penalty or sampling.presence_penalty:
        times = torch.tensor(list(counts.values()), dtype=logits.dtype)
        logits[seen] -= sampling.frequency_penalty * times + sampling.presence_penalty
    if sampling.no_repeat_ngram:
        banned = repeated_ngram_endings(generated, sampling.no_repeat_ngram)
        if banned:
            logits[list(banned)] = float("-inf")


def repeated_ngram_endings(generated: list[int], n: int) -> set[int]:
    """Tokens that, appended, would form an n-gram already present in `generated`."""
    if n <= 0 or len(generated) < n:
        return set()
    prefix = tuple(generated[len(generated) - n + 1 :]) if n > 1 else ()
    return {
        generated[start + n - 1]
        for start in range(len(generated) - n + 1)
        if tuple(generated[start : start + n - 1]) == prefix
    }


def loop_end(tokens: list[int]) -> int | None:
    """Where a reply ending in a loop should be cut (after the first copy of the repeating run),
    or None when its tail does not repeat."""
    length = len(tokens)
    for period in range(1, min(MAX_LOOP_PERIOD, length // LOOP_MIN_REPEATS) + 1):
        repeats = 1
        while (repeats + 1) * period <= length and tokens[length - (repeats + 1) * period : length - repeats * period] == tokens[length - period :]:
            repeats += 1
        if repeats >= LOOP_MIN_REPEATS and repeats * period >= LOOP_MIN_TOKENS:
            return length - (repeats - 1) * period
    return None
