"""The ASGI application Daphne serves: Django over HTTP, the chat consumer over WebSockets."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportbot.settings")
# Django must be set up before anything imports models.
django_http = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.auth import AuthMiddleware  # noqa: E402
from channels.sessions import CookieMiddleware, SessionMiddleware  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from supportbot.agents.routing import websocket_urlpatterns as console_urlpatterns  # noqa: E402
from supportbot.chat.identity import WebsocketVisitorMiddleware  # noqa: E402
from supportbot.chat.routing import websocket_urlpatterns  # noqa: E402
from supportbot.chat.shutdown import install_goodbye  # noqa: E402
from supportbot.embedded_beat import EmbeddedBeat  # noqa: E402
from supportbot.lib.client_address import TrustedProxyHeaders, trusted_networks  # noqa: E402
from supportbot.lib.request_size import RequestSizeLimit  # noqa: E402
from supportbot.ops.metrics import CountWebSockets  # noqa: E402
from supportbot.widget.sockets import SiteOrWidgetOriginValidator  # noqa: E402

# Multipart framing around the largest allowed image, or the API's own (lower) body limit.
MAX_REQUEST_BYTES = max(settings.UPLOAD_MAX_BYTES, settings.API_MAX_BODY_BYTES) + 256 * 1024


router = ProtocolTypeRouter(
    {
        # Static files are served by the app itself so `make run` needs nothing in front of it.
        "http": RequestSizeLimit(ASGIStaticFilesHandler(django_http), MAX_REQUEST_BYTES),
        # Only pages of this site (ALLOWED_HOSTS) and the widget's host sites allowed in the admin
        # may open a socket.
        "websocket": CountWebSockets(
            SiteOrWidgetOriginValidator(
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
# Per-address limits (chat.address_limits) and Django see the real client, not the proxy: Daphne
# runs without --proxy-headers, which would believe the client's own X-Forwarded-For.
application = TrustedProxyHeaders(router, trusted_networks(settings.TRUSTED_PROXIES))
if settings.EMBEDDED_BEAT:
    application = EmbeddedBeat(application)

install_goodbye()
# Everything loaded so far lives as long as the process: keep it out of the garbage collector's
# full collections, which otherwise pause every connection (the engine freezes its model too).
gc.freeze()
