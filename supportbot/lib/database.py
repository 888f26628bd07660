"""Database calls from async code on more than one thread, where the database allows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from django.db import connection


def concurrent_database_sync_to_async(func: Callable[..., Any]) -> Callable[..., Any]:
    """Channels' database_sync_to_async, but on a pool of threads (each with its own connection)
    when the database is PostgreSQL. Channels runs every call on one thread, so under load each
    turn waited for the round trips of every turn queued before it. SQLite takes one writer at a
    time anyway: its calls stay on that one thread. Only for calls that lock what they change
    (select_for_update) or need no lock."""
    return database_sync_to_async(func, thread_sensitive=connection.vendor == "sqlite")
