"""Anonymous visitors: a random id in a signed cookie, readable from HTTP requests and WebSockets.

The id is the only credential a visitor has: it owns their conversations and attachments.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

_SALT = "supportbot.visitor"


def _signer() -> signing.TimestampSigner:
    return signing.get_cookie_signer(salt=settings.VISITOR_COOKIE_NAME + _SALT)


def read_visitor_cookie(value: str | None) -> uuid.UUID | None:
    """The visitor id in a cookie value, or None when it is missing, forged or expired."""
    if not value:
        return None
    try:
        return uuid.UUID(_signer().unsign(value, max_age=settings.VISITOR_COOKIE_MAX_AGE_S))
    except (signing.BadSignature, ValueError):
        return None


def visitor_cookie_value(visitor_id: uuid.UUID) -> str:
    return _signer().sign(str(visitor_id))


def set_visitor_cookie(response: HttpResponse, visitor_id: uuid.UUID, embedded: bool = False) -> None:
    """embedded: the page is framed by another site (the widget), whose frame receives a Lax cookie
    only when that site is the same site (a port of the same host); over HTTPS it is sent across
    sites too."""
    cross_site = embedded and settings.SESSION_COOKIE_SECURE
    response.set_cookie(
        settings.VISITOR_COOKIE_NAME,
        visitor_cookie_value(visitor_id),
        max_age=settings.VISITOR_COOKIE_MAX_AGE_S,
        httponly=True,
        samesite="None" if cross_site else "Lax",
        # Follows Django's session cookie: a deployment behind HTTPS turns both on together.
        secure=settings.SESSION_COOKIE_SECURE,
    )


class VisitorMiddleware:
    """Sets request.visitor_id (a UUID, or None for a visitor without a valid cookie)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.visitor_id = read_visitor_cookie(request.COOKIES.get(settings.VISITOR_COOKIE_NAME))
        return self.get_response(request)


class WebsocketVisitorMiddleware:
    """ASGI middleware: scope["visitor_id"] from the cookie (needs channels' CookieMiddleware)."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        cookie = scope.get("cookies", {}).get(settings.VISITOR_COOKIE_NAME)
        scope = {**scope, "visitor_id": read_visitor_cookie(cookie)}
        await self.app(scope, receive, send)
