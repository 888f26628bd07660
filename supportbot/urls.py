from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog

admin.site.site_header = _("SupportBot administration")
admin.site.site_title = _("SupportBot admin")
admin.site.index_title = _("Conversations, agents and operations")

urlpatterns = [
    # Before the admin's own URLs, which would answer /admin/console/ (and /admin/ops/dashboard/)
    # with a 404.
    path("", include("supportbot.agents.urls")),
    path("", include("supportbot.ops.urls")),
    path("admin/", admin.site.urls),
    # The strings of static/*.js in the page's language (gettext() and interpolate() there).
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("supportbot.health.urls")),
    path("", include("supportbot.api.urls")),
    path("", include("supportbot.widget.urls")),
    path("", include("supportbot.chat.urls")),
]
