"""Model loading: every model the engine can serve arrives as a LoadedModel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import torch

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
