from django.urls import path

from supportbot.chat import views

app_name = "chat"

urlpatterns = [
    path("", views.chat_page, name="page"),
    path("conversations/", views.new_conversation, name="new_conversation"),
    path(
        "conversations/<uuid:conversation_id>/attachments/",
        views.upload_attachment,
        name="upload",
    ),
    path("attachments/<uuid:attachment_id>/", views.attachment_file, name="attachment"),
]
