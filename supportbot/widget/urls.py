from django.urls import path

from supportbot.widget import views

app_name = "widget"

urlpatterns = [
    path("widget.js", views.widget_script, name="script"),
    path("widget/frame/", views.chat_frame, name="frame"),
    path("widget/demo/", views.demo_page, name="demo"),
]
