from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "SupportBot administration"
admin.site.site_title = "SupportBot admin"
admin.site.index_title = "Conversations, agents and operations"

urlpatterns = [
    # Before the admin's own URLs, which would answer /admin/console/ (and /admin/ops/dashboard/)
    # with a 404.
    path("", include("supportbot.agents.urls")),
    path("", include("supportbot.ops.urls")),
    path("admin/", admin.site.urls),
    path("", include("supportbot.health.urls")),
    path("", include("supportbot.api.urls")),
    path("", include("supportbot.chat.urls")),
]
