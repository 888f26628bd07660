from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "supportbot.chat"
    verbose_name = "Chat"
