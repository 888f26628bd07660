from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "supportbot.agents"
    verbose_name = "Human agents"
