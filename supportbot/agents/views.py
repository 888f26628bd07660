"""The agent console page. The page is only a shell: everything it shows comes over /ws/console/,
which checks the same rule again at its handshake."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from supportbot.agents.console import may_use_console


@require_GET
@staff_member_required
def console_page(request: HttpRequest) -> HttpResponse:
    """Staff outside the agents and supervisors groups are refused, as at the socket."""
    if not may_use_console(request.user):
        raise PermissionDenied("The agent console is for the agents and supervisors groups.")
    return render(
        request,
        "agents/console.html",
        {"supervises": request.user.has_perm("agents.supervise")},
    )
