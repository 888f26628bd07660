from django.urls import re_path

from supportbot.agents.console import ConsoleConsumer

websocket_urlpatterns = [re_path(r"^ws/console/$", ConsoleConsumer.as_asgi())]
