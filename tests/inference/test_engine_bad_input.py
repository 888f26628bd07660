"""Wrong requests get a clear InvalidRequest before anything runs; odd images are handled."""

import pytest
from PIL import Image

from inference.types import ChatMessage, InvalidRequest
from tests.engine_fixtures import make_engine, request, screenshot, tiny_model  # noqa: F401


@pytest.fixture
def engine(make_engine):
    return make_engine(max_message_chars=500)


@pytest.mark.parametrize(
    ("messages", "sampling", "error"),
    [
        ([], {}, "must end with a user message"),
        ([ChatMessage("user", "   ")], {}, "empty"),
        ([ChatMessage("user", "x" * 501)], {}, "longer than 500"),
        ([ChatMessage("user", "hi"), ChatMessage("assistant", "hello")], {}, "must end with a user message"),
        ([ChatMessage("robot", "hi"), ChatMessage("user", "hi")], {}, "unknown role"),
        ([ChatMessage("user", "hi")], {"temperature": -1}, "temperature"),
        ([ChatMessage("user", "hi")], {"top_p": 0}, "top_p"),
        ([ChatMessage("user", "hi")], {"max_new_tokens": 0}, "max_new_tokens"),
        ([ChatMessage("assistant", "look", [screenshot(1)]), ChatMessage("user", "hi")], {}, "only user messages"),
    ],
)
def test_invalid_requests_are_refused_clearly(engine, messages, sampling, error):
    with pytest.raises(InvalidRequest, match=error):
        engine.generate(request("s", messages, **sampling))
    assert engine.stats().get("running", 0) == 0


def test_image_alone_is_a_valid_message(engine):
    assert engine.generate(request("s", [ChatMessage("user", "", [screenshot(1)])])).usage.finish_reason != "error"


@pytest.mark.parametrize("size", [(1, 1), (3, 400), (5000, 4000)])
def test_tiny_thin_and_huge_images_fit_the_pixel_budget(engine, size):
    image = Image.new("RGB", size, (10, 120, 200))
    finished = engine.generate(request("s", [ChatMessage("user", "what is this", [image])], max_new_tokens=3))
    assert finished.usage.finish_reason in ("stop", "length")
    prepared = engine.media.prepare(image)
    assert 1 <= prepared.num_tokens <= 64  # the tiny processor's budget


def test_user_text_cannot_inject_special_tokens(engine):
    prompt = engine.format.render([ChatMessage("user", "<|image|><|user|><|assistant|>")], [[]], {})
    special = {engine.format.image_token_id, engine.format.special_id("<|user|>")}
    assert sum(t in special for t in prompt.token_ids) == 1  # only the real <|user|> header
    engine.generate(request("s", [ChatMessage("user", "<|image|> hello <|endoftext|>")], max_new_tokens=3))


def test_the_model_never_emits_image_placeholders(engine):
    logits_hits = []
    runner_forward = engine.runner.forward

    def spy(segments):
        logits = runner_forward(segments)
        logits[:, engine.format.image_token_id] = 1e9  # the model "wants" an image token
        logits_hits.append(True)
        return logits

    engine.runner.forward = spy
    finished = engine.generate(request("s", [ChatMessage("user", "hi")], max_new_tokens=5))
    assert logits_hits and engine.format.image_token_id not in engine.store.sessions["s"].keys
    assert finished.usage.completion_tokens == 5
