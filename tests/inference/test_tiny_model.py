"""The tiny random GLM-4V: the real architecture, deterministic, small, and fed by its image processor."""

from __future__ import annotations

import pytest
import torch
from PIL import Image
from transformers import Glm4vForConditionalGeneration

from inference.models.tiny_glm import MAX_IMAGE_TOKENS, MIN_IMAGE_TOKENS, build_tiny_glm

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def tiny():
    return build_tiny_glm(seed=0)


def count_parameters(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_same_seed_same_weights_other_seed_other_weights(tiny):
    same, other = build_tiny_glm(seed=0).model.state_dict(), build_tiny_glm(seed=1).model.state_dict()
    weights = tiny.model.state_dict()
    assert all(torch.equal(weights[name], same[name]) for name in weights)
    assert not torch.equal(weights["lm_head.weight"], other["lm_head.weight"])


def test_loaded_model_fields(tiny):
    assert isinstance(tiny.model, Glm4vForConditionalGeneration)
    assert (tiny.name, tiny.family) == ("tiny-random", "glm4v")
    assert (tiny.device, tiny.dtype) == (torch.device("cpu"), torch.float32)
    assert not tiny.model.training
    assert tiny.model.config._attn_implementation == "sdpa"


@pytest.mark.parametrize(("size", "low", "high"), [("test", 300_000, 2_000_000), ("bench", 20_000_000, 30_000_000)])
def test_sizes_and_shape_of_the_real_model(size, low, high):
    model = build_tiny_glm(size=size).model
    assert low <= count_parameters(model) <= high
    text = model.config.text_config
    assert text.num_key_value_heads == 2 < text.num_attention_heads
    rope = text.rope_parameters
    head_dim = text.hidden_size // text.num_attention_heads
    assert sum(rope["mrope_section"]) == head_dim * rope["partial_rotary_factor"] / 2
    vision = model.config.vision_config
    assert (vision.patch_size, vision.spatial_merge_size, vision.temporal_patch_size) == (14, 2, 2)


def test_config_token_ids_point_at_the_tokenizer(tiny):
    config, tokenizer = tiny.model.config, tiny.tokenizer
    ids = tokenizer.convert_tokens_to_ids
    assert config.image_token_id == ids("<|image|>")
    assert config.image_start_token_id == ids("<|begin_of_image|>")
    assert config.image_end_token_id == ids("<|end_of_image|>")
    assert config.eos_token_id == tokenizer.eos_token_id == ids("<|endoftext|>")
    assert config.text_config.vocab_size >= len(tokenizer)
    assert tiny.model.generation_config.eos_token_id == ids(["<|endoftext|>", "<|user|>", "<|observation|>"])


def test_image_processor_output_feeds_the_vision_tower(tiny):
    images = [Image.new("RGB", (1280, 800), "white"), Image.new("RGB", (1, 1), "red"), Image.new("RGB", (200, 900))]
    batch = tiny.image_processor(images, return_tensors="pt")
    grids = batch["image_grid_thw"]
    tokens_per_image = (grids.prod(-1) // 4).tolist()
    assert all(MIN_IMAGE_TOKENS <= n <= MAX_IMAGE_TOKENS for n in tokens_per_image)
    with torch.no_grad():
        features = tiny.model.model.get_image_features(batch["pixel_values"], grids).pooler_output
    assert [f.shape for f in features] == [(n, tiny.model.config.text_config.hidden_size) for n in tokens_per_image]


def test_forward_with_image_placeholders(tiny):
    batch = tiny.image_processor([Image.new("RGB", (640, 400), "white")], return_tensors="pt")
    n_image = int(batch["image_grid_thw"].prod() // 4)
    prompt = (
        "[gMASK]<sop><|user|>\n<|begin_of_image|>"
        + "<|image|>" * n_image
        + "<|end_of_image|>What is wrong?<|assistant|>\n"
    )
    input_ids = tiny.tokenizer(prompt, add_special_tokens=False, return_tensors="pt")["input_ids"]
    mm_token_type_ids = (input_ids == tiny.model.config.image_token_id).int()
    with torch.no_grad():
        logits = tiny.model(input_ids=input_ids, mm_token_type_ids=mm_token_type_ids, **batch).logits
    assert logits.shape == (1, input_ids.shape[1], tiny.model.config.text_config.vocab_size)
    assert torch.isfinite(logits).all()
