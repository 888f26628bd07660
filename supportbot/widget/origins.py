"""How an origin is spelled: the form the admin stores and browsers send (Origin, location.origin)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalized_origin(value: str) -> str:
    """An origin as browsers serialise it ("https://shop.example.com", "http://127.0.0.1:8001"),
    or ValidationError for anything with a path, a query, credentials or another scheme."""
    text = (value or "").strip().rstrip("/")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise ValidationError(f"Not an origin: {error}.") from error
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValidationError("An origin is http:// or https:// followed by a host name.")
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError("An origin has no path, query or user name: https://www.example.com")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if port is None or port == DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"
