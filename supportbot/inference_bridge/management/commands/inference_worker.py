import asyncio
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from supportbot.inference_bridge import engine_client, registry
from supportbot.inference_bridge.worker import serve_forever


class Command(BaseCommand):
    help = "Run an inference worker: load the model and answer the requests routed here via Redis."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.REDIS_URL:
            raise CommandError(
                "REDIS_URL is not set: without Redis the web process runs the engine itself."
            )
        client = engine_client()

        def host(engine: Any) -> None:
            client.hosted_engine = engine  # this process's metrics report it

        asyncio.run(serve_forever(registry.new_worker_id(), host))
