"""HTTP side of the chat: the page, screenshot uploads and serving them back to their owner."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from supportbot.chat.hooks import people_rules
from supportbot.chat.access import (
    browser_language,
    first_conversation_id,
    may_read_conversation,
    visitor_conversation,
)
from supportbot.chat.frames import attachment_payload
from supportbot.chat.identity import set_visitor_cookie
from supportbot.chat.models import Attachment, Conversation
from supportbot.chat.rate_limit import VisitorRateLimiter
from supportbot.chat.uploads import store_upload
from supportbot.lib.images import ImageRejected

upload_rate_limiter = VisitorRateLimiter(settings.UPLOAD_BURST, settings.UPLOADS_PER_SECOND)

# Staff who may see a visitor's screenshots: agents and supervisors (the console), and ops, who
# read transcripts in the admin (the ops role's view permissions). Other staff may not.
STAFF_ATTACHMENT_PERMISSIONS = ("agents.use_console", "chat.view_attachment", "chat.view_conversation")


def _error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


@require_GET
def chat_page(request: HttpRequest) -> HttpResponse:
    """The visitor's latest conversation, or their first one (stored once they use it), starting
    an identity when needed."""
    visitor_id = request.visitor_id or uuid.uuid4()
    conversation = (
        Conversation.objects.filter(visitor_id=visitor_id).order_by("-updated_at").first()
        if request.visitor_id
        else None
    ) or Conversation(id=first_conversation_id(visitor_id), visitor_id=visitor_id)
    response = render(
        request,
        "chat/index.html",
        {
            "conversation": conversation,
            "rating_due": people_rules().rating_due(conversation),
            "max_text_chars": settings.CHAT_MAX_TEXT_CHARS,
            "max_attachments": settings.CHAT_MAX_ATTACHMENTS_PER_MESSAGE,
            "max_upload_bytes": settings.UPLOAD_MAX_BYTES,
        },
    )
    if request.visitor_id is None:
        set_visitor_cookie(response, visitor_id)
    return response


@require_POST
def upload_attachment(request: HttpRequest, conversation_id: uuid.UUID) -> JsonResponse:
    """One image as multipart field "image"; answers the attachment id to reference in a frame.

    Bodies declaring more than the limit never reach this view (see asgi.RequestSizeLimit).
    """
    conversation = visitor_conversation(
        conversation_id, request.visitor_id, browser_language(request.headers.get("Accept-Language", ""))
    )
    if conversation is None:
        return _error("not_found", "No such conversation.", 404)
    bucket = upload_rate_limiter.bucket(request.visitor_id)
    if not bucket.take():
        response = _error("rate_limited", "Too many uploads; wait a moment.", 429)
        response["Retry-After"] = str(int(bucket.seconds_until_next()) + 1)
        return response
    upload = request.FILES.get("image")
    if upload is None:
        return _error("missing_file", 'Send the image as multipart form field "image".', 400)
    if upload.size > settings.UPLOAD_MAX_BYTES:
        return _error("too_large", "The image is too large.", 413)
    try:
        attachment = store_upload(conversation, upload.read())
    except ImageRejected as rejected:
        return _error(rejected.code, rejected.message, rejected.http_status)
    return JsonResponse(attachment_payload(attachment), status=201)


@require_GET
def attachment_file(request: HttpRequest, attachment_id: uuid.UUID) -> FileResponse:
    """To the visitor whose conversation it is, and to staff in a role that reads conversations
    (STAFF_ATTACHMENT_PERMISSIONS); staff without one are refused (403)."""
    attachment = Attachment.objects.select_related("conversation").filter(pk=attachment_id).first()
    if attachment is None or not may_read_conversation(request, attachment.conversation):
        raise Http404("No such attachment.")
    owner = request.visitor_id is not None and attachment.conversation.visitor_id == request.visitor_id
    if not owner and not any(request.user.has_perm(p) for p in STAFF_ATTACHMENT_PERMISSIONS):
        raise PermissionDenied("Screenshots are for the agents, supervisors and ops roles.")
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=86400"
    return response
