"""HTTP side of the chat: the page, screenshot uploads and serving them back to their owner."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supportbot.chat import address_limits
from supportbot.chat.hooks import people_rules
from supportbot.chat.access import (
    TooManyNewConversations,
    admit_new,
    browser_language,
    first_conversation_id,
    staff_may_read,
    visitor_conversation,
    visitor_owns,
)
from supportbot.chat.frames import attachment_payload
from supportbot.chat.identity import set_visitor_cookie
from supportbot.chat.models import Attachment, Conversation
from supportbot.chat.rate_limit import VisitorRateLimiter
from supportbot.chat.uploads import store_upload
from supportbot.lib.images import ImageRejected

upload_rate_limiter = VisitorRateLimiter(settings.UPLOAD_BURST, settings.UPLOADS_PER_SECOND)
# An upload's slot lapses by itself after this, should its process die while holding it.
UPLOAD_SLOT_LEASE_S = 120


def _error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


def _too_many(message: str, retry_after_s: int) -> JsonResponse:
    response = _error("rate_limited", message, 429)
    response["Retry-After"] = str(retry_after_s)
    return response


@require_GET
def chat_page(request: HttpRequest) -> HttpResponse:
    return render_chat_page(request, request.visitor_id)


def render_chat_page(
    request: HttpRequest, visitor_id: uuid.UUID | None, embed: dict[str, str] | None = None
) -> HttpResponse:
    """The visitor's latest conversation, or their first one (stored once they use it), starting
    an identity when visitor_id is None (429 past the address's limit of new ones). embed: the
    page inside the website widget's frame (supportbot.widget), with the origin of the site
    around it."""
    known = visitor_id is not None
    if not known:
        try:
            admit_new("visitor-ids", request.META.get("REMOTE_ADDR") or None)
        except TooManyNewConversations as refused:
            response = HttpResponse(
                _("Too many new visitors from your network; wait a moment and reload."),
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(refused.retry_after_s)
            return response
    visitor_id = visitor_id or uuid.uuid4()
    conversation = (
        Conversation.objects.filter(visitor_id=visitor_id).order_by("-updated_at").first() if known else None
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
            "embed": embed,
        },
    )
    if visitor_id != request.visitor_id:
        set_visitor_cookie(response, visitor_id, embedded=embed is not None)
    return response


@require_POST
def new_conversation(request: HttpRequest) -> JsonResponse:
    """"Start a new conversation" once the visitor's latest one is resolved; the page then shows
    the new one (the latest). Refused while the latest is still going, so one visitor cannot pile
    up empty conversations."""
    latest = (
        Conversation.objects.filter(visitor_id=request.visitor_id).order_by("-updated_at").first()
        if request.visitor_id
        else None
    )
    if latest is None:
        return _error("not_found", _("No conversation to follow."), 404)
    if latest.status != Conversation.Status.RESOLVED:
        return _error("not_resolved", _("Your conversation is still going: write in it."), 409)
    try:
        admit_new("conversations", request.META.get("REMOTE_ADDR") or None)
    except TooManyNewConversations as refused:
        return _too_many(_("Too many new conversations from your network; wait a moment."), refused.retry_after_s)
    conversation = Conversation.objects.create(
        visitor_id=request.visitor_id, language=browser_language(request.headers.get("Accept-Language", ""))
    )
    return JsonResponse({"id": str(conversation.id)}, status=201)


@require_POST
def upload_attachment(request: HttpRequest, conversation_id: uuid.UUID) -> JsonResponse:
    """One image as multipart field "image"; answers the attachment id to reference in a frame.

    Bodies over the limit never reach this view (see lib.request_size). Limits: per visitor, then
    per address (uploads per minute, and uploads being processed at once), whatever cookie comes.
    """
    address = request.META.get("REMOTE_ADDR") or None
    retry_after = address_limits.take("uploads", address, settings.UPLOADS_PER_ADDRESS_PER_MINUTE)
    if retry_after is not None:
        return _too_many(_("Too many uploads from your network; wait a moment."), retry_after)
    try:
        conversation = visitor_conversation(
            conversation_id, request.visitor_id, browser_language(request.headers.get("Accept-Language", "")), address
        )
    except TooManyNewConversations as refused:
        return _too_many(_("Too many new conversations from your network; wait a moment."), refused.retry_after_s)
    if conversation is None:
        return _error("not_found", "No such conversation.", 404)
    bucket = upload_rate_limiter.bucket(request.visitor_id)
    if not bucket.take():
        return _too_many("Too many uploads; wait a moment.", int(bucket.seconds_until_next()) + 1)
    upload = request.FILES.get("image")
    if upload is None:
        return _error("missing_file", 'Send the image as multipart form field "image".', 400)
    if upload.size > settings.UPLOAD_MAX_BYTES:
        return _error("too_large", "The image is too large.", 413)
    slot = address_limits.acquire(
        "uploads-running", address, settings.UPLOADS_IN_PROGRESS_PER_ADDRESS, UPLOAD_SLOT_LEASE_S
    )
    if slot is None:
        return _too_many(_("Other uploads from your network are still being processed; try again."), 1)
    try:
        attachment = store_upload(conversation, upload.read())
    except ImageRejected as rejected:
        return _error(rejected.code, rejected.message, rejected.http_status)
    finally:
        address_limits.release(slot)
    return JsonResponse(attachment_payload(attachment), status=201)


@require_GET
def attachment_file(request: HttpRequest, attachment_id: uuid.UUID) -> FileResponse:
    """To the visitor whose conversation it is, and to staff who may read it (chat.access:
    ops, and agents whose console shows the conversation). Staff without a role are refused
    (403); anybody else is answered as if the screenshot did not exist."""
    attachment = Attachment.objects.select_related("conversation").filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such attachment.")
    if not visitor_owns(request, attachment.conversation) and not staff_may_read(request.user, attachment.conversation):
        if request.user.is_staff and not request.user.has_perm("agents.use_console"):
            raise PermissionDenied("Screenshots are for the agents, supervisors and ops roles.")
        raise Http404("No such attachment.")
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=86400"
    return response
