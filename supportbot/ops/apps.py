from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "supportbot.ops"
    verbose_name = "Operations: logs, audit, retention"

    def ready(self) -> None:
        # Status changes made in the agent console reach the audit log through their events, and
        # the metrics count turns, replies and escalations from theirs.
        from supportbot.ops import audit, metrics  # noqa: F401 (audit: connect its receivers)

        metrics.register_engine_stats()
