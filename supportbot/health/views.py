"""Probes for orchestrators and load balancers: /healthz (the process answers) and /readyz (it can
serve a chat turn). Both are uncached JSON with nothing in them but check names and states."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from supportbot.health.checks import readiness


@never_cache
@require_safe
async def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: touches nothing else, so a slow database never gets the web process restarted."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
async def readyz(request: HttpRequest) -> JsonResponse:
    checks = await readiness()
    ready = all(check.ok for check in checks.values())
    body = {
        "status": "ready" if ready else "unavailable",
        "checks": {name: check.detail for name, check in checks.items()},
        "failed": [name for name, check in checks.items() if not check.ok],
    }
    return JsonResponse(body, status=200 if ready else 503)
