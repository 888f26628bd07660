from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "supportbot.ops"
    verbose_name = "Operations: logs, audit, retention"

    def ready(self) -> None:
        # Status changes made in the agent console reach the audit log through their events.
        from supportbot.ops import audit  # noqa: F401 (connects its signal receiver)
