"""An inference worker's Prometheus metrics on SUPPORTBOT_WORKER_METRICS_PORT (0: not at all), to
requests bearing SUPPORTBOT_METRICS_TOKEN only: a worker has no logged-in staff. What is counted
is registered by the apps that count it (ops.metrics)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any
from wsgiref.simple_server import make_server

from django.conf import settings
from prometheus_client import make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer, _SilentHandler

from supportbot.lib.auth import bearer_token_matches

log = logging.getLogger(__name__)


def serve_worker_metrics() -> None:
    port = settings.WORKER_METRICS_PORT
    if not port:
        return
    if not settings.METRICS_TOKEN:
        log.warning("SUPPORTBOT_METRICS_TOKEN is empty: worker metrics on port %s refuse every request", port)
    metrics_app = make_wsgi_app()

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not bearer_token_matches(environ.get("HTTP_AUTHORIZATION", ""), settings.METRICS_TOKEN):
            start_response("401 Unauthorized", [("WWW-Authenticate", "Bearer"), ("Content-Type", "text/plain")])
            return [b"A bearer token is required.\n"]
        return metrics_app(environ, start_response)

    server = make_server("", port, guarded, ThreadingWSGIServer, handler_class=_SilentHandler)
    threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True).start()
    log.info("worker metrics on port %s", port)
