"""Allow, forbid or list the host sites that may embed the widget (the admin does the same)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from supportbot.widget.models import AllowedOrigin
from supportbot.widget.origins import normalized_origin


class Command(BaseCommand):
    help = "widget_origin allow|forbid ORIGIN, or widget_origin list"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["allow", "forbid", "list"])
        parser.add_argument("origin", nargs="?", default="")

    def handle(self, *args: object, action: str, origin: str, **options: object) -> None:
        if action == "list":
            for allowed in AllowedOrigin.objects.all():
                self.stdout.write(allowed.origin)
            return
        try:
            origin = normalized_origin(origin)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        if action == "allow":
            AllowedOrigin.objects.get_or_create(origin=origin)
        else:
            AllowedOrigin.objects.filter(origin=origin).delete()
        self.stdout.write(f"{origin}: {action}")
