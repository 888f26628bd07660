"""Every saved article is re-indexed once its transaction commits (the task must see the row);
a deleted article's chunks go with it through the foreign key."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from supportbot.knowledge.models import Article


@receiver(post_save, sender=Article, dispatch_uid="knowledge.index_on_save")
def index_on_save(sender, instance: Article, raw: bool = False, **_kwargs) -> None:
    if raw:  # loaddata: the fixture's rows, indexed when someone saves them for real
        return
    from supportbot.knowledge.tasks import index_article

    article_id = instance.pk
    transaction.on_commit(lambda: index_article.delay(article_id))
