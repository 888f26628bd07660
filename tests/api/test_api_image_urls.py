"""http(s) image URLs in API requests: fetched only from allowed hosts, never through a
redirect, within size and time limits; refused with a clear 400 otherwise. A real HTTP server on
127.0.0.1 serves the images."""

from __future__ import annotations

import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from supportbot.api.errors import ApiError
from supportbot.api.prompts import prepare_messages
from supportbot.api.specs import ChatCompletionSpec


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


class ImageServer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/screen.png":
            self._reply(200, png_bytes())
        elif self.path == "/moved.png":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
        elif self.path == "/huge.png":
            self._reply(200, b"\0" * (2 * 1024 * 1024))
        elif self.path == "/slow.png":
            time.sleep(3)
            self._reply(200, png_bytes())
        else:
            self._reply(404, b"")

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), ImageServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def allow_loopback(settings):
    settings.API_IMAGE_URL_HOSTS = ["127.0.0.1"]
    settings.API_IMAGE_URL_TIMEOUT_S = 1
    settings.UPLOAD_MAX_BYTES = 1024 * 1024


def request_with_image(url: str) -> ChatCompletionSpec:
    content = [{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": url}}]
    return ChatCompletionSpec.model_validate({"model": "glm-4.6v-flash-web", "messages": [{"role": "user", "content": content}]})


def refusal(url: str) -> ApiError:
    with pytest.raises(ApiError) as raised:
        prepare_messages(request_with_image(url))
    assert raised.value.param == "messages[0].content[1].image_url"
    return raised.value


def test_an_allowed_host_is_fetched(server_url, allow_loopback):
    (message,) = prepare_messages(request_with_image(server_url + "/screen.png"))
    assert message.images[0].image.size == (120, 80) and message.image_hashes


def test_refused_unless_the_host_is_allowed(server_url, settings):
    settings.API_IMAGE_URL_HOSTS = []
    assert refusal(server_url + "/screen.png").code == "image_url_not_allowed"
    settings.API_IMAGE_URL_HOSTS = ["images.example.com"]
    error = refusal(server_url + "/screen.png")
    assert error.code == "image_url_not_allowed" and "images.example.com" in str(error)


@pytest.mark.parametrize(
    ("path", "code", "words"),
    [
        ("/moved.png", "image_url_failed", "redirects are not followed"),
        ("/huge.png", "image_too_large", "larger than 1 MB"),
        ("/slow.png", "image_url_failed", "could not be fetched"),
        ("/missing.png", "image_url_failed", "HTTP 404"),
    ],
)
def test_redirects_size_time_and_errors(server_url, allow_loopback, path, code, words):
    error = refusal(server_url + path)
    assert error.code == code and words in str(error)
