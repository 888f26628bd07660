"""Issue 16, item 2, under load and with the shipped limits: 200 visitors rotating cookies from one
address run into the per-address limits (frames, new conversations, fresh visitor ids), while 50
visitors from 50 addresses are all served."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client

from supportbot.chat import address_limits
from supportbot.chat.access import first_conversation_id
from supportbot.chat.models import Conversation
from tests.chat_fixtures import receive
from tests.security.address_fixtures import connects_from, fresh_counters, socket_from  # noqa: F401 (autouse)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.timeout(300)]

PINGS = 4  # each visitor's frames: well within their own bucket (CHAT_FRAME_BURST)
BATCH = 25  # visitors connected at once


async def _visitor(address: str) -> tuple[int, int]:
    """(pongs, refusals) for one visitor with a new cookie pinging from `address`. Their
    conversation exists (stored before this minute): only the frame limit is met here."""
    visitor_id = uuid.uuid4()
    store = database_sync_to_async(Conversation.objects.create)
    await store(id=first_conversation_id(visitor_id), visitor_id=visitor_id)
    pongs = refused = 0
    async with socket_from(address, visitor_id) as socket:
        for _ in range(PINGS):
            await socket.send_json_to({"type": "ping"})
            frame = await receive(socket)
            if frame["type"] != "pong":
                assert frame["code"] == "rate_limited", frame
                refused += 1
                break  # further refusals within the second go unanswered
            pongs += 1
    return pongs, refused


async def _crowd(addresses: list[str]) -> tuple[int, int, int]:
    """(pongs, refusals, visitors refused at least once) over all visitors, BATCH at a time."""
    results = []
    for start in range(0, len(addresses), BATCH):
        results += await asyncio.gather(*(_visitor(a) for a in addresses[start : start + BATCH]))
    return sum(p for p, _ in results), sum(r for _, r in results), sum(1 for _, r in results if r)


def _until_a_fresh_window() -> float:
    """Seconds to wait so that both crowds fall within one counting window (they take a few
    seconds): exact counts."""
    left = address_limits.WINDOW_S - time.time() % address_limits.WINDOW_S
    return left if left < 20 else 0


async def test_cookie_rotation_from_one_address_hits_the_limit_while_many_addresses_are_served():
    assert PINGS <= settings.CHAT_FRAME_BURST
    limit = settings.CHAT_FRAMES_PER_ADDRESS_PER_MINUTE
    assert 200 * PINGS > limit >= 50 * PINGS  # the shipped limit sits between the two crowds

    await asyncio.sleep(_until_a_fresh_window())
    pongs, refusals, refused_visitors = await _crowd(["198.51.100.7"] * 200)
    assert pongs == limit  # within one minute's window: exactly the limit, then refusals
    assert refusals and refused_visitors == refusals

    pongs, refusals, _ = await _crowd([f"203.0.113.{index}" for index in range(1, 51)])
    assert (pongs, refusals) == (50 * PINGS, 0)


async def _connected(addresses: list[str]) -> int:
    """How many new visitors (fresh cookies, no conversation yet) were let in, BATCH at a time."""
    accepted = 0
    for start in range(0, len(addresses), BATCH):
        accepted += sum(await asyncio.gather(*(connects_from(a) for a in addresses[start : start + BATCH])))
    return accepted


async def test_rotating_cookies_from_one_address_cannot_store_unbounded_conversations():
    limit = settings.NEW_CONVERSATIONS_PER_ADDRESS_PER_MINUTE
    assert 200 > limit >= 1  # the shipped limit: one address may not start 200 a minute
    await asyncio.sleep(_until_a_fresh_window())
    assert await _connected(["198.51.100.7"] * 200) == limit
    # Refused before anything was stored: one row per visitor let in, none for the rest.
    assert await database_sync_to_async(Conversation.objects.count)() == limit

    assert await _connected([f"203.0.113.{index}" for index in range(1, 51)]) == 50
    assert await database_sync_to_async(Conversation.objects.count)() == limit + 50


def test_rotating_cookies_from_one_address_are_not_handed_unbounded_visitor_ids():
    limit = settings.NEW_CONVERSATIONS_PER_ADDRESS_PER_MINUTE
    time.sleep(_until_a_fresh_window())
    pages = [Client(REMOTE_ADDR="198.51.100.7").get("/") for _ in range(200)]
    statuses = [page.status_code for page in pages]
    assert statuses == [200] * limit + [429] * (200 - limit)
    assert 1 <= int(pages[-1]["Retry-After"]) <= address_limits.WINDOW_S
    assert not pages[-1].cookies  # no identity handed out with the refusal

    served = [Client(REMOTE_ADDR=f"203.0.113.{index}").get("/") for index in range(1, 51)]
    assert [page.status_code for page in served] == [200] * 50
    # A returning visitor (a cookie from earlier) still gets their page from the busy address.
    returning = Client(REMOTE_ADDR="198.51.100.7")
    returning.cookies = served[0].cookies
    assert returning.get("/").status_code == 200
    assert not Conversation.objects.exists()  # page views store nothing
