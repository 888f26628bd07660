"""Answer quality on screenshots: bench/quality_cases.py's public set (error dialogs, bills, order
status, settings pages, forms; English and Chinese), each asked with its screenshot, scored on
the facts a right answer repeats from the screen, on loops and on replies cut at the length limit.

    python bench/quality.py [--model M] [--limit N] [--json]      # the engine, as the chat asks it
    python bench/quality.py --url http://127.0.0.1:8000 --key KEY  # a running server's /v1

Against the engine the reply is scored as the chat page shows it: the screenshot's telling lines
quoted first (chat.grounding.screen_quote; none on a tree that does not have it), then the
model's words, generated with the chat's system prompt and sampling; all cases go to the engine
at once, so it batches them. Against /v1 the reply is the model's own words, which is what API
clients get. `loops`: replies whose model text repeats itself (the engine's loop cut, or the
same sentence three times); `length_cut`: share ended by the token limit. With --json the last
line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.quality_cases import CASES, found_groups, render  # noqa: E402

SENTENCE = re.compile(r"[^.!?。！？\n]{12,}[.!?。！？\n]")


@dataclass
class Result:
    case_id: str
    lang: str
    facts_ok: float  # share of the case's fact groups in the reply
    looped: bool
    length_cut: bool
    ttft_ms: float
    reply_s: float
    text: str


def repeats_itself(text: str) -> bool:
    """The same sentence (12+ characters) three times: a loop the engine did not catch."""
    sentences = [s.strip().lower() for s in SENTENCE.findall(text)]
    return any(sentences.count(s) >= 3 for s in set(sentences))


def score(case, reply: str, model_text: str, loop_cut: bool, finish: str, ttft_ms: float, reply_s: float) -> Result:
    found = found_groups(case, reply)
    return Result(
        case.id, case.lang, sum(found) / len(found), loop_cut or repeats_itself(model_text),
        finish == "length", ttft_ms, reply_s, reply,
    )


# ----- the engine, as the chat asks it ------------------------------------------------------


def setup_django() -> None:
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.setdefault("SUPPORTBOT_VAR_DIR", str(Path("/tmp/supportbot-bench-quality")))
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportbot.settings")
    import django

    django.setup()


def as_asked(question: str, lang: str) -> str:
    """The visitor's turn as the chat gives it to the model: with the line that names the page's
    language (none on a tree from before it did)."""
    try:
        from supportbot.chat.transcript import as_read
    except ImportError:
        return question
    try:
        return as_read(question, "", "zh-hans" if lang == "zh" else "en")
    except TypeError:  # as_read without a language
        return question


def screen_opening(ocr_text: str, question: str, lang: str) -> str:
    try:
        from supportbot.chat.grounding import screen_quote
    except ImportError:  # a tree from before replies quoted screenshots
        return ""
    return screen_quote(ocr_text, question, lang)


async def ask_engine(engine, case) -> Result:
    from django.conf import settings

    from inference.ocr import read_text
    from inference.types import ChatMessage, Finished, GenerationRequest
    from supportbot.chat.transcript import reply_sampling

    image = render(case)
    opening = screen_opening(await asyncio.to_thread(read_text, image), case.question, case.lang)
    messages = [ChatMessage("system", settings.SUPPORTBOT_SYSTEM_PROMPT), ChatMessage("user", as_asked(case.question, case.lang), [image])]
    request = GenerationRequest(f"quality-{case.id}", messages, reply_sampling())
    start = time.perf_counter()
    finished = None
    async for event in engine.stream(request):
        finished = event if isinstance(event, Finished) else finished
    usage = finished.usage
    return score(
        case, opening + finished.text, finished.text, getattr(usage, "loop_cut", False), usage.finish_reason,
        usage.ttft_ms, time.perf_counter() - start,
    )


def run_engine(cases, model: str) -> tuple[str, list[Result]]:
    setup_django()
    from inference.engine import Engine, EngineConfig
    from inference.models import default_model_spec, load_model

    loaded = load_model(model or default_model_spec())
    engine = Engine(loaded, EngineConfig(max_batch=len(cases), torch_threads=None, request_timeout_s=3600)).start()

    async def ask_all():
        return await asyncio.gather(*(ask_engine(engine, case) for case in cases))

    try:
        return loaded.name, asyncio.run(ask_all())
    finally:
        engine.shutdown()


# ----- a running server's /v1 ----------------------------------------------------------------


def ask_api(url: str, key: str, model: str, case) -> Result:
    import requests

    image = io.BytesIO()
    render(case).save(image, format="PNG")
    content = [
        {"type": "text", "text": case.question},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64," + base64.b64encode(image.getvalue()).decode()}},
    ]
    body = {"model": model, "messages": [{"role": "user", "content": content}], "stream": True, "temperature": 0}
    start, first, text, finish = time.perf_counter(), None, "", ""
    with requests.post(f"{url}/v1/chat/completions", json=body, timeout=300, stream=True,
                       headers={"Authorization": f"Bearer {key}"}) as response:
        response.raise_for_status()
        for line in response.iter_lines(decode_unicode=True):
            if not line or not line.startswith("data: ") or line == "data: [DONE]":
                continue
            choice = json.loads(line[6:])["choices"][0]
            piece = choice.get("delta", {}).get("content") or ""
            if piece and first is None:
                first = time.perf_counter()
            text += piece
            finish = choice.get("finish_reason") or finish
    elapsed = time.perf_counter() - start
    return score(case, text, text, False, finish, ((first or time.perf_counter()) - start) * 1000, elapsed)


def run_api(cases, url: str, key: str, model: str) -> tuple[str, list[Result]]:
    return model, [ask_api(url.rstrip("/"), key, model, case) for case in cases]


# ----- report ---------------------------------------------------------------------------------


def summary(model: str, results: list[Result]) -> dict:
    def share(values) -> float:
        values = list(values)
        return round(sum(values) / len(values), 4) if values else 0.0

    return {
        "model": model,
        "facts_ok": share(r.facts_ok for r in results if r.lang == "en"),
        "facts_ok_zh": share(r.facts_ok for r in results if r.lang == "zh"),
        "loops": sum(r.looped for r in results),
        "length_cut": share(r.length_cut for r in results),
        "ttft_ms_p50": round(statistics.median(r.ttft_ms for r in results), 1),
        "reply_s_p50": round(statistics.median(r.reply_s for r in results), 2),
        "cases": len(results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="", help="engine: a model name (default: the offline one); --url: the API's model")
    parser.add_argument("--url", help="a running server, asked through /v1/chat/completions")
    parser.add_argument("--key", default=os.environ.get("SUPPORTBOT_API_KEY", ""), help="API key for --url")
    parser.add_argument("--limit", type=int, default=0, help="only the first N cases of each language")
    parser.add_argument("--show", action="store_true", help="print every reply")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    cases = CASES
    if args.limit:
        cases = [c for c in CASES if c.lang == "en"][: args.limit] + [c for c in CASES if c.lang == "zh"][: args.limit]
    if args.url:
        model, results = run_api(cases, args.url, args.key, args.model or "supportbot")
    else:
        model, results = run_engine(cases, args.model)
    for result in results:
        flags = (" LOOP" if result.looped else "") + (" LENGTH" if result.length_cut else "")
        print(f"{result.case_id:<12} facts {result.facts_ok:.2f}{flags}")
        if args.show:
            print("   " + result.text.replace("\n", "\n   "))
    report = summary(model, results)
    for key, value in report.items():
        print(f"{key:<14} {value}")
    if args.json:
        print(json.dumps(report))


if __name__ == "__main__":
    main()
