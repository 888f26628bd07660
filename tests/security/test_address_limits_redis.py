"""Issue 16, item 2, with Redis: per-address limits are shared by every web process. Uploads
counted in another process (a second Daphne behind the same proxy) count here too."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time

import pytest

from supportbot.chat import address_limits
from tests.live_app import ROOT

pytestmark = [pytest.mark.services, pytest.mark.timeout(120)]

REDIS = "redis://127.0.0.1:6379/0"
TAKE_IN_ANOTHER_PROCESS = (
    "import django; django.setup()\n"
    "from supportbot.chat import address_limits\n"
    "print([address_limits.take('uploads', '198.51.100.7', 3) for _ in range(3)])\n"
    "print(address_limits.acquire('generations', '198.51.100.7', 1, 60) is not None)\n"
)


@pytest.fixture
def redis_cache(settings):
    prefix = f"supportbot-test-{secrets.token_hex(4)}"
    settings.REDIS_URL, settings.REDIS_PREFIX = REDIS, prefix
    return prefix


def test_limits_counted_in_another_process_hold_in_this_one(redis_cache):
    left = address_limits.WINDOW_S - time.time() % address_limits.WINDOW_S
    if left < 20:  # both processes within one counting window
        time.sleep(left)
    other = subprocess.run(
        [sys.executable, "-c", TAKE_IN_ANOTHER_PROCESS],
        cwd=ROOT,
        env={**os.environ, "REDIS_URL": REDIS, "SUPPORTBOT_REDIS_PREFIX": redis_cache},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert other.returncode == 0, other.stderr[-2000:]
    assert other.stdout.split() == ["[None,", "None,", "None]", "True"]
    # The other process used up the window and holds the one generation slot.
    assert address_limits.take("uploads", "198.51.100.7", 3) is not None
    assert address_limits.acquire("generations", "198.51.100.7", 1, 60) is None
    assert address_limits.take("uploads", "198.51.100.8", 3) is None


async def test_the_sockets_calls_count_in_redis_with_the_pages(redis_cache):
    # The socket counts on the event loop (no thread), in the same keys as the sync calls.
    address = "198.51.100.9"
    held = await address_limits.aacquire("generations", address, 1, 60)
    assert held is not None and held.key
    assert address_limits.acquire("generations", address, 1, 60) is None
    await address_limits.arelease(held)
    assert await address_limits.aacquire("generations", address, 1, 60) is not None
    assert [await address_limits.atake("frames", address, 2) for _ in range(2)] == [None, None]
    assert address_limits.take("frames", address, 2) is not None


async def test_a_redis_outage_does_not_refuse_the_visitors_turn(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    assert await address_limits.atake("frames", "198.51.100.10", 1) is None
    assert await address_limits.aacquire("generations", "198.51.100.10", 1, 60) == address_limits.NO_LIMIT


def test_a_redis_outage_does_not_refuse_a_page_or_an_upload(settings, client):
    # The pages' calls (new visitor on GET /, uploads) fail open like the socket's.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert address_limits.take("uploads", "198.51.100.11", 1) is None
    slot = address_limits.acquire("uploads", "198.51.100.11", 1, 60)
    assert slot == address_limits.NO_LIMIT
    address_limits.release(address_limits.Slot("some-key", "some-token"))  # no error either
    assert client.get("/").status_code == 200
