from django.urls import path

from supportbot.health import views

app_name = "health"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
