"""Raw HTTP in the seed article's exact request shape; calls logged as API conversations; identical
deterministic calls answered from the result cache."""

from __future__ import annotations

import base64
import json
import time

import pytest
import requests

from tests.api_app import api_app, main_key, query_logs
from tests.chat_fixtures import image_bytes, screenshot_png

pytestmark = [pytest.mark.services, pytest.mark.timeout(120)]


def seed_request(image_b64: str, prompt: str, api_key: str, **overrides) -> requests.Response:
    """The seed article's client, verbatim but for the host and the Authorization header."""
    return requests.post(
        api_app().base_url + "/v1/chat/completions",
        headers={"Authorization": f"Bearer {api_key}"},
        json={
            "model": "glm-4.6v-flash-web",
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": prompt},
                        {"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{image_b64}"}},
                    ],
                }
            ],
            "max_tokens": 512,
            "temperature": 0.7,
            **overrides,
        },
        timeout=60,
    )


def jpeg_b64() -> str:
    from PIL import Image
    import io

    image = Image.open(io.BytesIO(screenshot_png(label="Order 1234 refused")))
    return base64.b64encode(image_bytes(image, "JPEG", quality=85)).decode()


def test_the_seed_articles_request_shape():
    response = seed_request(jpeg_b64(), "请描述这张图片的内容,并指出是否有违规信息。", main_key())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "chat.completion"
    print(body["choices"][0]["message"]["content"])  # the article's own last line
    assert body["choices"][0]["message"]["content"]
    # Logged like a chat turn: an API conversation with the message, its image and the reply.
    conversation_id = body["id"].removeprefix("chatcmpl-")
    rows = query_logs(
        "SELECT m.role, m.completion_tokens, (SELECT count(*) FROM chat_attachment a WHERE a.message_id = m.id)"
        " FROM chat_message m JOIN chat_conversation c ON c.id = m.conversation_id"
        " WHERE c.source = 'api' AND replace(c.id, '-', '') = ? ORDER BY m.id",
        conversation_id,
    )
    assert rows == [("user", None, 1), ("assistant", body["usage"]["completion_tokens"], 0)]


def test_identical_deterministic_calls_come_from_the_result_cache():
    image = jpeg_b64()
    calls = []
    for _ in range(2):
        started = time.perf_counter()
        response = seed_request(image, "Is this order refused?", main_key(), temperature=0, max_tokens=16)
        calls.append((response.json(), time.perf_counter() - started))
    (first, _), (second, _) = calls
    assert first["choices"][0]["message"] == second["choices"][0]["message"]
    assert second["usage"]["prompt_tokens_details"]["cached_tokens"] == second["usage"]["prompt_tokens"]
    logged = query_logs(
        "SELECT replace(conversation_id, '-', ''), from_result_cache FROM api_apicall"
        " WHERE replace(conversation_id, '-', '') IN (?, ?)",
        first["id"].removeprefix("chatcmpl-"),
        second["id"].removeprefix("chatcmpl-"),
    )
    assert dict(logged) == {
        first["id"].removeprefix("chatcmpl-"): 0,
        second["id"].removeprefix("chatcmpl-"): 1,
    }
    # Sampling (temperature > 0) is never answered from the cache.
    sampled = seed_request(image, "Is this order refused?", main_key(), max_tokens=16).json()
    assert sampled["usage"]["prompt_tokens_details"]["cached_tokens"] < sampled["usage"]["prompt_tokens"]


def test_raw_stream_is_server_sent_events_ending_with_done():
    response = seed_request(jpeg_b64(), "Describe it.", main_key(), stream=True, max_tokens=6)
    assert response.headers["Content-Type"].startswith("text/event-stream")
    events = [line for line in response.text.split("\n\n") if line]
    assert all(event.startswith("data: ") for event in events)
    assert events[-1] == "data: [DONE]"
    assert '"role": "assistant"' in events[0]


def test_citations_come_only_when_asked():
    """With `citations` (sent by OpenAI clients through extra_body), the call answers from the
    help center and names the articles used; without it, nothing about them."""
    api_app().manage("kb_import", "supportbot/knowledge/sample/en")
    question = {"role": "user", "content": "My account is locked with ERR-1102 after wrong passwords. How long?"}

    def ask(**extra) -> dict:
        response = requests.post(
            api_app().base_url + "/v1/chat/completions",
            headers={"Authorization": f"Bearer {main_key()}"},
            json={"model": "glm-4.6v-flash-web", "messages": [question], "max_tokens": 8, **extra},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return response.json()

    cited = ask(citations=True)
    assert cited["citations"][0]["title"].startswith("Account locked")
    assert cited["citations"][0]["url"].startswith("https://")
    # The model's words only: the chat page's quoted passage is not put into the content.
    assert not cited["choices"][0]["message"]["content"].startswith("**From the help center")
    assert "citations" not in ask()
    streamed = requests.post(
        api_app().base_url + "/v1/chat/completions",
        headers={"Authorization": f"Bearer {main_key()}"},
        json={"model": "glm-4.6v-flash-web", "messages": [question], "max_tokens": 8, "stream": True, "citations": True},
        timeout=60,
    )
    # Split on newlines only: a token may hold a character that str.splitlines() also splits on.
    chunks = [json.loads(line[6:]) for line in streamed.text.split("\n") if line.startswith("data: {")]
    assert [c["citations"][0]["title"][:14] for c in chunks if "citations" in c] == ["Account locked"]
    assert chunks[-1].get("citations") and chunks[-1]["choices"][0]["finish_reason"]
