"""Exports stream: 20k messages go out as CSV or JSON Lines chunk by chunk, read from the
database in chunks, with memory bounded far below what materialising them would take."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient, Client

from supportbot.chat.models import Conversation, Message
from supportbot.ops.models import AuditEntry
from tests.chat_fixtures import new_conversation
from tests.ops_fixtures import ops_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

MESSAGES = 20_000
# The body of 20k rows is about 2.6 MB (and rows as Python objects several times that); streamed,
# the peak stays near one database chunk plus one sent chunk, whatever the row count.
PEAK_BYTES = 2**20


def many_messages(count: int) -> None:
    conversations = [new_conversation() for _ in range(20)]
    Message.objects.bulk_create(
        (
            Message(
                conversation=conversations[index % 20],
                role=Message.Role.USER if index % 2 == 0 else Message.Role.ASSISTANT,
                text=f"Message {index}: my screen stays white after the update, what can I do?",
                completion_tokens=index % 200,
            )
            for index in range(count)
        ),
        batch_size=2000,
    )


def logged_in_cookie() -> str:
    client = Client()
    client.force_login(ops_user())
    return client.cookies["sessionid"].value


def export_all(file_format: str) -> dict:
    """The admin action on every conversation the (empty) filters match: "select all"."""
    return {"action": f"export_{file_format}", "select_across": "1", "index": "0", "_selected_action": ["x"]}


async def export_response(file_format: str):  # noqa: ANN201 (a StreamingHttpResponse)
    client = AsyncClient()
    client.cookies["sessionid"] = await sync_to_async(logged_in_cookie)()
    response = await client.post("/admin/chat/conversation/", export_all(file_format))
    assert response.status_code == 200
    assert response.streaming and response.is_async
    return response


async def test_csv_export_of_20k_messages_streams_in_bounded_memory():
    await sync_to_async(many_messages)(MESSAGES)
    response = await export_response("csv")
    # Read as a client writing to disk would: each chunk is dropped once counted.
    content = aiter(response.streaming_content)
    # The first chunk runs the query and fills one-time caches; what matters is what follows.
    first = last = await anext(content)
    chunks, lines, body_bytes = 1, first.count(b"\n"), len(first)
    tracemalloc.start()
    async for chunk in content:
        chunks, lines, body_bytes = chunks + 1, lines + chunk.count(b"\n"), body_bytes + len(chunk)
        last = chunk[-2000:] or last
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < PEAK_BYTES < body_bytes / 2, f"peak {peak / 2**20:.1f} MiB, body {body_bytes / 2**20:.1f} MiB"
    assert chunks > 20  # many chunks, not one materialised body
    assert lines == MESSAGES + 1  # and a header
    header, row = list(csv.reader(io.StringIO(first.decode())))[:2]
    assert header[:5] == ["conversation_id", "conversation_source", "conversation_status", "id", "role"]
    assert row[header.index("text")].startswith("Message 0:")
    assert last.decode().splitlines()[-1].endswith(f",{(MESSAGES - 1) % 200},,")
    entry = await AuditEntry.objects.aget(action=AuditEntry.Action.EXPORT)
    assert entry.username == "olivia" and entry.detail["messages"] == MESSAGES


async def test_jsonl_export_is_one_message_per_line():
    await sync_to_async(many_messages)(1200)
    response = await export_response("jsonl")
    lines = b"".join([chunk async for chunk in response.streaming_content]).decode().splitlines()
    assert len(lines) == 1200
    first = json.loads(lines[0])
    conversation_ids = {str(pk) async for pk in Conversation.objects.values_list("pk", flat=True)}
    assert first["conversation_id"] in conversation_ids and first["role"] == "user"
    assert json.loads(lines[-1])["text"].startswith("Message 1199:")


async def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_quoted():
    conversation = await sync_to_async(new_conversation)()
    for text in ('=HYPERLINK("http://evil.example","refund")', "+SUM(A1:A9)", "-2+3", "@SUM(A1)", "plain = text"):
        await Message.objects.acreate(conversation=conversation, role=Message.Role.USER, text=text)
    response = await export_response("csv")
    body = b"".join([chunk async for chunk in response.streaming_content]).decode()
    texts = [row["text"] for row in csv.DictReader(io.StringIO(body))]
    assert texts == ["'=HYPERLINK(\"http://evil.example\",\"refund\")", "'+SUM(A1:A9)", "'-2+3", "'@SUM(A1)", "plain = text"]
