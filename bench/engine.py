"""Engine benchmark: KV-cache reuse vs full recompute, and batched vs one-after-another decode.

Both sides of each comparison run in this one process on the same engine and model:
- time to first token per turn of an 8-turn conversation with screenshots in turns 1 and 4,
  once with the session's cache reused and once with it evicted before every turn;
- aggregate decode tokens/s of 8 sessions with long histories, batched vs run in sequence.

    python bench/engine.py [--model tiny-random-bench|smollm2-135m|<hub id or folder>] [--passages 3] [--json]

With --json the last line is one JSON object with the headline numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from PIL import Image, ImageDraw  # noqa: E402

from inference.engine import Engine, EngineConfig  # noqa: E402
from inference.models import load_model  # noqa: E402
from inference.types import ChatMessage, GenerationRequest, SamplingParams  # noqa: E402

USER_TURNS = [
    "Hello, I cannot log in to my account since this morning. The app shows the screen below "
    "every time I enter my password and press the blue button at the bottom of the page.",
    "I already reset my password twice using the email link, and I also cleared the cache of "
    "the app and restarted my phone, but nothing changed at all.",
    "My phone is a three year old Android device and the app was updated yesterday evening "
    "from the store, so I have the newest version as far as I can tell.",
    "Now I see this different message after waiting ten minutes and trying again, it mentions "
    "too many attempts and a temporary lock on the account.",
    "How long does such a lock usually last, and is there anything I can do to speed it up? "
    "I need to pay a bill today before the due date to avoid a late fee.",
    "Can I pay the bill some other way in the meantime, for example on the website or at a "
    "partner shop, without logging in to the app on my phone?",
    "If I call the hotline, what information should I have ready so the agent can verify "
    "my identity quickly and unlock the account during the call?",
    "Thanks. One more question: will the failed attempts affect my credit score or trigger "
    "a security review that blocks my card for a longer time?",
]
IMAGE_TURNS = {0: "ERR-4021 Invalid credentials", 3: "ERR-429 Account locked for 30 min"}
# The chat gives the model what the reply quotes: at most 800 + 400 characters a turn
# (chat.grounding.QUOTE_CHARS and the runner-up's half), so 3 passages of 400.
PASSAGE_CHARS = 400


def screenshot(text: str) -> Image.Image:
    image = Image.new("RGB", (640, 400), (245, 245, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle([80, 100, 560, 300], fill=(255, 255, 255), outline=(180, 0, 0), width=4)
    draw.text((110, 130), "Error", fill=(180, 0, 0), font_size=36)
    draw.text((110, 200), text, fill=(20, 20, 20), font_size=26)
    return image


def help_center_passages(turn: int, count: int) -> str:
    """Passages as the chat puts them inside a user turn (chat.grounding, chat.transcript.as_read):
    `count` sample articles' openings, different ones every turn."""
    articles = sorted((Path(__file__).resolve().parents[1] / "supportbot/knowledge/sample/en").glob("*.md"))
    chosen = [articles[(turn * count + i) % len(articles)] for i in range(count)]
    return "Help center passages (answer from these; say so if they do not answer):\n\n" + "\n\n".join(
        f"[{n}] {path.stem}\n{path.read_text()[:PASSAGE_CHARS]}" for n, path in enumerate(chosen, 1)
    )


def timed_conversation(engine: Engine, session_id: str, reply_tokens: int, recompute: bool, passages: int = 0):
    messages = [ChatMessage("system", "You are SupportBot, a helpful customer support assistant.")]
    rows = []
    for turn, text in enumerate(USER_TURNS):
        images = [screenshot(IMAGE_TURNS[turn])] if turn in IMAGE_TURNS else []
        if passages:
            text = f"{text}\n\n{help_center_passages(turn, passages)}"
        messages.append(ChatMessage("user", text, images))
        if recompute:
            engine.evict_session(session_id)
        sampling = SamplingParams(max_new_tokens=reply_tokens, ignore_eos=True)
        finished = engine.generate(GenerationRequest(session_id, list(messages), sampling))
        rows.append(finished.usage)
        messages.append(ChatMessage("assistant", finished.text))
    return messages, rows


def decode_throughput(engine: Engine, histories: dict[str, list[ChatMessage]], new_tokens: int, batched: bool):
    sampling = SamplingParams(max_new_tokens=new_tokens, ignore_eos=True)
    question = ChatMessage("user", "Please summarise what we discussed in a few sentences.")
    requests = [GenerationRequest(sid, [*history, question], sampling) for sid, history in histories.items()]
    done: list = []

    def run(request):
        done.append(engine.generate(request))

    start = time.perf_counter()
    if batched:
        threads = [threading.Thread(target=run, args=(r,)) for r in requests]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for request in requests:
            run(request)
    elapsed = time.perf_counter() - start
    tokens = sum(f.usage.completion_tokens for f in done)
    return tokens / elapsed, [f.usage for f in done]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="tiny-random-bench")
    parser.add_argument("--reply-tokens", type=int, default=112)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--decode-tokens", type=int, default=48)
    parser.add_argument("--passages", type=int, default=0,
                        help="help-center passages inside every user turn, as with retrieval on (the chat uses 3)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    loaded = load_model(args.model)
    engine = Engine(loaded, EngineConfig(max_batch=args.sessions, batch_window_s=0.05)).start()

    cached_messages, cached = timed_conversation(engine, "cached", args.reply_tokens, False, args.passages)
    _, recomputed = timed_conversation(engine, "recompute", args.reply_tokens, True, args.passages)
    print(f"model {loaded.name}, device {loaded.device}, dtype {str(loaded.dtype).removeprefix('torch.')}")
    print(f"{'turn':>4} {'prompt':>7} {'cached':>7} {'ttft cached ms':>15} {'ttft recompute ms':>18} {'ratio':>6}")
    for turn, (hit, miss) in enumerate(zip(cached, recomputed), 1):
        ratio = hit.ttft_ms / miss.ttft_ms
        print(f"{turn:>4} {hit.prompt_tokens:>7} {hit.cached_tokens:>7} {hit.ttft_ms:>15.1f} {miss.ttft_ms:>18.1f} {ratio:>6.3f}")

    speedups = {}
    for label, history in (("long", cached_messages), ("short", cached_messages[:3])):
        histories = {f"{label}-{i}": history for i in range(args.sessions)}
        for sid, messages in histories.items():  # give every session its own warm cache
            engine.generate(GenerationRequest(sid, messages[:-1], SamplingParams(max_new_tokens=1)))
        sequential, _ = decode_throughput(engine, histories, args.decode_tokens, batched=False)
        batched, usages = decode_throughput(engine, histories, args.decode_tokens, batched=True)
        speedups[label] = (sequential, batched)
        print(f"decode, {args.sessions} sessions of {usages[0].prompt_tokens} tokens context, "
              f"{args.decode_tokens} new tokens each: one after another {sequential:.1f} tok/s, "
              f"batched {batched:.1f} tok/s, speedup {batched / sequential:.2f}x")
    sequential, batched = speedups["long"]
    stats = engine.stats()
    print(f"kv cache: {stats['kv_bytes_per_token']} bytes/token, {stats['bytes_held'] / 2**20:.1f} MiB held, "
          f"{stats['hits']} hits, {stats['tokens_reused']} tokens reused")
    engine.shutdown()
    if args.json:
        print(json.dumps({
            "model": loaded.name,
            "device": str(loaded.device),
            "ttft_ratio_turn8": round(cached[-1].ttft_ms / recomputed[-1].ttft_ms, 4),
            "passages_per_turn": args.passages,
            "ttft_ms_turn1": round(cached[0].ttft_ms, 2),
            "ttft_ms_turn8_cached": round(cached[-1].ttft_ms, 2),
            "ttft_ms_turn8_recompute": round(recomputed[-1].ttft_ms, 2),
            "history_tokens_turn8": cached[-1].prompt_tokens,
            "batch_speedup_8": round(batched / sequential, 3),
            "decode_tok_s_batched": round(batched, 1),
            "decode_tok_s_sequential": round(sequential, 1),
            "batch_speedup_8_short_context": round(speedups["short"][1] / speedups["short"][0], 3),
            "kv_bytes_per_token": stats["kv_bytes_per_token"],
        }))


if __name__ == "__main__":
    main()
