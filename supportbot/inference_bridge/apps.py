from django.apps import AppConfig


class InferenceBridgeConfig(AppConfig):
    name = "supportbot.inference_bridge"
    verbose_name = "Inference bridge"
