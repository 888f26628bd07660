"""The async stream: one delta per token in order, ending with usage."""

from inference.types import ChatMessage, Finished, TokenDelta
from tests.engine_fixtures import make_engine, request, screenshot, tiny_model  # noqa: F401


async def test_deltas_add_up_to_the_reply_and_end_with_usage(make_engine):
    engine = make_engine()
    events = [e async for e in engine.stream(request("s", [ChatMessage("user", "Look", [screenshot(5)])], max_new_tokens=20))]
    *deltas, finished = events
    assert all(isinstance(d, TokenDelta) for d in deltas) and isinstance(finished, Finished)
    assert len(deltas) >= 2
    assert "".join(d.text for d in deltas) == finished.text
    usage = finished.usage
    assert usage.finish_reason in ("stop", "length")
    assert usage.completion_tokens >= len(deltas)
    assert usage.prompt_tokens > 30  # the image's placeholders are counted
    assert 0 < usage.ttft_ms <= usage.total_ms


def test_sampling_with_a_seed_is_reproducible(make_engine):
    engine = make_engine()
    messages = [ChatMessage("user", "Say something")]
    texts = {engine.generate(request(f"s{i}", messages, max_new_tokens=16, temperature=1.0, top_p=0.9, seed=42)).text
             for i in range(2)}
    other = engine.generate(request("s9", messages, max_new_tokens=16, temperature=1.0, top_p=0.9, seed=7)).text
    assert len(texts) == 1 and other not in texts


def test_stop_strings_cut_the_reply(make_engine):
    engine = make_engine()
    messages = [ChatMessage("user", "Hello")]
    full = engine.generate(request("a", messages, max_new_tokens=12)).text
    stop = full[len(full) // 2 : len(full) // 2 + 2]
    cut = engine.generate(request("b", messages, max_new_tokens=12, stop=[stop]))
    assert cut.text == full[: full.index(stop)]
    assert cut.usage.finish_reason == "stop"
    assert cut.usage.stop_string == stop  # which one, when there are several


async def test_a_stop_string_that_never_comes_does_not_delay_the_stream(make_engine):
    """Only an end of the text that could grow into a stop string is held back."""
    engine = make_engine()
    messages = [ChatMessage("user", "Hello")]

    async def deltas(**sampling) -> list[str]:
        events = [e async for e in engine.stream(request("s", messages, max_new_tokens=12, **sampling))]
        return [e.text for e in events if isinstance(e, TokenDelta)]

    plain = await deltas()
    assert len(plain) >= 4
    assert await deltas(stop=["[[HANDOFF]]", "zzzzzz"]) == plain
