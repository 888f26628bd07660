from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "supportbot.chat"
    verbose_name = "Chat"

    def ready(self) -> None:
        from supportbot.chat.hooks import BotOnly
        from supportbot.chat.replies import ReplyRunner

        # This process's bot replies (replies.reply_runner()).
        self.replies = ReplyRunner()
        # Replaced by the agents app, when installed, with its handoff rules (chat.hooks).
        self.people_rules = BotOnly()
