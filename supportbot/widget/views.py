"""The widget's HTTP side: the script host sites include, the chat page inside its frame, and a
demo host page."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from supportbot.chat.views import render_chat_page
from supportbot.lib.csp import HEADER as CSP_HEADER
from supportbot.widget.identity import verified_claim, widget_visitor
from supportbot.widget.models import AllowedOrigin
from supportbot.widget.origins import normalized_origin

# Host pages cache the script this long; a new version reaches every site within it.
SCRIPT_MAX_AGE_S = 300


@require_GET
def widget_script(request: HttpRequest) -> FileResponse:
    """/widget.js at a stable address (static files carry a hash in production)."""
    path = finders.find("widget/widget.js")
    if path is None:
        raise Http404("widget.js is missing from the static files.")
    response = FileResponse(open(path, "rb"), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={SCRIPT_MAX_AGE_S}"
    return response


@require_GET
@xframe_options_exempt  # the frame's CSP frame-ancestors names the one site that may show it
def chat_frame(request: HttpRequest) -> HttpResponse:
    """The chat page for the widget's iframe on the host site in ?origin=, which must be allowed
    in the admin; the browser enforces it with frame-ancestors, the server refuses the rest."""
    try:
        host_origin = normalized_origin(request.GET.get("origin", ""))
    except ValidationError as error:
        return _refused(f"The widget's origin parameter is wrong: {error.messages[0]}", 400)
    # The site's own pages (the demo page after `make run`) may show it without an admin entry.
    own_origin = normalized_origin(f"{request.scheme}://{request.get_host()}")
    if host_origin != own_origin and not AllowedOrigin.allows(host_origin):
        return _refused(f"{host_origin} may not show this chat (not allowed in the admin).", 403)
    # Its language comes with ?lang= (the widget's data-lang), as for any page (lib.languages).
    visitor_id = widget_visitor(request.visitor_id, verified_claim(request.GET))
    response = render_chat_page(request, visitor_id, embed={"host_origin": host_origin})
    # The rest of the policy is lib.csp's; this directive is the frame's own.
    response[CSP_HEADER] = f"frame-ancestors {host_origin}"
    # The claim in the address must not be replayed from a shared cache.
    response["Cache-Control"] = "no-store"
    return response


def _refused(why: str, status: int) -> HttpResponse:
    """Plain words, frameable anywhere so that the site's developer reads them in the widget."""
    response = HttpResponse(why, status=status, content_type="text/plain; charset=utf-8")
    response[CSP_HEADER] = "frame-ancestors *"
    return response


@require_GET
def demo_page(request: HttpRequest) -> HttpResponse:
    """A host page with the install snippet, to try the widget (tests serve it on other origins)."""
    return render(
        request,
        "widget/demo.html",
        {
            "script_url": request.build_absolute_uri("/widget.js"),
            "page": 2 if request.GET.get("page") == "2" else 1,
        },
    )
