"""Load benchmark of the scaled-out setup: Daphne with channels-redis, PostgreSQL, and two
inference worker processes with the tiny model, all on loopback; SESSIONS concurrent WebSocket
conversations of TURNS turns each. Every wait is bounded, so the run always ends.

    python bench/load.py [--sessions 200] [--turns 5] [--workers 2] [--json]

Needs the machine's PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379); it
creates a database and a Redis key prefix of its own and removes both afterwards. With --json the
last line is {"sessions", "turns", "lost", "errors", "reply_ms_p50", "reply_ms_p99",
"overhead_ms_p50", "overhead_ms_p99", ...}; overhead is what bench/web.py measures, here through
Redis and a worker process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import redis
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web import benchmark, free_port, percentile  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/0"


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise SystemExit(f"gave up waiting for {what}")


def answers(url: str) -> bool:
    try:
        return requests.get(url + "/healthz", timeout=2).ok
    except requests.ConnectionError:
        return False


def live_workers(prefix: str) -> int:
    client = redis.Redis.from_url(REDIS)
    return sum(1 for _ in client.scan_iter(f"{prefix}:inference:heartbeat:*"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    database = f"supportbot_load_{secrets.token_hex(4)}"
    prefix = f"supportbot-load-{secrets.token_hex(4)}"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    processes: list[subprocess.Popen] = []
    var_dir = tempfile.mkdtemp(prefix="supportbot-load-")  # kept: the process logs are there
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SUPPORTBOT_MODEL": "tiny-random",
        "SUPPORTBOT_VAR_DIR": var_dir,
        "SUPPORTBOT_MAX_NEW_TOKENS": str(args.max_new_tokens),
        "HF_HUB_OFFLINE": "1",
        "DATABASE_URL": f"{POSTGRES}/{database}",
        "REDIS_URL": REDIS,
        "SUPPORTBOT_REDIS_PREFIX": prefix,
        # Every simulated visitor comes from this one machine: per-address limits high enough
        # never to refuse the default visitors, still counted (their cost is part of what is measured).
        "SUPPORTBOT_CHAT_FRAMES_PER_ADDRESS_PER_MINUTE": "1000000",
        "SUPPORTBOT_NEW_CONVERSATIONS_PER_ADDRESS_PER_MINUTE": "1000000",
        "SUPPORTBOT_GENERATIONS_PER_ADDRESS": "250",
    }
    env.pop("DEBUG", None)

    def spawn(name: str, *command: str) -> None:
        log = open(Path(var_dir) / f"{name}.log", "wb")
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))

    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
                       check=True, capture_output=True)
        for index in range(args.workers):
            spawn(f"worker-{index}", sys.executable, "manage.py", "inference_worker")
        spawn("daphne", sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
              "supportbot.asgi:application")
        wait_until(lambda: answers(base_url), 60, "Daphne")
        wait_until(lambda: live_workers(prefix) == args.workers, 120, "the inference workers")
        run, elapsed = asyncio.run(benchmark(base_url, args.sessions, args.turns))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        client = redis.Redis.from_url(REDIS)
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)

    done = [r for r in run.results if r.ok]
    # Turns that failed visibly (error frame, failed reply, dropped socket); the rest of a
    # conversation after its first failure is lost but not counted again as an error.
    errors = sum(1 for r in run.results if not r.ok and r.problem != "skipped")
    lost = args.sessions * args.turns - len(done)
    replies = [r.total_ms for r in done]
    print(f"load: {args.sessions} conversations x {args.turns} turns, {args.workers} workers, "
          f"{args.max_new_tokens} new tokens max, {elapsed:.1f} s")
    print(f"{'':18} {'p50':>9} {'p90':>9} {'p99':>9} {'max':>9}")
    overheads = [r.overhead_ms for r in done]  # as in web.py: first token at the client minus the engine's
    rows = (("reply (ms)", replies), ("first token (ms)", [r.client_ttft_ms for r in done]), ("overhead (ms)", overheads))
    for name, values in rows:
        print(f"{name:18} " + " ".join(f"{percentile(values, q):9.1f}" for q in (50, 90, 99, 100)))
    print(f"turns done {len(done)}, lost {lost}, errors {errors}; logs in {var_dir}")
    for problem in sorted({r.problem for r in run.results if not r.ok})[:5]:
        print(f"  lost: {problem}")
    if args.json:
        print(json.dumps({
            "sessions": args.sessions,
            "turns": args.sessions * args.turns,
            "lost": lost,
            "errors": errors,
            "reply_ms_p50": round(percentile(replies, 50), 1),
            "reply_ms_p99": round(percentile(replies, 99), 1),
            "overhead_ms_p50": round(percentile(overheads, 50), 2),
            "overhead_ms_p99": round(percentile(overheads, 99), 2),
            "elapsed_s": round(elapsed, 1),
        }))


if __name__ == "__main__":
    main()
