"""Shared pieces for the engine tests: the tiny GLM-4V model, engines, and a reference decoder
that recomputes the whole conversation with transformers' own forward (no cache) every token."""

from __future__ import annotations

import pytest
import torch
from PIL import Image, ImageDraw

from inference.engine import Engine, EngineConfig
from inference.models import LoadedModel
from inference.models.tiny_glm import build_tiny_glm
from inference.types import ChatMessage, GenerationRequest, SamplingParams

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_model() -> LoadedModel:
    return build_tiny_glm(seed=0, size="test")


@pytest.fixture
def make_engine(tiny_model):
    engines: list[Engine] = []

    def make(**config) -> Engine:
        config.setdefault("batch_window_s", 0.0)
        engine = Engine(tiny_model, EngineConfig(**config)).start()
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.shutdown()


def screenshot(seed: int, size: tuple[int, int] = (160, 112)) -> Image.Image:
    """A distinct synthetic screenshot per seed: coloured panels and a 'dialog' box."""
    generator = torch.Generator().manual_seed(seed)
    colours = torch.randint(0, 256, (4, 3), generator=generator).tolist()
    image = Image.new("RGB", size, tuple(colours[0]))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle([w // 8, h // 6, w * 7 // 8, h * 5 // 6], fill=tuple(colours[1]))
    draw.rectangle([w // 4, h // 2, w * 3 // 4, h * 2 // 3], fill=tuple(colours[2]))
    draw.text((w // 6, h // 4), f"Error {seed}", fill=tuple(colours[3]))
    return image


def request(session_id: str, messages: list[ChatMessage], max_new_tokens: int = 12, **sampling) -> GenerationRequest:
    return GenerationRequest(session_id, list(messages), SamplingParams(max_new_tokens=max_new_tokens, **sampling))


@torch.no_grad()
def reference_reply(engine: Engine, messages: list[ChatMessage], memo: dict, max_new_tokens: int) -> list[int]:
    """Greedy decoding the slow, obviously right way: the model's own forward over the whole
    rendered conversation (its own M-RoPE positions, no KV cache) for every new token."""
    images = [[engine.media.prepare(image) for image in m.images] for m in messages]
    prompt = engine.format.render(messages, images, memo)
    prepared = [span.image for span in prompt.images]
    extra = {}
    if prepared:
        extra = {
            "pixel_values": torch.cat([p.pixel_values for p in prepared]),
            "image_grid_thw": torch.tensor([p.grid_thw for p in prepared]),
        }
    model = engine.loaded.model
    ids = list(prompt.token_ids)
    generated: list[int] = []
    for _ in range(max_new_tokens):
        input_ids = torch.tensor([ids])
        mm_types = (input_ids == engine.format.image_token_id).int()
        logits = model(input_ids=input_ids, mm_token_type_ids=mm_types, use_cache=False, **extra).logits[0, -1]
        logits[engine._banned] = float("-inf")
        token = int(torch.argmax(logits))
        generated.append(token)
        if token in engine.format.stop_token_ids:
            break
        ids.append(token)
    return generated
