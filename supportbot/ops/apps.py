from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "supportbot.ops"
    verbose_name = "Operations: logs, audit, retention"

    def ready(self) -> None:
        # Status changes made in the agent console reach the audit log through their events, the
        # metrics count turns, replies and escalations from theirs, and replies' events get their model.
        from supportbot.ops import audit, metrics, provenance  # noqa: F401 (connect their receivers)
