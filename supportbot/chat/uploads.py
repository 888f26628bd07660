"""Turning an uploaded screenshot into a stored Attachment.

The image is decoded and re-encoded rather than stored as sent: that applies the EXIF orientation,
drops all metadata (location, camera, comments) and anything smuggled after the image data.
"""

from __future__ import annotations

import hashlib
import io
import logging

from django.core.files.base import ContentFile
from django.db import transaction

from inference.ocr import read_text
from inference.types import InferenceError
from supportbot.chat.models import Attachment, Conversation, Message
from supportbot.events.log import record_event
from supportbot.events.models import Event
from supportbot.lib.images import DecodedImage, decode_image

JPEG_QUALITY = 90

log = logging.getLogger(__name__)


def store_upload(conversation: Conversation, data: bytes) -> Attachment:
    """Raises lib.images.ImageRejected for anything that is not an acceptable image. What OCR
    reads in it is kept with it: the help center is searched with that text when it is sent."""
    decoded = decode_image(data)
    return store_image(conversation, decoded, text=_read_text(decoded))


def _read_text(decoded: DecodedImage) -> str:
    try:
        return read_text(decoded.image)
    except InferenceError as unavailable:  # no tesseract here: the image still goes to the model
        log.warning("no text read from an upload: %s", unavailable)
        return ""


def store_image(
    conversation: Conversation, decoded: DecodedImage, message: Message | None = None, text: str = ""
) -> Attachment:
    """Store an image already checked by decode_image, optionally attached to a message, with
    the text read in it."""
    encoded = io.BytesIO()
    # Photos stay JPEG (PNG would bloat them); screenshots and the rest become lossless PNG.
    if decoded.is_photo:
        decoded.image.save(encoded, format="JPEG", quality=JPEG_QUALITY)
        content_type, extension = "image/jpeg", "jpg"
    else:
        decoded.image.save(encoded, format="PNG")
        content_type, extension = "image/png", "png"
    stored_bytes = encoded.getvalue()
    attachment = Attachment(
        conversation=conversation,
        message=message,
        content_type=content_type,
        size=len(stored_bytes),
        width=decoded.image.width,
        height=decoded.image.height,
        sha256=hashlib.sha256(stored_bytes).hexdigest(),
        text=text,
    )
    attachment.file.save(f"upload.{extension}", ContentFile(stored_bytes), save=False)
    with transaction.atomic():
        attachment.save()
        record_event(
            Event.Kind.UPLOAD,
            conversation.id,
            attachment=str(attachment.id),
            content_type=content_type,
            size=attachment.size,
        )
    return attachment
