"""Full-text search over message text on PostgreSQL, for the log review's search boxes.

The query is websearch_to_tsquery: words must all occur, "quoted phrases" in that order, `or`
between alternatives, `-word` excludes. The GIN index chat_message_text_search (chat migration
0005) is built on exactly the expression of message_document(), so keep the two in step."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import F, QuerySet

from supportbot.chat.models import Message

# "simple" lowercases words and nothing else: no stemming and no stop words. Visitors write in any
# language, and a language config (say "english") would stem German text wrongly and drop words
# such as "not" from "not working"; log review wants the words people actually wrote.
CONFIG = "simple"


def message_document() -> SearchVector:
    return SearchVector("text", config=CONFIG)


def web_query(search_term: str) -> SearchQuery:
    return SearchQuery(search_term, search_type="websearch", config=CONFIG)


def matching_messages(search_term: str, messages: QuerySet[Message] | None = None) -> QuerySet[Message]:
    """The messages whose text matches, each with its relevance as `search_rank` (an alias, for
    ordering)."""
    query = web_query(search_term)
    messages = Message.objects.all() if messages is None else messages
    matching = messages.alias(document=message_document()).filter(document=query)
    # Cover density (ts_rank_cd): plain ts_rank scores every row of "refund -order" near zero, as
    # the excluded word is missing; ts_rank_cd ignores exclusions and favours words close together.
    # F(): SearchRank would wrap a plain name in another SearchVector (of the tsvector's text).
    rank = SearchRank(F("document"), query, cover_density=True)
    return matching.alias(search_rank=rank)
