from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings


class InferenceBridgeConfig(AppConfig):
    name = "supportbot.inference_bridge"
    verbose_name = "Inference bridge"

    def ready(self) -> None:
        # Built once per process: with a remote engine's URL, requests go there; with Redis, to
        # inference workers; with neither the engine runs in this process, loaded on first use.
        from supportbot.inference_bridge.client import InProcessClient
        from supportbot.inference_bridge.redis_client import RedisClient
        from supportbot.inference_bridge.remote_client import RemoteClient

        self.client = (
            RemoteClient(
                settings.SUPPORTBOT_INFERENCE_URL,
                settings.SUPPORTBOT_INFERENCE_MODEL,
                settings.SUPPORTBOT_INFERENCE_KEY,
                settings.SUPPORTBOT_INFERENCE_VISION,
            )
            if settings.SUPPORTBOT_INFERENCE_URL
            else RedisClient()
            if settings.REDIS_URL
            else InProcessClient(
                settings.SUPPORTBOT_MODEL,
                settings.SUPPORTBOT_KV_CACHE_MB * 2**20,
                settings.SUPPORTBOT_MAX_BATCH,
            )
        )
