"""manage.py generate_demo_data --days 30: fill the log review and the dashboard with traffic."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from supportbot.ops.demo_data import generate


class Command(BaseCommand):
    help = "Add demo conversations over the last N days (bot replies, escalations, ratings)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--per-day", type=int, default=40, help="conversations on a weekday")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, days: int, per_day: int, seed: int, **options: Any) -> None:
        count = generate(days, per_day, seed)
        self.stdout.write(f"Added {count} conversations over {days} days.")
