"""A tiny, randomly initialised model of the real GLM-4V architecture, built offline in code.

It runs the same code paths as GLM-4.6V-Flash (Glm4vForConditionalGeneration, M-RoPE, GQA with
2 KV heads, the vision tower and the GLM-4.6V image processor) at a size a 2-core CPU handles,
so the engine can be tested and benchmarked without the 20 GB checkpoint. Its output is noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch
from transformers import AutoModelForImageTextToText, Glm4vConfig, PreTrainedTokenizerFast
from transformers.models.glm46v.image_processing_pil_glm46v import Glm46VImageProcessorPil

from inference.models import LoadedModel
from inference.models.tiny_tokenizer import (
    EOS_TOKEN,
    IMAGE_END_TOKEN,
    IMAGE_START_TOKEN,
    IMAGE_TOKEN,
    MAX_POSITIONS,
    VIDEO_END_TOKEN,
    VIDEO_START_TOKEN,
    VIDEO_TOKEN,
    build_tiny_tokenizer,
)

TinySize = Literal["test", "bench"]

PATCH_SIZE = 14
MERGE_SIZE = 2
TEMPORAL_PATCH_SIZE = 2
# The processor's pixel budget counts temporal_patch_size frames of the image, so one image
# of h*w pixels costs temporal_patch_size*h*w. These bounds give 4 to 64 placeholder tokens
# (one token per (PATCH_SIZE*MERGE_SIZE)**2 pixels).
_PIXELS_PER_TOKEN = (PATCH_SIZE * MERGE_SIZE) ** 2
MIN_IMAGE_TOKENS = 4
MAX_IMAGE_TOKENS = 64


@dataclass(frozen=True)
class TinyDims:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    # Halves of the rotary dims given to (temporal, height, width); they must sum to
    # head_dim * partial_rotary_factor / 2. GLM-4.6V uses [8, 12, 12] for head_dim 128.
    mrope_section: tuple[int, int, int]
    vision_hidden: int
    vision_depth: int
    vision_heads: int
    vision_intermediate: int


DIMS: dict[TinySize, TinyDims] = {
    # Seconds-fast tests: head_dim 32, so the sections are GLM's [8, 12, 12] scaled by 1/4.
    "test": TinyDims(
        hidden=128, layers=2, heads=4, intermediate=256, mrope_section=(2, 3, 3),
        vision_hidden=32, vision_depth=2, vision_heads=2, vision_intermediate=64,
    ),
    # Big enough that matrix work, not Python overhead, dominates a step; head_dim 128 as in GLM.
    "bench": TinyDims(
        hidden=512, layers=6, heads=4, intermediate=1536, mrope_section=(8, 12, 12),
        vision_hidden=128, vision_depth=2, vision_heads=2, vision_intermediate=512,
    ),
}
KV_HEADS = 2  # as in GLM-4.6V


def build_tiny_glm(seed: int = 0, size: TinySize = "test") -> LoadedModel:
    """The same seed and size always give the same weights, tokenizer and processor."""
    if size not in DIMS:
        raise ValueError(f"unknown tiny model size {size!r}; expected one of {sorted(DIMS)}")
    tokenizer = build_tiny_tokenizer()
    config = tiny_glm_config(DIMS[size], tokenizer)
    with torch.random.fork_rng(devices=[]):  # seeds the weights without touching the caller's RNG
        torch.manual_seed(seed)
        model = AutoModelForImageTextToText.from_config(config, attn_implementation="sdpa", dtype=torch.float32)
    model.generation_config.eos_token_id = stop_token_ids(tokenizer)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.eval()
    return LoadedModel(
        name="tiny-random" if size == "test" else "tiny-random-bench",
        model=model,
        tokenizer=tokenizer,
        image_processor=build_tiny_image_processor(),
        family="glm4v",
        device=torch.device("cpu"),
        dtype=torch.float32,
    )


def tiny_glm_config(dims: TinyDims, tokenizer: PreTrainedTokenizerFast) -> Glm4vConfig:
    ids = tokenizer.convert_tokens_to_ids
    return Glm4vConfig(
        text_config={
            # Rounded up like the real checkpoint, whose embedding has spare rows.
            "vocab_size": _round_up(len(tokenizer), 64),
            "hidden_size": dims.hidden,
            "num_hidden_layers": dims.layers,
            "num_attention_heads": dims.heads,
            "num_key_value_heads": KV_HEADS,
            "intermediate_size": dims.intermediate,
            "max_position_embeddings": MAX_POSITIONS,
            "rope_parameters": {
                "rope_type": "default",
                "rope_theta": 500000.0,
                "partial_rotary_factor": 0.5,
                "mrope_section": list(dims.mrope_section),
            },
        },
        vision_config={
            "hidden_size": dims.vision_hidden,
            "depth": dims.vision_depth,
            "num_heads": dims.vision_heads,
            "intermediate_size": dims.vision_intermediate,
            "out_hidden_size": dims.hidden,
            "image_size": 224,  # only sizes the learned position table, which is interpolated
            "patch_size": PATCH_SIZE,
            "spatial_merge_size": MERGE_SIZE,
            "temporal_patch_size": TEMPORAL_PATCH_SIZE,
        },
        image_token_id=ids(IMAGE_TOKEN),
        image_start_token_id=ids(IMAGE_START_TOKEN),
        image_end_token_id=ids(IMAGE_END_TOKEN),
        video_token_id=ids(VIDEO_TOKEN),
        video_start_token_id=ids(VIDEO_START_TOKEN),
        video_end_token_id=ids(VIDEO_END_TOKEN),
        eos_token_id=ids(EOS_TOKEN),
        pad_token_id=tokenizer.pad_token_id,
    )


def stop_token_ids(tokenizer: PreTrainedTokenizerFast) -> list[int]:
    # GLM ends a reply with <|endoftext|> or by starting the next turn (<|user|>, <|observation|>).
    return tokenizer.convert_tokens_to_ids([EOS_TOKEN, "<|user|>", "<|observation|>"])


def build_tiny_image_processor() -> Glm46VImageProcessorPil:
    # The PIL backend: torchvision (the default backend) is not installed on CPU machines.
    return Glm46VImageProcessorPil(
        size={
            "shortest_edge": TEMPORAL_PATCH_SIZE * MIN_IMAGE_TOKENS * _PIXELS_PER_TOKEN,
            "longest_edge": TEMPORAL_PATCH_SIZE * MAX_IMAGE_TOKENS * _PIXELS_PER_TOKEN,
        },
        patch_size=PATCH_SIZE,
        temporal_patch_size=TEMPORAL_PATCH_SIZE,
        merge_size=MERGE_SIZE,
    )


def save_tiny_glm(loaded: LoadedModel, folder: Path | str) -> None:
    """Write a folder laid out like a real GLM-4V checkpoint (see hub.load_folder)."""
    loaded.model.save_pretrained(folder)
    loaded.tokenizer.save_pretrained(folder)
    loaded.image_processor.save_pretrained(folder)


def _round_up(n: int, multiple: int) -> int:
    return -(-n // multiple) * multiple
