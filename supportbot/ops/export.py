"""Exporting messages as CSV or JSON Lines, streamed: rows are read from the database in chunks
(QuerySet.iterator) and sent as they are encoded, so 100k messages never sit in memory at once."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.db.models import Count, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from supportbot.chat.models import Message
from supportbot.ops import audit
from supportbot.ops.models import AuditEntry
from supportbot.lib.redaction import scrub

COLUMNS = [
    "conversation_id",
    "conversation__source",
    "conversation__status",
    "id",
    "role",
    "created_at",
    "text",
    "screenshots",
    "finish_reason",
    "prompt_tokens",
    "cached_tokens",
    "completion_tokens",
    "ttft_ms",
    "total_ms",
]
HEADER = [column.replace("conversation__", "conversation_") for column in COLUMNS]
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
# Excel reads a CSV file as the system's legacy code page (mangling Chinese) unless it starts
# with UTF-8's byte order mark; most other readers skip it, but a plain UTF-8 reader keeps it glued
# to the first column's name. So it is a choice: the admin offers CSV both ways.
BOM = "\ufeff"
# Rows per database round trip, and rows per chunk handed to the server (one thread hop each).
DB_CHUNK = 500
ROWS_PER_CHUNK = 500


def rows(messages: QuerySet[Message]) -> Iterator[dict[str, Any]]:
    """Each message as a flat dict (personal data redacted unless SUPPORTBOT_REDACT_PII=0)."""
    values = (
        messages.order_by("id")
        .annotate(screenshots=Count("attachments"))
        .values_list(*COLUMNS)
        .iterator(chunk_size=DB_CHUNK)
    )
    for value in values:
        row = dict(zip(HEADER, value, strict=True))
        row["conversation_id"] = str(row["conversation_id"])
        row["created_at"] = row["created_at"].isoformat()
        row["text"] = scrub(row["text"])
        yield row


def encoded_chunks(messages: QuerySet[Message], file_format: str, bom: bool = False) -> Iterator[str]:
    """The export as text chunks of ROWS_PER_CHUNK rows (CSV starts with its header, and with
    `bom` with a byte order mark before it)."""
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    writer = csv.DictWriter(buffer, HEADER) if file_format == "csv" else None
    if writer is not None:
        writer.writeheader()
    for count, row in enumerate(rows(messages), start=1):
        if writer is not None:
            writer.writerow({name: _spreadsheet_safe(value) for name, value in row.items()})
        else:
            buffer.write(json.dumps(row, ensure_ascii=False) + "\n")
        if count % ROWS_PER_CHUNK == 0:
            yield _take(buffer)
    yield _take(buffer)


# A cell a spreadsheet would run as a formula (visitors write the text): =HYPERLINK(...), +cmd|...
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(value: Any) -> Any:
    """OWASP's advice against CSV injection: such a cell starts with a quote, shown as text."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


async def _async_chunks(chunks: Iterator[str]) -> AsyncIterator[str]:
    """Django under ASGI reads a synchronous iterator whole before sending it; an asynchronous one
    goes out chunk by chunk. The database cursor stays on Django's one sync thread."""
    take = sync_to_async(next, thread_sensitive=True)
    while (chunk := await take(chunks, None)) is not None:
        yield chunk


def export_response(
    request: HttpRequest, messages: QuerySet[Message], file_format: str, what: str, bom: bool = False
) -> StreamingHttpResponse:
    """The streamed download, recorded in the audit log with its filters and size. `bom`: a CSV
    file for spreadsheets (UTF-8 with a byte order mark)."""
    bom = bom and file_format == "csv"
    audit.record(
        request.user,
        AuditEntry.Action.EXPORT,
        format=f"{file_format} (with BOM)" if bom else file_format,
        what=what,
        messages=messages.count(),
        filters=request.GET.urlencode(),
    )
    response = StreamingHttpResponse(
        _async_chunks(encoded_chunks(messages, file_format, bom)), content_type=FORMATS[file_format]
    )
    filename = f"supportbot-{what}-{timezone.now():%Y%m%d-%H%M%S}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
