"""The app as real processes for end-to-end tests: Daphne on a free loopback port, optional
inference workers, and a WebSocket client speaking docs/protocol.md."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from websockets.asyncio.client import ClientConnection, connect

from bench.peer_server import free_port

ROOT = Path(__file__).resolve().parent.parent
Frame = dict[str, Any]


@dataclass
class Visitor:
    cookie: str  # the Cookie header value
    conversation_id: str


@dataclass
class LiveApp:
    env: dict[str, str]
    log_dir: Path
    port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True
        )
        # What failed (an assertion in a `shell -c` check, say) is in its stderr: show it.
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-4000:]

    def spawn(self, name: str, *command: str) -> subprocess.Popen[bytes]:
        log = open(self.log_dir / f"{name}.log", "wb")
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes[name] = process
        return process

    def start_web(self) -> None:
        self.spawn(
            "daphne",
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(self.port),
            "supportbot.asgi:application",
        )
        wait_for(lambda: _answers(self.base_url), 60, "Daphne to answer")

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        return self.spawn(name, sys.executable, "manage.py", "inference_worker")

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}"
            for path in sorted(self.log_dir.glob("*.log"))
        )

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    def visit(self) -> Visitor:
        """Open the page like a browser: a new identity and its conversation."""
        page = requests.get(self.base_url + "/", timeout=10)
        page.raise_for_status()
        conversation_id = re.search(r'data-conversation-id="([0-9a-f-]+)"', page.text).group(1)
        cookie = "; ".join(f"{name}={value}" for name, value in page.cookies.items())
        return Visitor(cookie, conversation_id)

    def socket(self, visitor: Visitor) -> connect:
        return connect(
            f"ws://127.0.0.1:{self.port}/ws/chat/{visitor.conversation_id}/",
            origin=self.base_url,
            additional_headers={"Cookie": visitor.cookie},
        )


@contextmanager
def live_app(env: dict[str, str], log_dir: Path) -> Iterator[LiveApp]:
    # Served over plain HTTP: Secure cookies (the default outside DEBUG) would never come back.
    app = LiveApp({**os.environ, "SUPPORTBOT_HTTPS": "0", **env}, log_dir)
    try:
        app.manage("migrate", "--noinput")
        app.start_web()
        yield app
    except BaseException:
        print(app.logs())
        raise
    finally:
        app.stop()


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise TimeoutError(f"waited {timeout:.0f} s for {what}")


def _answers(url: str) -> bool:
    try:
        requests.get(url + "/static/chat/chat.css", timeout=2)
        return True
    except requests.ConnectionError:
        return False


async def turn(socket: ClientConnection, client_message_id: str, text: str) -> list[Frame]:
    """Send one message; every frame up to and including its reply.end."""
    await socket.send(
        json.dumps({"type": "send", "client_message_id": client_message_id, "text": text})
    )
    frames = []
    while not frames or frames[-1]["type"] not in ("reply.end", "error"):
        frames.append(json.loads(await socket.recv()))
    return frames
