"""A few threads per process for work that waits on other servers (an SMTP server, a webhook
endpoint) in the embedded setup. There Celery has no worker and would run such a task in its
caller, often Channels' database thread: every chat socket of the process waits on that thread,
so a server that stops answering would stall them all."""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connections

log = logging.getLogger(__name__)

# Mail and webhooks at once; more wait in line (each gives up within its own timeout).
THREADS = 4

_lock = threading.Lock()
_executor: concurrent.futures.ThreadPoolExecutor | None = None
_pending: set[concurrent.futures.Future[Any]] = set()


def submit(func: Callable[..., Any], *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
    """Run func(*args, **kwargs) on a background thread; a failure is logged there."""
    global _executor
    with _lock:
        if _executor is None:
            _executor = concurrent.futures.ThreadPoolExecutor(THREADS, thread_name_prefix="background")
        future = _executor.submit(_run, func, args, kwargs)
        _pending.add(future)
    future.add_done_callback(_forget)
    return future


def drain(timeout: float) -> bool:
    """Wait until nothing submitted is left running (what it submits in turn included); False if
    that took longer than `timeout` seconds. For tests and shutdown."""
    deadline = time.monotonic() + timeout
    while True:
        with _lock:
            running = [future for future in _pending if not future.done()]
        if not running:
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        concurrent.futures.wait(running, timeout=left)


def _forget(future: concurrent.futures.Future[Any]) -> None:
    with _lock:
        _pending.discard(future)


def _run(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        return func(*args, **kwargs)
    except Exception:
        log.exception("background %s failed", getattr(func, "__qualname__", func))
        raise
    finally:
        # Each job is one short use of the database: leave no connection open on an idle thread.
        connections.close_all()
