"""One live server for all the API tests of a run (Daphne with the tiny model, started on first
use and stopped at exit), API keys made with `manage.py api_key`, and request helpers."""

from __future__ import annotations

import atexit
import base64
import functools
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.chat_fixtures import screenshot_png
from tests.live_app import ROOT, LiveApp

# Small enough that the 413 test need not send megabytes.
MAX_BODY_BYTES = 1_000_000
MODEL = "glm-4.6v-flash-web"  # the name the seed article's clients send


@functools.cache
def api_app() -> LiveApp:
    app = LiveApp(
        {**os.environ, "SUPPORTBOT_API_MAX_BODY_BYTES": str(MAX_BODY_BYTES)},
        Path(tempfile.mkdtemp(prefix="supportbot-api-logs-")),
    )
    atexit.register(app.stop)
    try:
        app.manage("migrate", "--noinput")
        app.start_web()
    except BaseException:
        print(app.logs())
        raise
    return app


def create_key(name: str, *options: str) -> str:
    """A new API key's plaintext, e.g. create_key("limited", "--requests-per-minute", "2")."""
    done = subprocess.run(
        [sys.executable, "manage.py", "api_key", "create", name, *options],
        cwd=ROOT,
        env=api_app().env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def revoke_key(token: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "api_key", "revoke", token[:11]],
        cwd=ROOT,
        env=api_app().env,
        check=True,
        capture_output=True,
    )


@functools.cache
def main_key() -> str:
    return create_key("tests", "--requests-per-minute", "1000")


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def data_url(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def screenshot_url(label: str = "Error 42") -> str:
    return data_url(screenshot_png(label=label))


def user_message(text: str, *image_urls: str) -> dict[str, Any]:
    """A user message in the seed article's shape: a text part, then image_url parts."""
    parts: list[dict[str, Any]] = [{"type": "text", "text": text}]
    parts += [{"type": "image_url", "image_url": {"url": url}} for url in image_urls]
    return {"role": "user", "content": parts}


def query_logs(sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Read the live server's SQLite database (the conversation logs)."""
    path = Path(api_app().env["SUPPORTBOT_VAR_DIR"]) / "supportbot.sqlite3"
    with sqlite3.connect(path) as db:
        return db.execute(sql, params).fetchall()
