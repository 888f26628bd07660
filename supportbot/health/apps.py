from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "supportbot.health"
    verbose_name = "Health checks"
