from django.urls import path

from supportbot.api import views

app_name = "api"
urlpatterns = [
    path("v1/chat/completions", views.chat_completions, name="chat_completions"),
    path("v1/models", views.models, name="models"),
    path("v1/<path:rest>", views.not_found),
]
