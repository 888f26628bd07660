"""Reusing a session's KV cache must give exactly what recomputing the whole history gives."""

import torch

from inference.chat_format import GlmFormat
from inference.types import ChatMessage
from tests.engine_fixtures import make_engine, reference_reply, request, screenshot, tiny_model  # noqa: F401

TURNS = [
    ("My screen shows this error after login.", [1]),
    ("I restarted the app, same thing.", []),
    ("What does the code mean?", []),
    ("Now it looks like this.", [2]),
    ("Is my account locked?", []),
    ("Here are both screens side by side.", [3, 4]),
    ("Should I reinstall?", []),
    ("Thanks, anything else?", []),
]


def run_conversation(engine, session_id="conv"):
    messages = [ChatMessage("system", "You are SupportBot.")]
    replies, usages = [], []
    for text, image_seeds in TURNS:
        messages.append(ChatMessage("user", text, [screenshot(s) for s in image_seeds]))
        finished = engine.generate(request(session_id, messages))
        replies.append(finished)
        usages.append(finished.usage)
        messages.append(ChatMessage("assistant", finished.text))
    return messages, replies, usages


def reference_conversation(engine, max_new_tokens=12):
    messages = [ChatMessage("system", "You are SupportBot.")]
    memo, replies = {}, []
    for text, image_seeds in TURNS:
        messages.append(ChatMessage("user", text, [screenshot(s) for s in image_seeds]))
        tokens = reference_reply(engine, messages, memo, max_new_tokens)
        reply = [t for t in tokens if t not in engine.format.stop_token_ids]
        reply_text = engine.loaded.tokenizer.decode(reply, skip_special_tokens=True)
        memo[reply_text] = reply
        replies.append(tokens)
        messages.append(ChatMessage("assistant", reply_text))
    return replies


def engine_tokens(finished, engine):
    return engine.loaded.tokenizer(finished.text, add_special_tokens=False)


def test_cached_turns_equal_full_recompute(make_engine):
    engine = make_engine()
    _, replies, usages = run_conversation(engine)
    reference = reference_conversation(engine)
    memo = engine.store.sessions["conv"].reply_memo
    for turn, (finished, expected) in enumerate(zip(replies, reference), 1):
        expected_reply = [t for t in expected if t not in engine.format.stop_token_ids]
        assert memo[finished.text] == expected_reply, f"turn {turn} differs from recompute"
        assert finished.usage.completion_tokens == len(expected)
    # Every turn after the first reused the cache and prefilled only the new part.
    for previous, usage in zip(usages, usages[1:]):
        assert usage.cached_tokens >= previous.prompt_tokens
        assert usage.prompt_tokens - usage.cached_tokens < 200


def test_wrong_positions_are_detected(make_engine, monkeypatch):
    """The equality above depends on M-RoPE positions: with plain 1-D positions (what you get by
    counting tokens) the same comparison fails, so the test above can catch a position bug."""
    monkeypatch.setattr(GlmFormat, "positions", lambda self, prompt: torch.arange(len(prompt)).expand(3, -1))
    engine = make_engine()
    _, replies, _ = run_conversation(engine)
    monkeypatch.undo()
    reference = reference_conversation(engine)
    memo = engine.store.sessions["conv"].reply_memo
    produced = [memo.get(f.text) for f in replies]
    expected = [[t for t in r if t not in engine.format.stop_token_ids] for r in reference]
    assert produced != expected


def test_positions_match_transformers_rope_index(make_engine):
    engine = make_engine()
    messages, _, _ = run_conversation(engine)
    images = [[engine.media.prepare(i) for i in m.images] for m in messages]
    prompt = engine.format.render(messages[:-1], images[:-1], engine.store.sessions["conv"].reply_memo)
    input_ids = torch.tensor([prompt.token_ids])
    grids = torch.tensor([span.image.grid_thw for span in prompt.images])
    expected, _ = engine.loaded.model.model.get_rope_index(
        input_ids, (input_ids == engine.format.image_token_id).int(), image_grid_thw=grids
    )
    assert len(prompt.images) == 4
    assert torch.equal(prompt.positions, expected[:, 0])
