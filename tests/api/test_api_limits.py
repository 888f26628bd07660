"""Per-key rate limits answer 429 with Retry-After; an oversized body is refused with 413."""

from __future__ import annotations

import pytest
import requests

from tests.api_app import MAX_BODY_BYTES, MODEL, api_app, auth, create_key, main_key

pytestmark = [pytest.mark.services, pytest.mark.timeout(120)]


def post(token: str, body: dict) -> requests.Response:
    return requests.post(
        api_app().base_url + "/v1/chat/completions", json=body, headers=auth(token), timeout=30
    )


def body(text: str = "Hi", max_tokens: int = 2) -> dict:
    return {"model": MODEL, "messages": [{"role": "user", "content": text}], "max_tokens": max_tokens}


def test_requests_per_minute_limit_answers_429_with_retry_after():
    token = create_key("limited", "--requests-per-minute", "2")
    assert [post(token, body()).status_code for _ in range(2)] == [200, 200]
    refused = post(token, body())
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "rate_limit_exceeded"
    assert refused.json()["error"]["type"] == "rate_limit_error"
    # Other keys are not affected.
    assert post(main_key(), body()).status_code == 200


def test_tokens_per_minute_limit():
    token = create_key("few tokens", "--tokens-per-minute", "10")
    assert post(token, body(max_tokens=8)).status_code == 200  # crosses the limit, still answered
    refused = post(token, body())
    assert refused.status_code == 429 and "tokens per minute" in refused.json()["error"]["message"]
    assert int(refused.headers["Retry-After"]) >= 1


def test_oversized_body_is_refused_with_413():
    response = post(main_key(), body(text="x" * MAX_BODY_BYTES))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
