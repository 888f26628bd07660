"""Issue 16, item 8: uploads cannot grow without bound. The stored (re-encoded) size is capped,
unsent uploads expire, a failure leaves neither a file without a row nor a row without a file,
and an identical image is stored once however often it is sent (API calls and result-cache hits
included)."""

from __future__ import annotations

import io
import json
import os
import random
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from PIL import Image

from supportbot.celery import app as celery_app
from supportbot.chat import tasks, uploads
from supportbot.chat.models import Attachment, Message
from supportbot.chat.uploads import CONTENT_FOLDER, store_upload
from supportbot.lib.images import ImageRejected
from supportbot.ops.privacy import delete_conversations
from tests.api_app import MODEL, screenshot_url, user_message
from tests.chat_fixtures import new_conversation, screenshot_png

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]


def stored_files() -> set[Path]:
    root = Path(django_settings.MEDIA_ROOT) / CONTENT_FOLDER
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def noise_webp(width: int = 800, height: int = 600) -> bytes:
    """A lossy WebP that is small as sent and ten times larger as a lossless PNG."""
    pixels = random.Random(16).randbytes(width * height * 3)
    encoded = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(encoded, format="WEBP", quality=30)
    return encoded.getvalue()


def test_an_image_that_would_grow_once_stored_is_kept_lossy_within_the_cap(settings):
    settings.UPLOAD_MAX_STORED_BYTES = 1024 * 1024
    sent = noise_webp()
    attachment = store_upload(new_conversation(), sent)
    assert attachment.content_type == "image/jpeg"
    assert attachment.size <= settings.UPLOAD_MAX_STORED_BYTES
    assert Path(attachment.file.path).stat().st_size == attachment.size


def test_an_image_over_the_cap_even_lossy_is_refused_and_leaves_nothing(settings):
    settings.UPLOAD_MAX_STORED_BYTES = 50 * 1024
    before = stored_files()
    with pytest.raises(ImageRejected) as refused:
        store_upload(new_conversation(), noise_webp())
    assert (refused.value.code, refused.value.http_status) == ("too_large", 413)
    assert not Attachment.objects.exists() and stored_files() == before


def test_a_row_that_cannot_be_stored_leaves_no_file(monkeypatch):
    before = stored_files()

    def event_store_down(*_args, **_kwargs):
        raise RuntimeError("the database refused the upload's event")

    monkeypatch.setattr(uploads, "record_event", event_store_down)
    with pytest.raises(RuntimeError):
        store_upload(new_conversation(), screenshot_png(label="Never stored"))
    assert not Attachment.objects.exists() and stored_files() == before


def test_a_file_that_cannot_be_written_leaves_no_row(monkeypatch):
    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(default_storage, "save", disk_full)
    with pytest.raises(OSError):
        store_upload(new_conversation(), screenshot_png(label="Disk full"))
    assert not Attachment.objects.exists()


def test_identical_images_are_stored_once_and_removed_with_their_last_row():
    image = screenshot_png(label="Error 1612")
    first, second = new_conversation(), new_conversation()
    a, b = store_upload(first, image), store_upload(second, image)
    assert a.pk != b.pk and a.file.name == b.file.name
    assert a.file.name.startswith(f"{CONTENT_FOLDER}/")
    delete_conversations(first.__class__.objects.filter(pk=first.pk))
    assert Path(b.file.path).exists()  # still the second conversation's
    delete_conversations(second.__class__.objects.filter(pk=second.pk))
    assert not Path(b.file.path).exists()


def _age(attachment: Attachment, seconds: float) -> None:
    Attachment.objects.filter(pk=attachment.pk).update(created_at=timezone.now() - timedelta(seconds=seconds))


def test_unsent_uploads_expire_and_sent_ones_stay(settings):
    conversation = new_conversation()
    unsent = store_upload(conversation, screenshot_png(label="Never sent"))
    sent = store_upload(conversation, screenshot_png(label="Sent"))
    recent = store_upload(conversation, screenshot_png(label="Just uploaded"))
    message = Message.objects.create(conversation=conversation, role=Message.Role.USER, text="look")
    Attachment.objects.filter(pk=sent.pk).update(message=message)
    for old in (unsent, sent):
        _age(old, settings.UNSENT_UPLOAD_TTL_S + 60)

    assert tasks.remove_unsent_uploads.delay().get() == 1
    assert set(Attachment.objects.values_list("pk", flat=True)) == {sent.pk, recent.pk}
    assert not Path(unsent.file.path).exists()
    assert Path(sent.file.path).exists() and Path(recent.file.path).exists()
    schedule = {entry["task"]: entry for entry in celery_app.conf.beat_schedule.values()}
    assert "supportbot.chat.tasks.remove_unsent_uploads" in schedule


def test_a_file_left_without_a_row_is_swept_once_old(settings):
    orphan = Path(django_settings.MEDIA_ROOT) / CONTENT_FOLDER / "ff" / ("f" * 64 + ".png")
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(screenshot_png())
    young = orphan.with_name("e" * 64 + ".png")
    young.write_bytes(screenshot_png())
    long_ago = time.time() - settings.UNSENT_UPLOAD_TTL_S - 60
    os.utime(orphan, (long_ago, long_ago))
    tasks.remove_unsent_uploads.delay().get()
    assert not orphan.exists() and young.exists()  # a young one may be an upload under way
    young.unlink()


def test_api_calls_and_result_cache_hits_do_not_store_the_image_again():
    out = io.StringIO()
    call_command("api_key", "create", "storage", stdout=out)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")
    image = screenshot_url(label="Error 5150")
    body = {"model": MODEL, "messages": [user_message("What is this?", image)], "temperature": 0, "max_tokens": 4}
    before = stored_files()
    for _ in range(3):  # the second and third are result-cache hits
        response = client.post("/v1/chat/completions", json.dumps(body), content_type="application/json")
        assert response.status_code == 200, response.content
    rows = list(Attachment.objects.all())
    assert len(rows) == 3  # each call is its own stored conversation
    assert len({row.file.name for row in rows}) == 1
    assert len(stored_files() - before) == 1
