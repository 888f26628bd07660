"""Removing uploads nobody sent, and stored files no attachment refers to.

A visitor may upload screenshots and never send them; without this they would stay forever. A
file may also outlive its row when a transaction around the upload rolled back after the file
was written (an API call whose storing failed): it is removed once it is as old as an unsent
upload may be.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from supportbot.chat.models import Attachment
from supportbot.chat.uploads import CONTENT_FOLDER, remove_unreferenced_files

# Rows handled per transaction: bounded locks on a large backlog.
BATCH = 500


def remove_unsent_uploads(now: datetime | None = None) -> int:
    """Delete uploads no message took within UNSENT_UPLOAD_TTL_S, with their files (unless an
    identical image still uses them), and files no row refers to that are as old; returns how
    many uploads went."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.UNSENT_UPLOAD_TTL_S)
    removed = 0
    while True:
        with transaction.atomic():
            batch = list(
                Attachment.objects.filter(message__isnull=True, created_at__lt=cutoff).values_list("id", "file")[:BATCH]
            )
            if not batch:
                break
            # Unless a send took it meanwhile.
            Attachment.objects.filter(pk__in=[pk for pk, _ in batch], message__isnull=True).delete()
            names = [name for _, name in batch]
            transaction.on_commit(lambda names=names: remove_unreferenced_files(names))
        removed += len(batch)
    for names in _batches(_files_older_than(cutoff)):
        remove_unreferenced_files(names)
    return removed


def _files_older_than(cutoff: datetime) -> Iterator[str]:
    folders = [CONTENT_FOLDER]
    while folders:
        folder = folders.pop()
        if not default_storage.exists(folder):
            continue
        subfolders, files = default_storage.listdir(folder)
        folders += [f"{folder}/{name}" for name in subfolders]
        for name in files:
            path = f"{folder}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                yield path


def _batches(names: Iterator[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for name in names:
        batch.append(name)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
