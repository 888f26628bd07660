from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "supportbot.agents"
    verbose_name = "Human agents"

    def ready(self) -> None:
        from supportbot.agents.people_rules import HandoffRules
        from supportbot.chat.hooks import register_people_rules

        # The visitor's chat asks these rules at each turn, reply and button (chat.hooks).
        register_people_rules(HandoffRules())
