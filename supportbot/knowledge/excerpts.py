"""The sentences of an article that answer a question: what a reply quotes from the help center.

The passage that ranked best is often the article's introduction while the fact asked for sits
in a later section (measured on bench/knowledge_cases.py: the best passage holds 60% of the facts
a right answer needs, its whole article 86%). So the quote is drawn from every passage of the best
article: its sentences and list items scored by the rarity (BM25 idf) of the question's words
they contain, the best kept up to a length and shown in the article's order.
"""

from __future__ import annotations

import re

from supportbot.knowledge.retrieval import current_index
from supportbot.knowledge.tokens import tokens

# Sentence ends (English and Chinese) and line breaks: Markdown list items and table rows are
# lines of their own.
_UNITS = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9*\"(])|(?<=[。！？])|\n+")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def best_sentences(article_id: int, query: str, title: str, max_chars: int) -> str:
    """At most `max_chars` of the article's sentences that share the most telling words with the
    query, in the article's order; "" when none shares any."""
    index = current_index()
    asked = set(tokens(query))
    units: list[str] = []
    for row in index.rows:
        if row["article_id"] == article_id:
            units += [unit for unit in _units(row["text"], {title, row["heading"]}) if unit not in units]
    scored = []
    for position, unit in enumerate(units):
        weight = sum(index.lexical.idf.get(term, 0.0) for term in asked & set(tokens(unit)))
        if weight > 0:
            scored.append((weight, -len(unit), position))
    chosen: set[int] = set()
    length = 0
    for _, _, position in sorted(scored, reverse=True):
        extra = _with_lead_in(units, position) - chosen
        added = sum(len(units[i]) + 1 for i in extra)
        if length + added > max_chars:
            continue
        chosen |= extra
        length += added
    return "\n".join(units[i] for i in sorted(chosen))


def _units(text: str, headings: set[str]) -> list[str]:
    """A passage's sentences and lines, without the title and heading lines it starts with."""
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.strip("# ") in headings:
            continue
        pieces = [stripped] if LIST_ITEM.match(stripped) or stripped.startswith("|") else _UNITS.split(stripped)
        found += [piece.strip() for piece in pieces if piece and piece.strip()]
    return found


def _with_lead_in(units: list[str], position: int) -> set[int]:
    """A list item comes with the line that introduces its list ("Your new password must:")."""
    chosen = {position}
    if LIST_ITEM.match(units[position]):
        before = position - 1
        while before >= 0 and LIST_ITEM.match(units[before]):
            before -= 1
        if before >= 0 and units[before].endswith((":", "：")):
            chosen.add(before)
    return chosen
