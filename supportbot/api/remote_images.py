"""Fetching `image_url` parts that are http(s) URLs, only from hosts the operator allowed.

Fetching arbitrary URLs from a server invites SSRF (internal addresses, cloud metadata), so it is
off unless SUPPORTBOT_API_IMAGE_URL_HOSTS names hosts; then only those exact host names are
fetched, redirects are not followed (they could lead anywhere), and size and time are capped.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import requests
from django.conf import settings

from supportbot.api.errors import ApiError, invalid

CHUNK_BYTES = 64 * 1024


def fetch_image_bytes(url: str, param: str) -> bytes:
    """The body of `url`, or an ApiError (400) that says why not."""
    parts = urlsplit(url)
    allowed = settings.API_IMAGE_URL_HOSTS
    if not allowed:
        raise invalid(
            param,
            "this server does not fetch image URLs; send the image inline as a data URL "
            "(data:image/png;base64,...)",
            code="image_url_not_allowed",
        )
    if parts.scheme not in ("http", "https") or parts.hostname not in allowed or parts.username:
        raise invalid(param, f"image URLs are fetched only from: {', '.join(allowed)}", code="image_url_not_allowed")
    limit, timeout = settings.UPLOAD_MAX_BYTES, settings.API_IMAGE_URL_TIMEOUT_S
    deadline = time.monotonic() + timeout
    try:
        with requests.get(url, stream=True, timeout=timeout, allow_redirects=False) as response:
            if response.is_redirect:
                raise invalid(param, "the image URL redirects; redirects are not followed", code="image_url_failed")
            if response.status_code != 200:
                raise invalid(param, f"the image URL answered HTTP {response.status_code}", code="image_url_failed")
            return _read_capped(response, limit, deadline, param)
    except ApiError:
        raise
    except requests.RequestException as error:
        raise invalid(param, f"the image URL could not be fetched ({type(error).__name__})", code="image_url_failed") from None


def _read_capped(response: requests.Response, limit: int, deadline: float, param: str) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise invalid(param, f"the image is larger than {limit // 2**20} MB", code="image_too_large")
    body = bytearray()
    for chunk in response.iter_content(CHUNK_BYTES):
        body += chunk
        if len(body) > limit:
            raise invalid(param, f"the image is larger than {limit // 2**20} MB", code="image_too_large")
        if time.monotonic() > deadline:  # a server trickling bytes must not hold the request
            raise invalid(param, "the image URL took too long to answer", code="image_url_failed")
    return bytes(body)
