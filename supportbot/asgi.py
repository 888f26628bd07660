"""The ASGI application Daphne serves: Django over HTTP, the chat consumer over WebSockets."""

import gc
import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportbot.settings")
# Django must be set up before anything imports models.
django_http = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.auth import AuthMiddleware  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import CookieMiddleware, SessionMiddleware  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from supportbot.agents.routing import websocket_urlpatterns as console_urlpatterns  # noqa: E402
from supportbot.chat.identity import WebsocketVisitorMiddleware  # noqa: E402
from supportbot.chat.routing import websocket_urlpatterns  # noqa: E402
from supportbot.chat.shutdown import install_goodbye  # noqa: E402
from supportbot.embedded_beat import EmbeddedBeat  # noqa: E402
from supportbot.ops.metrics import CountWebSockets  # noqa: E402

# Multipart framing around the largest allowed image, or the API's own (lower) body limit.
MAX_REQUEST_BYTES = max(settings.UPLOAD_MAX_BYTES, settings.API_MAX_BODY_BYTES) + 256 * 1024


class RequestSizeLimit:
    """Answers 413 to a request that declares a body over the limit before any of it is read,
    so an oversized upload never reaches Django's parser or the disk."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        declared = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.max_bytes:
            body = b'{"error": "too_large", "message": "The request is too large."}'
            await send(
                {
                    "type": "http.response.start",
                    "status": 413,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


application = ProtocolTypeRouter(
    {
        # Static files are served by the app itself so `make run` needs nothing in front of it.
        "http": RequestSizeLimit(ASGIStaticFilesHandler(django_http), MAX_REQUEST_BYTES),
        # Only pages of this site may open the chat socket (Origin must match ALLOWED_HOSTS).
        "websocket": CountWebSockets(
            AllowedHostsOriginValidator(
                # The Django session's user is what the agent console's socket checks.
                CookieMiddleware(
                    SessionMiddleware(
                        AuthMiddleware(
                            WebsocketVisitorMiddleware(
                                URLRouter(websocket_urlpatterns + console_urlpatterns)
                            )
                        )
                    )
                )
            )
        ),
    }
)
if settings.EMBEDDED_BEAT:
    application = EmbeddedBeat(application)

install_goodbye()
# Everything loaded so far lives as long as the process: keep it out of the garbage collector's
# full collections, which otherwise pause every connection (the engine freezes its model too).
gc.freeze()
