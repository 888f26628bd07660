"""Bad requests get a 400 in OpenAI's error shape whose message names the offending field.
Validation only: Django's in-process client, no server."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client

from supportbot.api.completions import sampling_of
from supportbot.api.specs import ChatCompletionSpec
from tests.api_app import MODEL, data_url, screenshot_url, user_message

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(120)]


@pytest.fixture
def post() -> Callable[[dict | bytes], HttpResponse]:
    """POST a body to /v1/chat/completions with a fresh API key."""
    out = io.StringIO()
    call_command("api_key", "create", "tests", stdout=out)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")

    def post(payload: dict | bytes) -> HttpResponse:
        body = payload if isinstance(payload, bytes) else json.dumps(payload)
        return client.post("/v1/chat/completions", body, content_type="application/json")

    return post


def refusal(post: Callable[[dict], HttpResponse], messages: list, status: int = 400, **extra) -> dict:
    response = post({"model": MODEL, "messages": messages, **extra})
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.mark.parametrize(
    ("part", "param", "words"),
    [
        ({"type": "image_url"}, "messages[0].content[1].image_url", "Field required"),
        ({"type": "image_url", "image_url": {}}, "messages[0].content[1].image_url.url", "Field required"),
        ({"type": "audio", "data": "x"}, "messages[0].content[1]", "does not match"),
        ({"type": "text"}, "messages[0].content[1].text", "Field required"),
    ],
)
def test_bad_content_parts(post, part, param, words):
    error = refusal(post, [{"role": "user", "content": [{"type": "text", "text": "Look"}, part]}])
    assert error["param"] == param and error["message"].startswith(param) and words in error["message"]


def test_a_data_url_that_is_not_an_image(post):
    error = refusal(post, [user_message("Look", data_url(b"%PDF-1.4 not an image", "image/png"))])
    assert error["param"] == "messages[0].content[1].image_url"
    assert "images are accepted" in error["message"] and error["code"] == "invalid_image"


def test_a_data_url_that_is_not_base64(post):
    error = refusal(post, [user_message("Look", "data:image/png;base64,@@@notbase64@@@")])
    assert "not valid base64" in error["message"]
    error = refusal(post, [user_message("Look", "ftp://example.com/x.png")])
    assert "data URL" in error["message"]


def test_remote_image_urls_are_refused_while_disabled(post):
    error = refusal(post, [user_message("Look", "http://127.0.0.1:9/screenshot.png")])
    assert error["param"] == "messages[0].content[1].image_url"
    assert error["code"] == "image_url_not_allowed"


def test_other_mistakes(post):
    assert "images" in refusal(post, [{"role": "assistant", "content": [{"type": "image_url", "image_url": {"url": screenshot_url()}}]}, {"role": "user", "content": "?"}])["message"]
    assert refusal(post, [{"role": "assistant", "content": "Hi"}])["param"] == "messages"
    assert refusal(post, [{"role": "user", "content": "Hi"}], temperature=3)["param"] == "temperature"
    assert refusal(post, [{"role": "user", "content": "Hi"}], presence_penalty=-2.5)["param"] == "presence_penalty"
    assert refusal(post, [{"role": "tool", "content": "Hi"}])["param"] == "messages[0].role"
    assert refusal(post, [], status=400)["param"] == "messages"
    unknown = post({"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "model_not_found"
    assert post(b"{not json").json()["error"]["code"] == "invalid_json"


def test_penalties_reach_the_engine_as_sampling():
    spec = ChatCompletionSpec.model_validate(
        {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "frequency_penalty": 0.5, "presence_penalty": 1}
    )
    sampling = sampling_of(spec)
    assert (sampling["frequency_penalty"], sampling["presence_penalty"]) == (0.5, 1.0)
