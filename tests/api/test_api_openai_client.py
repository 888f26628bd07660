"""The official `openai` client against the live server: plain, streaming with usage, an image,
and a follow-up call that reuses the first call's cached prefix."""

from __future__ import annotations

import secrets

import openai
import pytest

from tests.api_app import MODEL, api_app, main_key, screenshot_url, user_message

pytestmark = [pytest.mark.services, pytest.mark.timeout(120)]

SYSTEM = {"role": "system", "content": "You are the support assistant of a phone shop. Be brief."}


@pytest.fixture(scope="module")
def client() -> openai.OpenAI:
    return openai.OpenAI(base_url=api_app().base_url + "/v1", api_key=main_key(), max_retries=0)


def test_plain_completion(client):
    completion = client.chat.completions.create(
        model=MODEL, messages=[SYSTEM, {"role": "user", "content": "Hello?"}], max_tokens=8
    )
    assert completion.object == "chat.completion"
    assert completion.choices[0].message.role == "assistant"
    assert completion.choices[0].message.content
    assert completion.choices[0].finish_reason in ("stop", "length")
    usage = completion.usage
    assert 0 < usage.completion_tokens <= 8
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.prompt_tokens_details.cached_tokens >= 0


def test_streaming_with_usage(client):
    chunks = list(
        client.chat.completions.create(
            model=MODEL,
            messages=[SYSTEM, {"role": "user", "content": "Tell me about returns."}],
            max_tokens=10,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    content = [c.choices[0].delta.content for c in chunks[1:] if c.choices and c.choices[0].delta.content]
    assert content, "no content deltas"
    finishing = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert len(finishing) == 1 and finishing[0].choices[0].finish_reason in ("stop", "length")
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens >= 1
    assert len({chunk.id for chunk in chunks}) == 1


def test_image_and_a_follow_up_reusing_the_cached_prefix(client):
    # A question of its own, so that no earlier identical call answers it from the result cache.
    question = f"Why can't I log in? (ticket {secrets.token_hex(4)})"
    messages = [SYSTEM, user_message(question, screenshot_url("Account locked"))]
    first = client.chat.completions.create(model=MODEL, messages=messages, temperature=0, max_tokens=12)
    assert first.choices[0].message.content
    messages += [
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": "What should I do now?"},
    ]
    second = client.chat.completions.create(model=MODEL, messages=messages, temperature=0, max_tokens=12)
    cached = second.usage.prompt_tokens_details.cached_tokens
    # The whole first call (its prompt, image included, and most of its reply) came from cache.
    assert cached >= first.usage.prompt_tokens, (cached, first.usage)
    assert second.usage.prompt_tokens > cached


def test_models_are_listed(client):
    assert MODEL in [model.id for model in client.models.list()]
