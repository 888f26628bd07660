"""Prometheus metrics of this process: chat turns, bot replies (time to first token, tokens),
escalations, open WebSockets, and the stats of an inference engine running here.

Counting hangs on the outbox: every turn, reply and escalation writes an Event, in whichever
process did it (web or inference worker), and a receiver here counts it. Each process exposes its
own numbers: web processes at /metrics (views.metrics), workers on SUPPORTBOT_WORKER_METRICS_PORT.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.registry import Collector

from supportbot.events.models import Event

if TYPE_CHECKING:
    from inference.engine import Engine

CHAT_TURNS = Counter("supportbot_chat_turns", "Visitor messages accepted in the web chat.")
REPLIES = Counter("supportbot_bot_replies", "Bot replies finished, by how they ended.", ["finish_reason"])
TIME_TO_FIRST_TOKEN = Histogram(
    "supportbot_time_to_first_token_seconds",
    "From a bot reply's request to its first token.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32),
)
PROMPT_TOKENS = Counter("supportbot_prompt_tokens", "Prompt tokens of finished bot replies.")
CACHED_TOKENS = Counter("supportbot_cached_prompt_tokens", "Prompt tokens found in the KV cache, not prefilled.")
GENERATED_TOKENS = Counter("supportbot_generated_tokens", "Tokens generated in bot replies.")
ESCALATIONS = Counter("supportbot_escalations", "Conversations handed to people, by trigger.", ["trigger"])
WEBSOCKETS_OPEN = Gauge("supportbot_websockets_open", "WebSocket connections open now.")
WEBSOCKETS = Counter("supportbot_websockets", "WebSocket connections opened.")

# Engine.stats() keys that only ever grow (the KV store's tallies); every other number is a gauge.
ENGINE_COUNTERS = {"hits", "misses", "tokens_reused", "tokens_prefilled", "evictions", "offloads", "expired", "forks"}


@receiver(post_save, sender=Event, dispatch_uid="ops.metrics.count_events")
def count_event(sender: type[Event], instance: Event, created: bool, **_: Any) -> None:
    if not created:
        return
    data = instance.data
    if instance.kind == Event.Kind.MESSAGE_IN:
        CHAT_TURNS.inc()
    elif instance.kind == Event.Kind.ESCALATION:
        ESCALATIONS.labels(trigger=data.get("reason", "unknown")).inc()
    elif instance.kind == Event.Kind.MODEL_ERROR or "ttft_ms" in data:  # agents' messages have no usage
        REPLIES.labels(finish_reason=data.get("finish_reason") or "error").inc()
        if data.get("ttft_ms") is not None:
            TIME_TO_FIRST_TOKEN.observe(data["ttft_ms"] / 1000)
        PROMPT_TOKENS.inc(data.get("prompt_tokens") or 0)
        CACHED_TOKENS.inc(data.get("cached_tokens") or 0)
        GENERATED_TOKENS.inc(data.get("completion_tokens") or 0)


class EngineStatsCollector(Collector):
    """Engine.stats() of the engine in this process, read at each scrape (none: no metrics)."""

    def __init__(self, engine: Callable[[], Engine | None]) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        engine = self.engine()
        if engine is None:
            return
        for key, value in sorted(engine.stats().items()):
            name = f"supportbot_engine_{key}"
            if key == "model":
                yield InfoMetricFamily("supportbot_engine_model", "The model the engine serves.", value={"model": str(value)})
            elif key == "finished":
                family = CounterMetricFamily(name, "Generations finished, by reason.", labels=["reason"])
                for reason, count in sorted(value.items()):
                    family.add_metric([reason], count)
                yield family
            elif isinstance(value, int | float) and not isinstance(value, bool):
                family_type = CounterMetricFamily if key in ENGINE_COUNTERS else GaugeMetricFamily
                yield family_type(name, f"Engine.stats()[{key!r}]", value=value)


def register_engine_stats() -> None:
    """Report the stats of whichever engine runs in this process (called once, at start-up)."""
    from supportbot.inference_bridge import engine_client

    REGISTRY.register(EngineStatsCollector(lambda: engine_client().local_engine()))


class CountWebSockets:
    """ASGI middleware around the WebSocket routes: open connections and connections opened."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        WEBSOCKETS.inc()
        WEBSOCKETS_OPEN.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            WEBSOCKETS_OPEN.dec()
