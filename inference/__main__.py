"""Try the engine in a terminal: multi-turn chat with screenshots, streamed.

    python -m inference chat [--model smollm2-135m] [--image screen.png] [--max-new-tokens 256]

Type a message and press Enter. `/image PATH` attaches a screenshot to your next message,
`/reset` starts a new conversation, `/stats` shows the KV-cache counters, `/quit` leaves.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from pathlib import Path

from inference.types import ChatMessage, Finished, GenerationRequest, InferenceError, SamplingParams
from inference.vision import load_image

SYSTEM_PROMPT = "You are SupportBot, a friendly and precise customer support assistant."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inference", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    chat = commands.add_parser("chat", help="chat with the model in this terminal")
    chat.add_argument("--model", default=None, help="tiny-random, smollm2-135m, a hub id or a folder")
    chat.add_argument("--image", type=Path, action="append", default=[], help="screenshot for the first message")
    chat.add_argument("--device", default=None)
    chat.add_argument("--dtype", default=None)
    chat.add_argument("--max-new-tokens", type=int, default=256)
    chat.add_argument("--temperature", type=float, default=0.0)
    args = parser.parse_args(argv)

    from inference.engine import Engine
    from inference.models import default_model_spec, load_model

    spec = args.model or default_model_spec()
    print(f"loading {spec} ...", file=sys.stderr)
    try:
        engine = Engine(load_model(spec, device=args.device, dtype=args.dtype)).start()
    except InferenceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        asyncio.run(chat_loop(engine, args))
    except (KeyboardInterrupt, EOFError):
        print()
    finally:
        engine.shutdown()
    return 0


async def chat_loop(engine, args) -> None:
    session = str(uuid.uuid4())
    messages = [ChatMessage("system", SYSTEM_PROMPT)]
    pending_images = [load_image(path.read_bytes()) for path in args.image]
    sampling = SamplingParams(max_new_tokens=args.max_new_tokens, temperature=args.temperature)
    print("Type a message (/image PATH, /reset, /stats, /quit).", file=sys.stderr)
    while True:
        line = await asyncio.to_thread(input, "you> ")
        command, _, rest = line.strip().partition(" ")
        if command == "/quit":
            return
        if command == "/reset":
            engine.drop_session(session)
            session, messages, pending_images = str(uuid.uuid4()), messages[:1], []
            continue
        if command == "/stats":
            print(engine.stats(), file=sys.stderr)
            continue
        if command == "/image":
            try:
                pending_images.append(load_image(Path(rest).expanduser().read_bytes()))
            except (OSError, InferenceError) as exc:
                print(f"error: {exc}", file=sys.stderr)
            continue
        messages.append(ChatMessage("user", line, pending_images))
        pending_images = []
        print("bot> ", end="", flush=True)
        try:
            async for event in engine.stream(GenerationRequest(session, messages, sampling)):
                if isinstance(event, Finished):
                    messages.append(ChatMessage("assistant", event.text))
                    u = event.usage
                    print(f"\n[{u.finish_reason}: {u.prompt_tokens} prompt tokens ({u.cached_tokens} cached), "
                          f"{u.completion_tokens} new, first token {u.ttft_ms:.0f} ms]{' ' + u.error if u.error else ''}",
                          file=sys.stderr)
                else:
                    print(event.text, end="", flush=True)
        except InferenceError as exc:
            messages.pop()
            print(f"\nerror: {exc}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
