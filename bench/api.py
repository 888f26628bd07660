"""API benchmark: cross-request prefix reuse for stateless clients, and the result cache.

Starts the app (Daphne, embedded setup, temporary folder) on a free loopback port, creates an API
key, and sends one 6-turn support conversation the way OpenAI-style clients do: every call resends
the whole history. It runs twice, turn by turn side by side:

- reuse: the calls as a client sends them; the engine finds the previous call's cache.
- no reuse: the same calls with a unique nonce at the very start of the system prompt, so no call
  shares a first token with any cached one. Prompt lengths and work are otherwise the same; this
  is what an engine without cross-request prefix caching computes.

TTFT is measured by the client: from sending the request to the first content chunk of the
stream. Then an identical temperature-0 call is sent twice and the second (a result-cache hit)
is timed. Every wait is bounded, so the run always ends.

    python bench/api.py [--model tiny-random-bench] [--json]

With --json the last line is {"ttft_ratio_turn6": reuse/no-reuse, "result_cache_hit_ms": ...}.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from PIL import Image, ImageDraw
from web import ROOT, free_port, start_app  # bench/web.py: the same app start-up

TIMEOUT_S = 120.0
MAX_TOKENS = 24
SYSTEM = (
    "You are SupportBot, the support assistant of an online phone shop. Users send screenshots of "
    "the app, the website, invoices and delivery notes. Answer briefly and concretely, in the "
    "user's language. Shop policies: returns within 30 days with the receipt; screen repairs take "
    "three working days; accounts lock for 30 minutes after five wrong passwords; refunds reach "
    "the card within five working days; warranty covers two years from delivery. "
) * 3
QUESTIONS = [
    "My order was refused at checkout, see the screenshot. Why?",
    "I tried another card and it was refused too.",
    "The bank says everything is fine on their side.",
    "Could it be the delivery address? I recently moved.",
    "I updated the address and it still fails.",
    "Can I pay on delivery instead?",
]


def screenshot_url() -> str:
    image = Image.new("RGB", (448, 336), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 448, 28], fill=(40, 80, 160))
    draw.text((10, 60), "Payment refused (code 51)", fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def create_key(env_var_dir: str) -> str:
    env = {**os.environ, "SECRET_KEY": "bench", "SUPPORTBOT_VAR_DIR": env_var_dir}
    for unused in ("REDIS_URL", "DATABASE_URL"):
        env.pop(unused, None)
    done = subprocess.run(
        [sys.executable, "manage.py", "api_key", "create", "bench", "--requests-per-minute", "100000",
         "--tokens-per-minute", "100000000"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )
    return done.stdout.strip()


def streamed_call(base_url: str, key: str, messages: list, model: str) -> tuple[float, str, dict]:
    """(client TTFT in ms, reply text, usage) of one streaming call."""
    started = time.perf_counter()
    ttft_ms, parts, usage = 0.0, [], {}
    body = {"model": "glm-4.6v-flash-web", "messages": messages, "max_tokens": MAX_TOKENS,
            "temperature": 0, "stream": True, "stream_options": {"include_usage": True}}
    with requests.post(base_url + "/v1/chat/completions", json=body, stream=True, timeout=TIMEOUT_S,
                       headers={"Authorization": f"Bearer {key}"}) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith(b"data: ") or line == b"data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("usage"):
                usage = chunk["usage"]
            if chunk.get("choices") and chunk["choices"][0]["delta"].get("content"):
                ttft_ms = ttft_ms or (time.perf_counter() - started) * 1000
                parts.append(chunk["choices"][0]["delta"]["content"])
    return ttft_ms, "".join(parts), usage


def conversation(base_url: str, key: str, model: str, nonce: bool) -> list[tuple[float, dict]]:
    image = screenshot_url()
    history: list = []
    results = []
    for turn, question in enumerate(QUESTIONS):
        content: list = [{"type": "text", "text": question}]
        if turn == 0:
            content.append({"type": "image_url", "image_url": {"url": image}})
        history.append({"role": "user", "content": content})
        system = (f"[request {secrets.token_hex(4)}] " if nonce else "[request 00000000] ") + SYSTEM
        ttft_ms, reply, usage = streamed_call(base_url, key, [{"role": "system", "content": system}, *history], model)
        history.append({"role": "assistant", "content": reply})
        results.append((ttft_ms, usage))
    return results


def result_cache_hit_ms(base_url: str, key: str) -> float:
    body = {"model": "glm-4.6v-flash-web", "temperature": 0, "max_tokens": MAX_TOKENS,
            "messages": [{"role": "system", "content": SYSTEM},
                         {"role": "user", "content": "How long do refunds take?"}]}
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        response = requests.post(base_url + "/v1/chat/completions", json=body, timeout=TIMEOUT_S,
                                 headers={"Authorization": f"Bearer {key}"})
        response.raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    return timings[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="tiny-random-bench")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="supportbot-bench-api-")
    port = free_port()
    process = start_app(port, args.model, var_dir)
    base_url = f"http://127.0.0.1:{port}"
    try:
        key = create_key(var_dir)
        streamed_call(base_url, key, [{"role": "user", "content": "warm-up"}], args.model)
        reuse = conversation(base_url, key, args.model, nonce=False)
        no_reuse = conversation(base_url, key, args.model, nonce=True)
        cache_hit_ms = result_cache_hit_ms(base_url, key)
    finally:
        process.terminate()
        process.wait(timeout=30)
    print(f"model {args.model}; client TTFT per turn of one conversation sent as stateless calls")
    print(f"{'turn':>4} {'prompt':>7} {'cached':>7} {'reuse ms':>9} {'no-reuse ms':>12} {'ratio':>6}")
    for turn, ((on_ms, on), (off_ms, off)) in enumerate(zip(reuse, no_reuse, strict=True), 1):
        print(f"{turn:>4} {on['prompt_tokens']:>7} {on['prompt_tokens_details']['cached_tokens']:>7}"
              f" {on_ms:>9.1f} {off_ms:>12.1f} {on_ms / off_ms:>6.2f}"
              f"   (no-reuse cached {off['prompt_tokens_details']['cached_tokens']})")
    print(f"result-cache hit: {cache_hit_ms:.1f} ms")
    ratio = reuse[-1][0] / no_reuse[-1][0]
    if args.json:
        print(json.dumps({"ttft_ratio_turn6": round(ratio, 3), "result_cache_hit_ms": round(cache_hit_ms, 1)}))


if __name__ == "__main__":
    main()
