"""Requests without a session id (stateless API clients) still reuse cached prefixes: the next
turn of a conversation takes over its cache, and a conversation sharing only the start of
another gets a copy of that part, leaving the other's cache intact."""

from inference.types import ChatMessage
from tests.engine_fixtures import make_engine, request, screenshot, tiny_model  # noqa: F401

SYSTEM = ChatMessage("system", "You are SupportBot, the support assistant of a phone shop. Be brief and kind.")


def test_next_turn_of_a_sessionless_conversation_reuses_its_cache(make_engine):
    engine = make_engine()
    messages = [SYSTEM, ChatMessage("user", "My screen cracked.", [screenshot(1)])]
    first = engine.generate(request("", messages))
    messages += [ChatMessage("assistant", first.text), ChatMessage("user", "Is it covered by warranty?")]
    second = engine.generate(request("", messages))
    assert first.usage.cached_tokens == 0
    assert second.usage.cached_tokens >= first.usage.prompt_tokens
    # Same tokens as a session-keeping client gets.
    keeping = make_engine()
    kept_first = keeping.generate(request("s", messages[:2]))
    kept_second = keeping.generate(request("s", [*messages[:2], ChatMessage("assistant", kept_first.text), messages[3]]))
    assert (kept_first.text, kept_second.text) == (first.text, second.text)


def test_shared_start_is_copied_not_stolen(make_engine):
    engine = make_engine()
    a = [SYSTEM, ChatMessage("user", "Where is my order 1234?")]
    a_reply = engine.generate(request("", a))
    b = [SYSTEM, ChatMessage("user", "Can I return a charger?")]
    b_reply = engine.generate(request("", b))
    assert b_reply.usage.cached_tokens > 10  # the system prompt came from a's cache
    assert engine.stats()["forks"] == 1
    # a's conversation continues with its cache untouched.
    a += [ChatMessage("assistant", a_reply.text), ChatMessage("user", "It has been a week.")]
    assert engine.generate(request("", a)).usage.cached_tokens >= a_reply.usage.prompt_tokens
