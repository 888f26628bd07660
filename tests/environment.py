"""The environment every test run gets, set before Django reads its settings.

Loaded with `-p tests.environment` (pytest.ini) because pytest-django imports the settings before
any conftest.py runs. Values already in the environment win, except REDIS_URL: the Redis tests
start their own processes with it, and everything else runs the embedded in-process mode.
"""

import atexit
import os
import secrets
import shutil
import tempfile

import pytest

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Read once when supportbot.asgi is imported, which test modules do at collection time.
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
os.environ.setdefault("SUPPORTBOT_MODEL", "tiny-random")
os.environ.setdefault("SUPPORTBOT_MAX_NEW_TOKENS", "24")
os.environ.pop("REDIS_URL", None)
# Tests run beat's tasks themselves; test_embedded_beat runs the in-process beat on its own.
os.environ.setdefault("SUPPORTBOT_EMBEDDED_BEAT", "0")
if "SUPPORTBOT_VAR_DIR" not in os.environ:
    # Uploads and the SQLite file of this run stay out of the developer's ./var.
    os.environ["SUPPORTBOT_VAR_DIR"] = tempfile.mkdtemp(prefix="supportbot-test-")
    atexit.register(shutil.rmtree, os.environ["SUPPORTBOT_VAR_DIR"], True)


@pytest.fixture(autouse=True)
def _nothing_counted_from_earlier_tests():
    """Per-address limits (chat.address_limits) and the API's counters live in this process's
    cache for the whole run, and every test client comes from 127.0.0.1: each test starts with
    none of them counted."""
    from django.core.cache import cache

    from supportbot.chat import address_limits

    cache.clear()
    address_limits.forget_all()
