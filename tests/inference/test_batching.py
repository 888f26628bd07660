"""Concurrent sessions decode in one batched forward and get exactly what they get alone."""

import threading

from inference.types import ChatMessage
from tests.engine_fixtures import make_engine, request, screenshot, tiny_model  # noqa: F401

CONVERSATIONS = {
    "short": [ChatMessage("user", "Hi")],
    "image": [ChatMessage("user", "What is this error?", [screenshot(7)])],
    "long": [
        ChatMessage("system", "You are SupportBot, a helpful support assistant for a bank."),
        ChatMessage("user", "I tried to pay my bill three times and it failed every time " * 6),
    ],
    "history": [
        ChatMessage("user", "My order did not arrive."),
        ChatMessage("assistant", "Sorry to hear that. What is the order number?"),
        ChatMessage("user", "It is 55-2231, placed last week.", [screenshot(8, (300, 200))]),
    ],
    "chinese": [ChatMessage("user", "我的账户被锁定了,怎么办?")],
}


def generate_all_at_once(engine):
    results = {}

    def run(name):
        results[name] = engine.generate(request(name, CONVERSATIONS[name], max_new_tokens=16))

    threads = [threading.Thread(target=run, args=(name,)) for name in CONVERSATIONS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_batched_greedy_equals_unbatched(make_engine):
    batched = make_engine(batch_window_s=0.5, max_step_tokens=4096)
    together = generate_all_at_once(batched)
    assert batched.stats()["peak_batch"] == len(CONVERSATIONS)

    alone = make_engine(max_batch=1)
    for name, messages in CONVERSATIONS.items():
        single = alone.generate(request(name, messages, max_new_tokens=16))
        assert together[name].text == single.text, name
        assert together[name].usage.completion_tokens == single.usage.completion_tokens


def test_chunked_prefill_equals_one_piece(make_engine):
    """A prompt fed in small chunks (mixed with other sessions' decode steps) gives the same reply."""
    whole = make_engine(max_step_tokens=4096)
    chunked = make_engine(max_step_tokens=8)
    for name in ("long", "history"):
        expected = whole.generate(request(name, CONVERSATIONS[name], max_new_tokens=10))
        assert chunked.generate(request(name, CONVERSATIONS[name], max_new_tokens=10)).text == expected.text


def test_interleaved_sessions_never_see_each_other(make_engine):
    """Two conversations advanced turn by turn in one engine give what each gives in its own."""
    shared = make_engine()
    own = {name: make_engine() for name in ("a", "b")}
    script = {
        "a": ["My card was declined.", "It is a Visa.", "Still declined."],
        "b": ["Where is my parcel?", "Tracking says delivered.", "Not at my door."],
    }
    history = {name: {"shared": [], "own": []} for name in script}
    for turn in range(3):
        for name in script:
            for where, engine in (("shared", shared), ("own", own[name])):
                messages = history[name][where]
                messages.append(ChatMessage("user", script[name][turn]))
                finished = engine.generate(request(name, messages))
                messages.append(ChatMessage("assistant", finished.text))
    for name in script:
        assert [m.text for m in history[name]["shared"]] == [m.text for m in history[name]["own"]]
    assert shared.stats()["hits"] >= 4
