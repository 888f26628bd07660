"""Web benchmark: many concurrent chat conversations over real WebSockets.

Starts the app (Daphne, embedded setup: SQLite in a temporary folder, the engine in-process) on a
free loopback port with the tiny model, runs SESSIONS concurrent conversations of TURNS turns each,
and measures what the web layer adds to a turn:

    overhead = (client sends the frame -> first token frame arrives) - the engine's own time to
               first token (usage.ttft_ms of the reply)

A turn is lost when it gets no finished reply (an error frame, a failed reply, or no reply within
the time limit). Every wait is bounded, so the run always ends.

    python bench/web.py [--sessions 50] [--turns 3] [--model tiny-random] [--json]

With --json the last line is one JSON object:
{"sessions": 50, "turns": 150, "lost": 0, "overhead_ms_p50": ..., "overhead_ms_p99": ...}
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parents[1]
TURN_TIMEOUT_S = 120.0
QUESTIONS = [
    "Hello, I cannot log in since this morning; the app says my password is wrong.",
    "I already reset it twice with the email link and restarted my phone.",
    "Now it says the account is locked for 30 minutes. What can I do?",
]


@dataclass
class TurnResult:
    ok: bool
    client_ttft_ms: float = 0.0
    engine_ttft_ms: float = 0.0
    total_ms: float = 0.0
    tokens: int = 0
    problem: str = ""
    conversation: str = ""

    @property
    def overhead_ms(self) -> float:
        return self.client_ttft_ms - self.engine_ttft_ms


@dataclass
class Run:
    results: list[TurnResult] = field(default_factory=list)
    connected: int = 0  # conversations connected and waiting for the start
    start: asyncio.Event = field(default_factory=asyncio.Event)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_app(port: int, model: str, var_dir: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SUPPORTBOT_MODEL": model,
        "SUPPORTBOT_VAR_DIR": var_dir,
        "HF_HUB_OFFLINE": "1",
        # Every simulated visitor comes from this one machine: per-address limits high enough
        # never to refuse the default visitors, still counted (their cost is part of what is measured).
        "SUPPORTBOT_CHAT_FRAMES_PER_ADDRESS_PER_MINUTE": "1000000",
        "SUPPORTBOT_NEW_CONVERSATIONS_PER_ADDRESS_PER_MINUTE": "1000000",
        "SUPPORTBOT_GENERATIONS_PER_ADDRESS": "250",
    }
    for unused in ("REDIS_URL", "DATABASE_URL", "DEBUG"):
        env.pop(unused, None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    log = open(Path(var_dir) / "daphne.log", "wb")
    command = [
        sys.executable,
        "-m",
        "daphne",
        "-b",
        "127.0.0.1",
        "-p",
        str(port),
        "supportbot.asgi:application",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/static/chat/chat.css", timeout=2)
            return process
        except requests.ConnectionError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the app did not start; see {log.name}")


def new_visitor(base_url: str) -> tuple[str, str]:
    page = requests.get(base_url + "/", timeout=30)
    page.raise_for_status()
    conversation_id = re.search(r'data-conversation-id="([0-9a-f-]+)"', page.text).group(1)
    return "; ".join(f"{k}={v}" for k, v in page.cookies.items()), conversation_id


async def one_turn(socket: ClientConnection, client_message_id: str, text: str) -> TurnResult:
    sent = time.perf_counter()
    await socket.send(
        json.dumps({"type": "send", "client_message_id": client_message_id, "text": text})
    )
    first_token: float | None = None
    tokens = 0
    while True:
        frame = json.loads(await socket.recv())
        if frame["type"] == "token":
            tokens += 1
            if first_token is None:
                first_token = time.perf_counter()
        elif frame["type"] == "error":
            return TurnResult(False, problem=f"error {frame['code']}: {frame['message']}")
        elif frame["type"] == "reply.end":
            message = frame["message"]
            if message["state"] != "done" or first_token is None:
                return TurnResult(
                    False, problem=f"reply {message['state']}: {message.get('error')}"
                )
            return TurnResult(
                True,
                client_ttft_ms=(first_token - sent) * 1000,
                engine_ttft_ms=message["usage"]["ttft_ms"],
                total_ms=(time.perf_counter() - sent) * 1000,
                tokens=tokens,
            )


async def conversation(base_url: str, turns: int, run: Run) -> None:
    cookie, conversation_id = await asyncio.to_thread(new_visitor, base_url)
    host = base_url.removeprefix("http://")
    try:
        async with connect(
            f"ws://{host}/ws/chat/{conversation_id}/",
            origin=base_url,
            additional_headers={"Cookie": cookie},
            open_timeout=30,
        ) as socket:
            await socket.send(json.dumps({"type": "resume", "last_message_id": None}))
            await asyncio.wait_for(socket.recv(), 30)
            run.connected += 1
            await run.start.wait()
            for index in range(turns):
                text = QUESTIONS[index % len(QUESTIONS)]
                try:
                    result = await asyncio.wait_for(
                        one_turn(socket, f"t{index}", text), TURN_TIMEOUT_S
                    )
                except TimeoutError:
                    result = TurnResult(False, problem=f"no reply within {TURN_TIMEOUT_S:.0f} s")
                result.conversation = conversation_id
                run.results.append(result)
                if not result.ok:
                    # Count the rest of this conversation's turns as lost too.
                    run.results.extend(
                        TurnResult(False, problem="skipped", conversation=conversation_id)
                        for _ in range(turns - index - 1)
                    )
                    return
    except (OSError, TimeoutError, ConnectionClosed) as error:
        # Turns of this conversation not yet counted are lost with the connection.
        missing = turns - sum(1 for r in run.results if r.conversation == conversation_id)
        run.results.extend(
            TurnResult(False, problem=f"connection: {error}", conversation=conversation_id)
            for _ in range(missing)
        )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


async def benchmark(base_url: str, sessions: int, turns: int) -> tuple[Run, float]:
    # One warm-up turn loads the model; it is not counted.
    warm_up = Run()
    warm_up.start.set()
    await conversation(base_url, 1, warm_up)
    run = Run()
    tasks = [asyncio.create_task(conversation(base_url, turns, run)) for _ in range(sessions)]
    # All conversations connect first, so that their turns really overlap (60 s at most).
    deadline = time.monotonic() + 60
    while (
        run.connected + sum(task.done() for task in tasks) < sessions
        and time.monotonic() < deadline
    ):
        await asyncio.sleep(0.05)
    run.start.set()
    started = time.perf_counter()
    await asyncio.gather(*tasks)
    return run, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--model", default="tiny-random")
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object as the last line"
    )
    args = parser.parse_args()

    os.environ["SUPPORTBOT_MAX_NEW_TOKENS"] = str(args.max_new_tokens)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="supportbot-bench-") as var_dir:
        app = start_app(port, args.model, var_dir)
        try:
            run, elapsed = asyncio.run(benchmark(base_url, args.sessions, args.turns))
        finally:
            app.terminate()
            app.wait(timeout=15)

    done = [result for result in run.results if result.ok]
    lost = args.sessions * args.turns - len(done)
    rows = {
        "client ttft (ms)": [r.client_ttft_ms for r in done],
        "engine ttft (ms)": [r.engine_ttft_ms for r in done],
        "overhead (ms)": [r.overhead_ms for r in done],
        "turn total (ms)": [r.total_ms for r in done],
    }
    print(
        f"web benchmark: {args.sessions} conversations x {args.turns} turns, model {args.model}, "
        f"{args.max_new_tokens} new tokens max, {elapsed:.1f} s"
    )
    print(f"{'':18} {'p50':>9} {'p90':>9} {'p99':>9} {'max':>9}")
    for name, values in rows.items():
        cells = [percentile(values, q) for q in (50, 90, 99, 100)]
        print(f"{name:18} " + " ".join(f"{cell:9.1f}" for cell in cells))
    tokens = sum(r.tokens for r in done)
    print(
        f"turns done {len(done)}, lost {lost}, streamed tokens {tokens} ({tokens / elapsed:.0f}/s)"
    )
    problems = sorted({r.problem for r in run.results if not r.ok})
    for problem in problems[:5]:
        print(f"  lost: {problem}")
    if args.json:
        print(
            json.dumps(
                {
                    "sessions": args.sessions,
                    "turns": args.sessions * args.turns,
                    "lost": lost,
                    "overhead_ms_p50": round(percentile(rows["overhead (ms)"], 50), 2),
                    "overhead_ms_p99": round(percentile(rows["overhead (ms)"], 99), 2),
                    "client_ttft_ms_p50": round(percentile(rows["client ttft (ms)"], 50), 2),
                    "engine_ttft_ms_p50": round(percentile(rows["engine ttft (ms)"], 50), 2),
                    "elapsed_s": round(elapsed, 1),
                }
            )
        )


if __name__ == "__main__":
    main()
