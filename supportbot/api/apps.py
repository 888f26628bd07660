from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "supportbot.api"
    verbose_name = "API"
