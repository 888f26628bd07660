"""The WebSocket gate: which pages may open a socket to this site."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator, WebsocketDenier
from django.conf import settings

from supportbot.widget.models import AllowedOrigin


class SiteOrWidgetOriginValidator(OriginValidator):
    """Opens a WebSocket for pages of this site (ALLOWED_HOSTS, like channels'
    AllowedHostsOriginValidator) and for the host sites allowed in the admin; refuses the rest."""

    def __init__(self, application: Any) -> None:
        hosts = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
        super().__init__(application, hosts)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        origin = dict(scope.get("headers", [])).get(b"origin", b"").decode("latin-1")
        if self.valid_origin(urlsplit(origin) if origin else None) or (
            origin and await database_sync_to_async(AllowedOrigin.allows)(origin)
        ):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
