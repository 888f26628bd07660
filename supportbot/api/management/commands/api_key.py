"""`manage.py api_key create NAME` / `manage.py api_key revoke PREFIX`: the admin's key
operations for scripts and deployments without a browser."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from supportbot.api.models import ApiKey


class Command(BaseCommand):
    help = "Create an API key (prints it once) or revoke one by its prefix."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create")
        create.add_argument("name")
        create.add_argument("--requests-per-minute", type=int, default=60)
        create.add_argument("--tokens-per-minute", type=int, default=100_000)
        revoke = actions.add_parser("revoke")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            key = ApiKey(
                name=options["name"],
                requests_per_minute=options["requests_per_minute"],
                tokens_per_minute=options["tokens_per_minute"],
            )
            token = key.issue_token()
            key.save()
            self.stdout.write(token)
        else:
            revoked = ApiKey.objects.filter(
                prefix=options["prefix"], revoked_at__isnull=True
            ).update(revoked_at=timezone.now())
            if not revoked:
                raise CommandError(f"no active API key with prefix {options['prefix']!r}")
            self.stdout.write(f"revoked {revoked} key(s)")
