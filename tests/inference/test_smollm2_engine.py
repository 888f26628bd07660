"""The real SmolLM2 through the engine: a screenshot reaches it as OCR text inside the user turn,
and it answers; the second turn reuses the cache."""

import threading

import pytest
import torch

from inference.engine import Engine, EngineConfig
from inference.models import load_model
from inference.types import ChatMessage
from tests.engine_fixtures import request
from tests.inference.test_ocr import error_dialog, needs_tesseract


@pytest.fixture(scope="module")
def smollm2_engine():
    engine = Engine(load_model("smollm2-135m"), EngineConfig(batch_window_s=0.0)).start()
    yield engine
    engine.shutdown()


@pytest.mark.slow
@needs_tesseract
def test_screenshot_code_reaches_the_prompt_and_the_model_answers(smollm2_engine):
    engine = smollm2_engine
    messages = [
        ChatMessage("system", "You are a helpful customer support assistant."),
        ChatMessage("user", "My payment does not go through. What does this error mean?", [error_dialog("ERR-4021")]),
    ]
    first = engine.generate(request("smol", messages, max_new_tokens=24))
    received = engine.loaded.tokenizer.decode(engine.store.sessions["smol"].keys)
    assert "ERR-4021" in received  # the code the user only showed in the picture
    assert first.text.strip()
    assert first.usage.finish_reason in ("stop", "length")

    messages += [ChatMessage("assistant", first.text), ChatMessage("user", "How can I fix it?")]
    second = engine.generate(request("smol", messages, max_new_tokens=8))
    assert second.usage.cached_tokens >= first.usage.prompt_tokens
    assert second.text.strip()


@pytest.mark.slow
def test_batched_equals_alone_on_smollm2(smollm2_engine):
    """SmolLM2 (Llama attention) goes through the same packed path: batched equals alone."""
    engine = smollm2_engine
    questions = ["How do I reset my password?", "Where is my parcel?", "Can I get a refund?"]
    alone = [engine.generate(request(f"alone-{i}", [ChatMessage("user", q)], max_new_tokens=10)).text
             for i, q in enumerate(questions)]
    together = {}
    threads = [threading.Thread(target=lambda i=i, q=q: together.__setitem__(
        i, engine.generate(request(f"together-{i}", [ChatMessage("user", q)], max_new_tokens=10)).text))
        for i, q in enumerate(questions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [together[i] for i in range(len(questions))] == alone
    assert torch.get_num_threads() == 1
