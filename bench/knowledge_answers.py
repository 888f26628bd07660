"""Answers, not just retrieval: each answerable case of bench/knowledge_cases.py asked of the
offline chat model the way the chat asks it, once grounded in the help center and once without
it, and scored on the facts a right answer must contain. Used by bench/knowledge.py.

A grounded reply is what the visitor sees: the quotes it opens with (chat.grounding: the
screenshot's telling lines, the best passage), then the model's words, generated with the passages inside the turn. A case's screenshot is drawn
from its text lines and goes through the same OCR as an upload. All requests go to one engine
at once, so it batches them.
"""

from __future__ import annotations

import asyncio
import statistics
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


@dataclass
class Answer:
    case: object
    grounded: bool
    text: str
    facts_found: float  # share of the case's fact groups present in the reply
    finish_reason: str
    refused: bool  # the chat would say it does not know (grounded only)


def draw_screenshot(lines: list[str], chinese: bool) -> Image.Image:
    font = ImageFont.truetype(CJK_FONT if chinese else FONT, 22)
    image = Image.new("RGB", (900, 60 + 44 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((30, 30 + 44 * row), line, font=font, fill=(25, 25, 25))
    return image


def facts_found(text: str, facts: list[list[str]], lang: str) -> float:
    def normal(value: str) -> str:
        value = value.lower()
        return value.replace(" ", "") if lang == "zh" else value

    reply = normal(text)
    return sum(any(normal(spelling) in reply for spelling in group) for group in facts) / len(facts)


async def _answer(engine, case, grounded: bool) -> Answer:
    from django.conf import settings

    from inference.ocr import read_text
    from inference.types import ChatMessage, Finished
    from supportbot.chat.grounding import ground
    from supportbot.chat.replies import chat_sampling
    from supportbot.chat.transcript import Transcript, as_read, reply_request

    images = [draw_screenshot(case.screenshot_text, case.lang == "zh")] if case.screenshot_text else []
    screenshot_text = await asyncio.to_thread(read_text, images[0]) if images else ""
    # The page's language, as the chat passes it: the labels and the model's "Answer in ..." line.
    language = "zh-hans" if case.lang == "zh" else "en"
    grounding = await asyncio.to_thread(ground, case.question, "", screenshot_text, language) if grounded else None
    if grounding is not None and grounding.unanswered:
        return Answer(case, grounded, "", 0.0, "stop", refused=True)
    context = grounding.context if grounding is not None else ""
    messages = [
        ChatMessage("system", settings.SUPPORTBOT_SYSTEM_PROMPT),
        ChatMessage("user", as_read(case.question, context, language), images=images),
    ]
    # As the chat asks: a model that adds nothing to a quote of the answer writes no words after it.
    sampling = chat_sampling(grounding.citations) if grounding is not None else None
    request = reply_request(f"kb-{case.id}-{grounded}", "", Transcript(messages, ()), sampling)
    finished = None
    async for event in engine.stream(request):
        finished = event if isinstance(event, Finished) else finished
    text = (grounding.opening if grounding is not None else "") + finished.text
    return Answer(case, grounded, text, facts_found(text, case.facts, case.lang), finished.usage.finish_reason, False)


async def _answer_all(engine, cases) -> list[Answer]:
    jobs = [_answer(engine, case, grounded) for case in cases for grounded in (True, False)]
    return await asyncio.gather(*jobs)


def answer_cases(cases, model_spec: str = "") -> tuple[str, list[Answer]]:
    """(model name, answers): every case with facts, grounded and not."""
    from inference.engine import Engine, EngineConfig
    from inference.models import default_model_spec, load_model

    loaded = load_model(model_spec or default_model_spec())
    engine = Engine(loaded, EngineConfig(max_batch=32, torch_threads=None, request_timeout_s=3600)).start()
    try:
        answers = asyncio.run(_answer_all(engine, [case for case in cases if case.facts]))
    finally:
        engine.shutdown()
    return loaded.name, answers


def summary(answers: list[Answer]) -> dict:
    def mean(values) -> float:
        values = list(values)
        return round(statistics.fmean(values), 4) if values else 0.0

    grounded = [a for a in answers if a.grounded]
    plain = [a for a in answers if not a.grounded]
    return {
        "answer_facts": mean(a.facts_found for a in grounded),
        "answer_facts_zh": mean(a.facts_found for a in grounded if a.case.lang == "zh"),
        "answer_facts_no_kb": mean(a.facts_found for a in plain),
        "answerable_refused": mean(a.refused for a in grounded),
        "length_cut": mean(a.finish_reason == "length" for a in answers),
    }
