"""Celery tasks of the knowledge base. Embedded (no Redis) they run eagerly in the calling
process, after the article's transaction commits (signals.py)."""

from __future__ import annotations

from celery import shared_task

from supportbot.knowledge import indexing


@shared_task(acks_late=True)
def index_article(article_id: int) -> int:
    """Chunk and embed one article; idempotent, so a redelivered task is harmless."""
    return indexing.index_article(article_id)
