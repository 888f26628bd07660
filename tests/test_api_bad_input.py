"""Bad requests get a 400 in OpenAI's error shape whose message names the offending field."""

from __future__ import annotations

import pytest
import requests

from tests.api_app import MODEL, api_app, auth, data_url, main_key, screenshot_url, user_message

pytestmark = pytest.mark.timeout(120)


def post(payload: dict | bytes) -> requests.Response:
    kwargs = {"data": payload} if isinstance(payload, bytes) else {"json": payload}
    return requests.post(
        api_app().base_url + "/v1/chat/completions", headers=auth(main_key()), timeout=30, **kwargs
    )


def refusal(messages: list, status: int = 400, **extra) -> dict:
    response = post({"model": MODEL, "messages": messages, **extra})
    assert response.status_code == status, response.text
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
def test_bad_content_parts(part, param, words):
    error = refusal([{"role": "user", "content": [{"type": "text", "text": "Look"}, part]}])
    assert error["param"] == param and error["message"].startswith(param) and words in error["message"]


def test_a_data_url_that_is_not_an_image():
    error = refusal([user_message("Look", data_url(b"%PDF-1.4 not an image", "image/png"))])
    assert error["param"] == "messages[0].content[1].image_url"
    assert "images are accepted" in error["message"] and error["code"] == "invalid_image"


def test_a_data_url_that_is_not_base64():
    error = refusal([user_message("Look", "data:image/png;base64,@@@notbase64@@@")])
    assert "not valid base64" in error["message"]
    error = refusal([user_message("Look", "ftp://example.com/x.png")])
    assert "data URL" in error["message"]


def test_remote_image_urls_are_refused_while_disabled():
    error = refusal([user_message("Look", "http://127.0.0.1:9/screenshot.png")])
    assert error["param"] == "messages[0].content[1].image_url"
    assert error["code"] == "image_url_not_allowed"


def test_other_mistakes():
    assert "images" in refusal([{"role": "assistant", "content": [{"type": "image_url", "image_url": {"url": screenshot_url()}}]}, {"role": "user", "content": "?"}])["message"]
    assert refusal([{"role": "assistant", "content": "Hi"}])["param"] == "messages"
    assert refusal([{"role": "user", "content": "Hi"}], temperature=3)["param"] == "temperature"
    assert refusal([{"role": "tool", "content": "Hi"}])["param"] == "messages[0].role"
    assert refusal([], status=400)["param"] == "messages"
    unknown = post({"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "model_not_found"
    assert post(b"{not json").json()["error"]["code"] == "invalid_json"
