"""The client of inference engines, and nothing else: it imports no other app. See client.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from supportbot.inference_bridge.client import EngineClient


def engine_client() -> EngineClient:
    """This process's client, built once at start-up (InferenceBridgeConfig.ready)."""
    from django.apps import apps

    return apps.get_app_config("inference_bridge").client
