"""What the help center says about a visitor's turn: the passages retrieved for its question, the
text the model reads with the turn, and the citations and quote the reply carries.

The passages go inside the current user turn, stored with it (Message.context), so every later
turn reads the same history and the engine's KV cache keeps the whole prefix. Small models barely
use text in their prompt, so the reply itself opens with the best passage, quoted and labelled
with its article, then the model's words: a visitor can always tell the two apart.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async

from supportbot.chat.models import Attachment, Message
from supportbot.knowledge.excerpts import LIST_ITEM, best_sentences
from supportbot.knowledge.retrieval import Passage, is_answerable, is_empty, nothing_to_search, search
from supportbot.knowledge.tokens import looks_chinese, tokens
from supportbot.lib.screen_text import salient_lines

PASSAGES = 3
# The quote from the best article: its sentences that answer (knowledge.excerpts), at most this
# long. Chinese says as much in about half the characters.
QUOTE_CHARS = {"en": 800, "zh": 600}
# The runner-up article is quoted too when its score is at least this share of the best one's.
SECOND_QUOTE_SHARE = 0.9


@dataclass(frozen=True)
class Grounding:
    context: str = ""  # read by the model with the visitor's message; "" when nothing relevant
    citations: list[dict[str, Any]] = field(default_factory=list)  # stored on the reply
    # What the reply shows before the model's words: the screenshot's telling lines and the best
    # passage, each quoted and labelled (stored on the reply, streamed first).
    opening: str = ""
    # A question about the product that the help center does not answer: the bot says it does
    # not know and offers a person, rather than letting the model invent an answer.
    unanswered: bool = False
    lang: str = "en"


NOTHING = Grounding()
# Fewer words than these (stop words and SMALL_TALK not counted) is small talk, not a question
# the help center must answer: the model replies to it as it is.
MIN_QUESTION_WORDS = 2
MIN_QUESTION_CHINESE_CHARS = 5
# A question with fewer words than this that follows another is searched together with it.
FOLLOW_UP_WORDS = 4
SMALL_TALK = frozenset(
    """ok okay great good cool nice perfect awesome fine sure yes yeah yep no nope lot much bye
    goodbye morning evening afternoon hey there welcome sorry appreciate cheer""".split()
)


async def ground_turn(question: str, earlier: str = "", screenshot_text: str = "") -> Grounding:
    """ground() off the event loop, unless the help center is known to be empty."""
    if nothing_to_search():
        return NOTHING
    # Not on the one database thread of SQLite: embedding the question is CPU work.
    return await database_sync_to_async(ground, thread_sensitive=False)(question, earlier, screenshot_text)


async def ground_chat_turn(
    conversation_id: uuid.UUID, question: str, attachment_ids: list[str], language: str = ""
) -> Grounding:
    """ground_turn() for a chat message: with the visitor's previous question and the text read
    in the screenshots it sends; labelled in the visitor's `language` (their page's)."""
    if nothing_to_search():
        return NOTHING
    return await database_sync_to_async(_ground_chat_turn, thread_sensitive=False)(
        conversation_id, question, attachment_ids, language
    )


def _ground_chat_turn(conversation_id: uuid.UUID, question: str, attachment_ids: list[str], language: str) -> Grounding:
    earlier = (
        Message.objects.filter(conversation_id=conversation_id, role=Message.Role.USER)
        .order_by("-id")
        .values_list("text", flat=True)
        .first()
    )
    screenshots = Attachment.objects.filter(
        conversation_id=conversation_id, id__in=attachment_ids, message__isnull=True
    ).values_list("text", flat=True)
    return ground(question, earlier or "", "\n".join(screenshots), language)


def ground(question: str, earlier: str = "", screenshot_text: str = "", language: str = "") -> Grounding:
    """What the help center says about a visitor's turn. Blocking: a database read and, for
    English, an embedding or two.

    The query is the question with the text read in its screenshots. A follow-up ("and how long
    does that take?") names little by itself: when it is short or finds nothing, `earlier` (the
    visitor's previous question) is searched with it.

    Articles are searched in the language the question is written in; the labels and the "no
    answer" reply are in the visitor's `language` (a Django language code; the question's when
    blank)."""
    query = "\n".join(part for part in (question.strip(), screenshot_text.strip()) if part)
    if not query:
        return NOTHING
    written_in = "zh" if looks_chinese(query) else "en"
    lang = ("zh" if language.startswith("zh") else "en") if language else written_in
    words = _content_words(query)
    if is_empty() or not words:
        # No help center, or nothing to look up (a greeting, a thanks): the model answers it, and
        # a thanks after an answer does not quote that answer's article again.
        return Grounding(opening=screen_quote(screenshot_text, question, lang), lang=lang)
    follow_up = earlier.strip() and len(words) < FOLLOW_UP_WORDS
    passages = [] if follow_up else _search(query, written_in)
    if not is_answerable(passages) and earlier.strip():
        passages = _search(f"{earlier.strip()}\n{query}", written_in)
    screen = screen_quote(screenshot_text, question, lang)
    if not is_answerable(passages):
        # What a screenshot shows can answer by itself ("how much do I owe?"): quoted, not refused.
        return Grounding(opening=screen, unanswered=not screen and asks_something(question), lang=lang)
    limit = QUOTE_CHARS[written_in]
    # The best article is quoted; so is the runner-up when retrieval can hardly tell them apart
    # (a shorter quote): the visitor then sees both, each labelled, rather than a coin toss.
    limits = [limit] + [
        limit // 2 if passage.score >= SECOND_QUOTE_SHARE * passages[0].score and index == 1 else 0
        for index, passage in enumerate(passages[1:], 1)
    ]
    citations = [_citation(passage, query, limits[index]) for index, passage in enumerate(passages)]
    # The model reads what the reply quotes, not the passages whole: it stays in the history of
    # every later turn, so it is kept short enough that a turn's prefill stays small beside the
    # cached history (bench/engine.py --passages), and a small model is not led off by the rest.
    context = "Help center passages (answer from these; say so if they do not answer):\n\n" + "\n\n".join(
        f"[{number}] {cited['title']} ({cited['url']})\n{cited['quote']}"
        for number, cited in enumerate((c for c in citations if c.get("quote")), 1)
    )
    return Grounding(context, citations, screen + quote_block(citations, lang), lang=lang)


def _search(query: str, lang: str) -> list[Passage]:
    return search(query, lang=lang, k=PASSAGES) or search(query, k=PASSAGES)


def asks_something(text: str) -> bool:
    """Whether a message is more than a greeting, a thanks or a word or two."""
    chinese = sum(1 for char in text if looks_chinese(char))
    return len(_content_words(text)) >= MIN_QUESTION_WORDS or chinese >= MIN_QUESTION_CHINESE_CHARS


def _content_words(text: str) -> list[str]:
    """Words that say what a message is about (Chinese counted as bigrams)."""
    return [token for token in tokens(text) if token not in SMALL_TALK and (len(token) > 1 or not looks_chinese(token))]


def _citation(passage: Passage, query: str, quote_chars: int) -> dict[str, Any]:
    """The article a passage is from; with its sentences that answer `query` when `quote_chars`."""
    # Only web links: a page renders them, and an article's URL is whatever its editor typed.
    url = passage.url if passage.url.startswith(("https://", "http://")) else ""
    cited = {"article_id": passage.article_id, "title": passage.title, "url": url}
    if quote_chars:
        cited["quote"] = best_sentences(passage.article_id, query, passage.title, quote_chars) or _excerpt(
            passage.text, passage.title, quote_chars
        )
    return cited


def _excerpt(text: str, title: str, limit: int) -> str:
    """The passage's opening without the title line chunks start with, at most `limit` long."""
    lines = [line for line in text.splitlines() if line.strip() and line.strip("# ").strip() != title]
    body = "\n".join(lines).strip()
    if len(body) <= limit:
        return body
    cut = body[:limit]
    end = max(cut.rfind(". "), cut.rfind("\n"), cut.rfind("。"))
    return (cut[: end + 1] if end > limit // 2 else cut).rstrip() + " …"


def quote_block(citations: list[dict[str, Any]], lang: str = "en") -> str:
    """The help center's answer in the reply: each quote, labelled with its article."""
    blocks = []
    for quoted in (c for c in citations if c.get("quote")):
        label = f"[{quoted['title']}]({quoted['url']})" if quoted["url"] else quoted["title"]
        blocks.append(f"**{LABELS[lang]['help_center']}: {label}**\n\n{_quoted(quoted['quote'].splitlines())}\n\n")
    return "".join(blocks)


def screen_quote(screenshot_text: str, question: str, lang: str = "en") -> str:
    """What SupportBot read on the visitor's screenshots, the lines that matter, quoted."""
    lines = salient_lines(screenshot_text, question)
    return f"**{LABELS[lang]['screenshot']}:**\n\n{_quoted(lines)}\n\n" if lines else ""


def _quoted(lines: list[str]) -> str:
    """Lines as a Markdown quote that keeps them apart: Markdown would run lines into one
    paragraph, so each is its own paragraph, except the items of one list."""
    out: list[str] = []
    for index, line in enumerate(line for line in lines if line.strip()):
        if index and not (LIST_ITEM.match(line) and LIST_ITEM.match(out[-1][2:])):
            out.append(">")
        out.append(f"> {line}")
    return "\n".join(out)



LABELS = {
    "en": {"help_center": "From the help center", "screenshot": "What I read on your screenshot"},
    "zh": {"help_center": "来自帮助中心", "screenshot": "我在您的截图上看到"},
}


# The reply when the help center has no answer (Grounding.unanswered); the page shows a button
# for a person under it.
NO_ANSWER = {
    "en": "I couldn't find an answer to this in our help center, and I'd rather not guess. "
    "A person from our support team can take it from here.",
    "zh": "我在帮助中心没有找到这个问题的答案，不想随意猜测。我们的客服人员可以接手为您解答。",
}
