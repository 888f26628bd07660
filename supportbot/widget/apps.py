from django.apps import AppConfig


class WidgetConfig(AppConfig):
    name = "supportbot.widget"
    label = "widget"
    verbose_name = "Website widget"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from supportbot.chat.models import Conversation
        from supportbot.widget.identity import name_new_conversation

        # A verified visitor's next conversation carries their name and email from its first row.
        post_save.connect(name_new_conversation, sender=Conversation, dispatch_uid="widget.name_new_conversation")
