"""Writing imported articles: each source in its own transaction (nothing is half-imported),
matched to an existing article by URL, else by language and slug, so that a re-import updates
instead of duplicating. Deletes nothing unless asked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction

from supportbot.knowledge.importing import ArticleData, Limits, Parsed, read_path
from supportbot.knowledge.models import Article

_FIELDS = ("title", "body", "slug", "url", "lang", "tags", "status")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    errors: list[str] = field(default_factory=list)  # "source: what is wrong"
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def existing_article(data: ArticleData) -> Article | None:
    if data.url and (by_url := Article.objects.filter(url=data.url).first()):
        return by_url
    return Article.objects.filter(lang=data.lang, slug=data.slug).first()


def upsert_article(data: ArticleData) -> tuple[Article, str]:
    """Create or update one article; returns it and "created", "updated" or "unchanged". Saving
    queues its re-indexing for after the commit (signals.py); an unchanged one is not saved."""
    article = existing_article(data)
    if article is None:
        article = Article(**{name: getattr(data, name) for name in _FIELDS})
        article.save()
        return article, "created"
    changed = [name for name in _FIELDS if getattr(article, name) != getattr(data, name)]
    if not changed:
        return article, "unchanged"
    for name in changed:
        setattr(article, name, getattr(data, name))
    article.save()
    return article, "updated"


def import_parsed(items: Iterable[Parsed], delete_missing: bool = False) -> ImportReport:
    report, seen = ImportReport(), set()
    for item in items:
        if item.article is None:
            report.errors.append(f"{item.source}: {item.problem}")
            continue
        try:
            with transaction.atomic():
                article, outcome = upsert_article(item.article)
        except IntegrityError as error:  # e.g. its URL matched one article, its slug another
            report.errors.append(f"{item.source}: conflicts with an existing article ({error})")
            continue
        if article.pk in seen:
            report.notes.append(f"{item.source}: same URL or slug as an earlier file; it replaced it")
        seen.add(article.pk)
        setattr(report, outcome, getattr(report, outcome) + 1)
    if delete_missing:
        _delete_missing(report, seen)
    return report


def _delete_missing(report: ImportReport, seen: set[int]) -> None:
    if report.errors:
        # A file that failed may be an article that still exists: deleting it would be wrong.
        report.notes.append("--delete-missing skipped because some files failed; fix them and run again")
        return
    with transaction.atomic():
        _, per_model = Article.objects.exclude(pk__in=seen).delete()
    report.deleted = per_model.get(Article._meta.label, 0)  # the count without their chunks


def import_path(path: Path, delete_missing: bool = False, limits: Limits | None = None) -> ImportReport:
    return import_parsed(read_path(Path(path), limits), delete_missing=delete_missing)
