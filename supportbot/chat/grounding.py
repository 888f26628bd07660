"""What the help center says about a visitor's turn: the passages retrieved for its question, the
text the model reads with the turn, and the citations and quote the reply carries.

The passages go inside the current user turn, stored with it (Message.context), so every later
turn reads the same history and the engine's KV cache keeps the whole prefix. Small models barely
use text in their prompt, so the reply itself opens with the best passage, quoted and labelled
with its article, then the model's words: a visitor can always tell the two apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async

from supportbot.knowledge.retrieval import Passage, is_answerable, nothing_to_search, search
from supportbot.knowledge.tokens import looks_chinese

PASSAGES = 3
QUOTE_CHARS = 600  # of the best passage, cut at a sentence or line where one ends before


@dataclass(frozen=True)
class Grounding:
    context: str = ""  # read by the model with the visitor's message; "" when nothing relevant
    citations: list[dict[str, Any]] = field(default_factory=list)  # stored on the reply


NOTHING = Grounding()


async def ground_turn(question: str) -> Grounding:
    """ground() off the event loop, unless the help center is known to be empty."""
    if nothing_to_search():
        return NOTHING
    # Not on the one database thread of SQLite: embedding the question is CPU work.
    return await database_sync_to_async(ground, thread_sensitive=False)(question)


def ground(question: str) -> Grounding:
    """Blocking: a database read and, for English, one embedding of the question."""
    if not question.strip():
        return NOTHING
    lang = "zh" if looks_chinese(question) else "en"
    passages = search(question, lang=lang, k=PASSAGES) or search(question, k=PASSAGES)
    if not is_answerable(passages):
        return NOTHING
    context = "Help center passages (answer from these; say so if they do not answer):\n\n" + "\n\n".join(
        f"[{number}] {passage.title} ({passage.url})\n{passage.text}" for number, passage in enumerate(passages, 1)
    )
    citations = [_citation(passage, quote=index == 0) for index, passage in enumerate(passages)]
    return Grounding(context, citations)


def _citation(passage: Passage, quote: bool) -> dict[str, Any]:
    # Only web links: a page renders them, and an article's URL is whatever its editor typed.
    url = passage.url if passage.url.startswith(("https://", "http://")) else ""
    cited = {"article_id": passage.article_id, "title": passage.title, "url": url}
    if quote:
        cited["quote"] = _excerpt(passage.text, passage.title)
    return cited


def _excerpt(text: str, title: str) -> str:
    """The passage without the title line chunks start with, at most QUOTE_CHARS long."""
    lines = [line for line in text.splitlines() if line.strip() and line.strip("# ").strip() != title]
    body = "\n".join(lines).strip()
    if len(body) <= QUOTE_CHARS:
        return body
    cut = body[:QUOTE_CHARS]
    end = max(cut.rfind(". "), cut.rfind("\n"), cut.rfind("。"))
    return (cut[: end + 1] if end > QUOTE_CHARS // 2 else cut).rstrip() + " …"


def quote_block(citations: list[dict[str, Any]]) -> str:
    """How the reply opens when the help center answers: the quote, labelled with its article."""
    quoted = next((c for c in citations if c.get("quote")), None)
    if quoted is None:
        return ""
    lines = "\n".join(f"> {line}" if line else ">" for line in quoted["quote"].splitlines())
    label = f"[{quoted['title']}]({quoted['url']})" if quoted["url"] else quoted["title"]
    return f"**From the help center: {label}**\n\n{lines}\n\n"
