from django.urls import path

from supportbot.ops import views

app_name = "ops"

urlpatterns = [
    path("admin/ops/dashboard/", views.dashboard, name="dashboard"),
    path("admin/ops/gaps/", views.gaps, name="gaps"),
    path("metrics", views.metrics, name="metrics"),
]
