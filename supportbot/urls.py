from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("supportbot.health.urls")),
    path("", include("supportbot.api.urls")),
    path("", include("supportbot.chat.urls")),
]
