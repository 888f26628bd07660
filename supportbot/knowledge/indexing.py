"""Turn an article into its stored chunks (text and vector). Idempotent: indexing twice gives the
same rows, so a Celery task that runs again after a worker died does no harm."""

from __future__ import annotations

import logging

from django.db import transaction

from supportbot.knowledge import embedding
from supportbot.knowledge.chunking import chunk_article
from supportbot.knowledge.models import Article, Chunk

log = logging.getLogger("supportbot.knowledge")


def index_article(article_id: int) -> int:
    """Replace the article's chunks with fresh ones; returns how many. A deleted article's chunks
    went with it (on_delete=CASCADE), so there is nothing to do for it."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return 0
    pieces = chunk_article(article.title, article.body)
    vectors = _vectors([piece.text for piece in pieces])
    with transaction.atomic():
        # The article may have changed while we embedded: index what is stored now, next time.
        if not Article.objects.filter(pk=article_id, updated_at=article.updated_at).exists():
            return 0
        Chunk.objects.filter(article_id=article_id).delete()
        Chunk.objects.bulk_create(
            Chunk(
                article_id=article_id,
                position=piece.position,
                heading=piece.heading[:500],
                text=piece.text,
                embedding=embedding.to_bytes(vector) if vector is not None else b"",
                lang=article.lang,
            )
            for piece, vector in zip(pieces, vectors)
        )
    return len(pieces)


def _vectors(texts: list[str]) -> list:
    if not embedding.available():
        return [None] * len(texts)
    try:
        return list(embedding.embed(texts))
    except Exception:  # a broken model install must not stop lexical search from working
        log.exception("embedding failed; these chunks are searched lexically only")
        return [None] * len(texts)
