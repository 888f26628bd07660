from django.urls import path

from supportbot.agents import views

app_name = "agents"

urlpatterns = [path("admin/console/", views.console_page, name="console")]
