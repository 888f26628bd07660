"""Issue 16, item 4: an API request cannot make the server decode any number of images. An 8 MB
body holds about a hundred solid-colour PNGs of 20 megapixels each (75 KB apiece); their count and
their pixels together are checked from the headers before any of them is decoded."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from PIL import Image

from supportbot.api import prompts
from tests.api_app import MODEL, data_url, screenshot_url, user_message

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


@pytest.fixture
def decodes(monkeypatch) -> list[int]:
    """Each image decode_image is asked to decode (its length in bytes)."""
    seen: list[int] = []
    real = prompts.decode_image

    def counting(data: bytes):
        seen.append(len(data))
        return real(data)

    monkeypatch.setattr(prompts, "decode_image", counting)
    return seen


@pytest.fixture
def client() -> Client:
    out = io.StringIO()
    call_command("api_key", "create", "security", stdout=out)
    return Client(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")


def _post(client: Client, *image_urls: str):
    body = {"model": MODEL, "messages": [user_message("What is wrong?", *image_urls)], "max_tokens": 1}
    return client.post("/v1/chat/completions", json.dumps(body), content_type="application/json")


def _solid_png(width: int, height: int) -> str:
    encoded = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(encoded, format="PNG")
    return data_url(encoded.getvalue())


def test_too_many_image_parts_are_refused_before_any_is_decoded(client, decodes, settings):
    response = _post(client, *[screenshot_url()] * (settings.API_MAX_IMAGES + 1))
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["param"]) == ("too_many_images", "messages")
    assert str(settings.API_MAX_IMAGES) in error["message"]
    assert decodes == []


def test_pixels_together_over_the_limit_are_refused_before_any_is_decoded(client, decodes, settings):
    huge = _solid_png(5000, 4000)  # 20 Mpx, each under the per-image limit
    assert len(huge) < 200_000
    response = _post(client, huge, huge, huge)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "too_many_pixels"
    assert error["param"] == "messages[0].content[3].image_url"  # the third image crossed it
    assert decodes == []


def test_images_within_both_limits_are_decoded(client, decodes, settings):
    settings.API_MAX_TOTAL_PIXELS = 3 * 320 * 200
    response = _post(client, *[screenshot_url(label=f"Error {i}") for i in range(3)])
    assert response.status_code == 200, response.content
    assert len(decodes) == 3
