from django.urls import re_path

from supportbot.chat.consumer import ChatConsumer

websocket_urlpatterns = [
    # Any id is routed; the consumer answers an unknown or foreign one with a clear error frame.
    re_path(r"^ws/chat/(?P<conversation_id>[^/]+)/$", ChatConsumer.as_asgi()),
]
