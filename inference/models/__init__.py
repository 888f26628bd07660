"""Model loading: every model the engine can serve arrives as a LoadedModel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import torch

from inference.decoding import DecodingDefaults

if TYPE_CHECKING:
    from inference.models.hub import default_model_spec, load_model

ChatFamily = Literal["glm4v", "chatml"]


@dataclass
class LoadedModel:
    name: str
    # The full *ForConditionalGeneration / *ForCausalLM module, in eval mode, on `device`.
    model: torch.nn.Module
    tokenizer: Any  # a transformers PreTrainedTokenizerBase
    # None for text-only models: screenshots then reach the model as OCR text.
    image_processor: Any | None
    family: ChatFamily
    device: torch.device
    dtype: torch.dtype
    # Loop control for requests that set none (SamplingParams.repetition_penalty, no_repeat_ngram).
    decoding: DecodingDefaults = DecodingDefaults()


def __getattr__(name: str) -> Any:
    # Lazy, because the loaders import transformers (seconds) and hub.py imports LoadedModel from here.
    if name in ("load_model", "default_model_spec"):
        from inference.models import hub

        return getattr(hub, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ChatFamily", "LoadedModel", "default_model_spec", "load_model"]
