"""manage.py kb_import PATH [--delete-missing] [--if-empty]: load help-center articles from a
folder or .zip of Markdown/HTML files, or a JSON list. One error line per bad file; the good files
are imported; exit status 1 when any file failed."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from supportbot.knowledge.models import Article
from supportbot.knowledge.store import import_path


class Command(BaseCommand):
    help = "Import help-center articles (folder or .zip of .md/.markdown/.html, or a .json list)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--delete-missing",
            action="store_true",
            help="delete the articles this import did not contain (skipped if any file failed)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when any article exists (loads a sample help center on first start)",
        )

    def handle(self, *args, path: Path, delete_missing: bool, if_empty: bool, **options) -> None:
        if if_empty and Article.objects.exists():
            self.stdout.write("The knowledge base has articles already; nothing imported.")
            return
        if not path.exists():
            raise CommandError(f"{path}: no such file or folder")
        report = import_path(path, delete_missing=delete_missing)
        for line in report.errors:
            self.stderr.write(self.style.ERROR(f"error: {line}"))
        for line in report.notes:
            self.stdout.write(self.style.WARNING(line))
        self.stdout.write(
            f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.deleted} deleted, {len(report.errors)} failed"
        )
        if not report.ok:
            raise CommandError(f"{len(report.errors)} file(s) could not be imported", returncode=1)
