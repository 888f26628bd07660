from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "supportbot.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        # Saving or deleting an article re-indexes it (signals.py).
        from supportbot.knowledge import signals  # noqa: F401
