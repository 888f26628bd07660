"""Hybrid search over the published articles' chunks: BM25 on tokens.py's words (error codes
whole, Chinese bigrams) plus cosine similarity of MiniLM vectors, fused as a weighted sum of the
two normalised scores (bench/knowledge.py compares it with reciprocal-rank fusion).

The index lives in this process's memory. A search first asks the database for a cheap version
(counts and latest ids/times), at most once every KB_INDEX_CHECK_S, and rebuilds when it changed:
an edit in the admin or an import is visible to questions a moment later in every process.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db.models import Count, Max

from supportbot.knowledge import embedding
from supportbot.knowledge.bm25 import BM25
from supportbot.knowledge.models import Article, Chunk
from supportbot.knowledge.tokens import looks_chinese, tokens

# Share of the dense score in the fused one where MiniLM understands the question (English).
DENSE_WEIGHT = 0.6
# "sum" (the weighted sum above) or "rrf" (reciprocal-rank fusion, kept for bench/knowledge.py's
# comparison; its scores carry no absolute relevance, so "I don't know" cannot use them).
FUSION = "sum"
# Top fused score below which nothing relevant was found ("I don't know"), per scoring mode.
# Chosen with `bench/knowledge.py --calibrate`, refusing at most about 1 answerable question in 30
# (a refusal offers a person; a wrong quote is labelled with its article, so it misleads less
# than a refusal frustrates): a top score separates the two only roughly, since unanswerable
# questions are about the product and share its words. See the benchmark's precision and recall.
ANSWER_THRESHOLD = {"hybrid": 0.30, "lexical": 0.06, "rrf": 0.0}


@dataclass(frozen=True)
class Passage:
    article_id: int
    slug: str
    title: str
    url: str
    lang: str
    heading: str
    text: str
    score: float
    mode: str = "hybrid"  # "hybrid" or "lexical": which scale `score` is on


class _Index:
    def __init__(self, version: tuple, rows: list[dict]) -> None:
        self.version = version
        self.rows = rows
        langs = np.array([row["lang"] for row in rows])
        # Per-language masks, made once: comparing 10,000 strings on every question costs more
        # than the rest of the lexical search.
        self.not_lang = {lang: langs != lang for lang in set(langs.tolist())}
        self.article_ids = np.array([row["article_id"] for row in rows], np.int64)
        self.lexical = BM25([tokens(row["text"]) for row in rows])
        vectors = [embedding.from_bytes(row.pop("embedding")) for row in rows]
        self.has_vectors = any(vector is not None for vector in vectors)
        self.vectors = np.stack(
            [v if v is not None else np.zeros(embedding.DIMENSIONS, np.float32) for v in vectors]
        ) if rows else np.zeros((0, embedding.DIMENSIONS), np.float32)


_index: _Index | None = None
_checked_at = 0.0  # when the database's version was last compared with the index's (monotonic)
_lock = threading.Lock()


def knowledge_version() -> tuple:
    """Changes whenever a chunk is written or deleted or an article is published, unpublished,
    edited or deleted. Two aggregate queries on indexed columns."""
    chunks = Chunk.objects.aggregate(n=Count("id"), last=Max("id"))
    articles = Article.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (chunks["n"], chunks["last"], articles["n"], articles["last"])


def nothing_to_search() -> bool:
    """True when the base was seen empty a moment ago: no question needs to ask the database."""
    index = _index
    return index is not None and not index.rows and time.monotonic() - _checked_at < settings.KB_INDEX_CHECK_S


def is_empty() -> bool:
    """No published article to answer from (then the bot never says the help center has no answer)."""
    return not current_index().rows


def current_index() -> _Index:
    global _index, _checked_at
    if _index is not None and time.monotonic() - _checked_at < settings.KB_INDEX_CHECK_S:
        return _index
    version = knowledge_version()
    _checked_at = time.monotonic()
    with _lock:
        if _index is None or _index.version != version:
            rows = list(
                Chunk.objects.filter(article__status=Article.Status.PUBLISHED)
                .order_by("id")
                .values(
                    "article_id", "heading", "text", "lang", "embedding",
                    "article__slug", "article__title", "article__url",
                )
            )
            _index = _Index(version, rows)
        return _index


def search(query: str, lang: str | None = None, k: int = 3) -> list[Passage]:
    """The best passage of each of the k best-matching published articles, best first."""
    index = current_index()
    if not query.strip() or not index.rows:
        return []
    scores, mode = _scores(index, query, lang)
    if lang:
        scores = np.where(index.not_lang.get(lang, True), -np.inf, scores)
    return _best_per_article(index, scores, k, mode)


def _scores(index: _Index, query: str, lang: str | None) -> tuple[np.ndarray, str]:
    lexical = index.lexical.scores(tokens(query))
    chinese = lang == "zh" or (lang is None and looks_chinese(query))
    if chinese or not index.has_vectors or not embedding.available():
        return lexical, "lexical"  # MiniLM is English-only
    dense = index.vectors @ embedding.embed_query(query)
    if FUSION == "rrf":
        return _reciprocal_rank(dense) + _reciprocal_rank(lexical), "rrf"
    return DENSE_WEIGHT * np.clip(dense, 0, 1) + (1 - DENSE_WEIGHT) * lexical, "hybrid"


def _reciprocal_rank(scores: np.ndarray, offset: int = 60) -> np.ndarray:
    ranks = np.empty(len(scores), np.float32)
    ranks[np.argsort(-scores)] = np.arange(1, len(scores) + 1)
    return 1.0 / (offset + ranks)


def _best_per_article(index: _Index, scores: np.ndarray, k: int, mode: str) -> list[Passage]:
    # The k best articles are nearly always among the best few dozen chunks: sort those only,
    # and the whole base only when one article's chunks fill them.
    shortlist = min(len(scores), 16 * k)
    top = np.argpartition(-scores, shortlist - 1)[:shortlist]
    passages = _distinct_articles(index, scores, top[np.argsort(-scores[top])], k, mode)
    if len(passages) < k and shortlist < len(scores) and scores[top].min() > 0:
        passages = _distinct_articles(index, scores, np.argsort(-scores), k, mode)
    return passages


def _distinct_articles(index: _Index, scores: np.ndarray, candidates: np.ndarray, k: int, mode: str) -> list[Passage]:
    passages, seen = [], set()
    for position in candidates:
        if len(passages) == k or not scores[position] > 0:  # -inf: other language; 0: no match
            break
        row = index.rows[position]
        if row["article_id"] in seen:
            continue
        seen.add(row["article_id"])
        passages.append(
            Passage(
                article_id=row["article_id"],
                slug=row["article__slug"],
                title=row["article__title"],
                url=row["article__url"],
                lang=row["lang"],
                heading=row["heading"],
                text=row["text"],
                score=float(scores[position]),
                mode=mode,
            )
        )
    return passages


def is_answerable(passages: list[Passage]) -> bool:
    """Whether the best passage is relevant enough to answer from; else the bot says it does not
    know and offers a person."""
    if not passages:
        return False
    best = passages[0]
    return best.score >= ANSWER_THRESHOLD[best.mode]
