"""Issue 16, item 3: a body without Content-Length (chunked) is capped like a declared one. Django
would otherwise read it to the end, spooling it to disk, however long it is."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from asgiref.testing import ApplicationCommunicator

from supportbot.asgi import MAX_REQUEST_BYTES, application

pytestmark = pytest.mark.django_db(transaction=True)

CHUNK = 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]


def _chunked_post(path: str) -> ApplicationCommunicator:
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "scheme": "http",
        "headers": [(b"host", b"localhost"), (b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
        "client": ["198.51.100.7", 50000],
        "server": ["localhost", 80],
    }
    return ApplicationCommunicator(application, scope)


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/conversations/00000000-0000-0000-0000-000000000001/attachments/"])
async def test_a_chunked_body_over_the_cap_is_refused_as_it_streams(path):
    request = _chunked_post(path)
    sent = 0
    # The client never says the body ended: only counting the bytes as they come can stop it.
    while sent <= MAX_REQUEST_BYTES:
        await request.send_input({"type": "http.request", "body": b" " * CHUNK, "more_body": True})
        sent += CHUNK
    start = await request.receive_output(timeout=10)
    body = await request.receive_output(timeout=10)
    assert start["status"] == 413
    assert json.loads(body["body"])["error"] == "too_large"
    await request.wait(timeout=10)  # the application gave up on the request, and said nothing more


async def test_a_chunked_body_within_the_cap_still_reaches_the_view():
    request = _chunked_post("/v1/chat/completions")
    await request.send_input({"type": "http.request", "body": b"{}", "more_body": True})
    await request.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await request.receive_output(timeout=10)
    assert start["status"] == 401  # the API's own answer: no key


def test_the_nginx_recipe_allows_the_largest_request():
    recipe = (ROOT / "docs" / "deploy.md").read_text()
    size = re.search(r"client_max_body_size (\d+)m;", recipe)
    assert size is not None
    assert int(size[1]) * 1024 * 1024 >= MAX_REQUEST_BYTES
