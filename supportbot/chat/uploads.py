"""Turning an uploaded screenshot into a stored Attachment.

The image is decoded and re-encoded rather than stored as sent: that applies the EXIF orientation,
drops all metadata (location, camera, comments) and anything smuggled after the image data.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from inference.ocr import read_text
from inference.types import InferenceError
from supportbot.chat.models import Attachment, Conversation, Message
from supportbot.events.log import record_event
from supportbot.events.models import Event
from supportbot.inference_bridge.client import forget_erased_images, forget_prepared_images
from supportbot.lib.images import DecodedImage, ImageRejected, decode_image

JPEG_QUALITY = 90
# Stored files are named by the SHA-256 of their bytes under this folder of the media storage.
CONTENT_FOLDER = "attachments/sha256"

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
    the text read in it. Raises ImageRejected when even its lossy encoding is over
    UPLOAD_MAX_STORED_BYTES.

    Files are named by their content: the same image sent again (a screenshot in every API call
    of a conversation, a result-cache hit) is stored once, whatever rows refer to it. The file is
    written before its row, and removed again if the row cannot be stored; a file left by a
    rolled-back outer transaction is removed by the sweep (chat.upload_cleanup)."""
    stored_bytes, content_type, extension = _encoded(decoded)
    sha256 = hashlib.sha256(stored_bytes).hexdigest()
    name = f"{CONTENT_FOLDER}/{sha256[:2]}/{sha256}.{extension}"
    written = _write_once(name, stored_bytes)
    attachment = Attachment(
        conversation=conversation,
        message=message,
        file=name,
        content_type=content_type,
        size=len(stored_bytes),
        width=decoded.image.width,
        height=decoded.image.height,
        sha256=sha256,
        text=text,
    )
    try:
        with transaction.atomic():
            attachment.save()
            record_event(
                Event.Kind.UPLOAD,
                conversation.id,
                attachment=str(attachment.id),
                content_type=content_type,
                size=attachment.size,
            )
    except BaseException:
        if written and not transaction.get_connection().in_atomic_block:
            remove_unreferenced_files([name])
        raise
    if not written and not default_storage.exists(name):
        # An identical upload wrote the file, then failed and removed it while this one reused it.
        _write_once(name, stored_bytes)
    return attachment


def _encoded(decoded: DecodedImage) -> tuple[bytes, str, str]:
    """(bytes, content type, extension): photos stay JPEG (PNG would bloat them); screenshots and
    the rest become lossless PNG, unless that is over the stored-size limit (a lossy WebP can
    grow tenfold as a PNG): then JPEG too."""
    limit = settings.UPLOAD_MAX_STORED_BYTES
    if not decoded.is_photo:
        png = io.BytesIO()
        decoded.image.save(png, format="PNG")
        if png.tell() <= limit:
            return png.getvalue(), "image/png", "png"
    jpeg = io.BytesIO()
    decoded.image.save(jpeg, format="JPEG", quality=JPEG_QUALITY)
    if jpeg.tell() > limit:
        raise ImageRejected("too_large", f"Images may take at most {limit // (1024 * 1024)} MB once stored.", 413)
    return jpeg.getvalue(), "image/jpeg", "jpg"


def _write_once(name: str, data: bytes) -> bool:
    """Write the file unless it exists; True when this call created it."""
    if default_storage.exists(name):
        return False
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:  # an identical upload wrote it meanwhile; the storage picked another name
        default_storage.delete(saved)
        return False
    return True


def remove_unreferenced_files(names: Iterable[str]) -> None:
    """Delete those stored files that no attachment refers to any more (identical images share
    one file), and the decoded and prepared copies this process keeps of them. Call it outside a
    transaction, or after its commit."""
    names = set(names)
    referenced = set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))
    unreferenced = names - referenced
    forget_prepared_images(default_storage.path(name) for name in unreferenced)
    for name in unreferenced:
        default_storage.delete(name)
    forget_erased_images()
