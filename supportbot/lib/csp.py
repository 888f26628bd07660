"""The Content-Security-Policy header, built in one place (settings.CONTENT_SECURITY_POLICY).

Pages load scripts only from this site (no inline script runs, so injected markup cannot run
script), images only from this site and data:/blob: URLs (a planted image URL cannot carry
conversation text to another host), and connect only back to this site. A view that needs one
directive otherwise (the widget's frame names the site that may frame it in frame-ancestors) sets
just that directive in the header; this middleware keeps it and adds the rest.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


def parse_policy(header: str) -> dict[str, list[str]]:
    """'a x y; b z' -> {"a": ["x", "y"], "b": ["z"]}."""
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        if part.strip():
            name, *sources = part.split()
            directives[name.lower()] = sources
    return directives


def policy_for(request: HttpRequest, set_by_view: str = "") -> str:
    """The site's policy with the directives the view set in its own header taking precedence.
    WebSockets to this host are named in connect-src as well: older browsers do not count ws: and
    wss: as 'self'."""
    directives = {name: list(sources) for name, sources in settings.CONTENT_SECURITY_POLICY.items()}
    try:
        host = request.get_host()
    except DisallowedHost:  # the 400 page for a host not in ALLOWED_HOSTS opens no socket
        host = ""
    if host:
        socket_scheme = "wss" if request.is_secure() else "ws"
        directives.setdefault("connect-src", ["'self'"]).append(f"{socket_scheme}://{host}")
    directives.update(parse_policy(set_by_view))
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response (nothing with CONTENT_SECURITY_POLICY empty, as in DEBUG,
    where Django's error pages use inline scripts)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response[HEADER] = policy_for(request, response.get(HEADER, ""))
        return response
