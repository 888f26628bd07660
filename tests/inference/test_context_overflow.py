"""Past the context limit the oldest turns are dropped (the system prompt stays), and the cut
is kept so later turns still reuse the cache; one message too long for the context is refused."""

from inference.types import ChatMessage
from tests.engine_fixtures import make_engine, request, tiny_model  # noqa: F401


def test_oldest_turns_are_dropped_and_the_cut_stays_stable(make_engine):
    engine = make_engine(max_context=256)
    messages = [ChatMessage("system", "You are SupportBot.")]
    usages = []
    for turn in range(12):
        messages.append(ChatMessage("user", f"Turn {turn}: my router blinks red and orange again."))
        finished = engine.generate(request("s", messages, max_new_tokens=16))
        assert finished.usage.finish_reason in ("stop", "length")
        assert finished.usage.prompt_tokens + finished.usage.completion_tokens <= 256
        usages.append(finished.usage)
        messages.append(ChatMessage("assistant", finished.text))
    state = engine.store.sessions["s"]
    assert state.window_start > 1  # turns were dropped
    prompt_text = engine.loaded.tokenizer.decode(state.keys)
    assert "You are SupportBot." in prompt_text and "Turn 0:" not in prompt_text
    # After a cut, the following turn reuses the cache again.
    assert sum(u.cached_tokens > 0 for u in usages[-4:]) >= 2


def test_a_single_message_over_the_context_is_refused(make_engine):
    engine = make_engine(max_context=128)
    finished = engine.generate(request("s", [ChatMessage("user", "word " * 400)], max_new_tokens=8))
    assert finished.usage.finish_reason == "error"
    assert "too long for the model's context" in finished.usage.error
