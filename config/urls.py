from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("mentora.core.urls")),
    path("", include("mentora.home.urls")),
    path("", include("mentora.accounts.urls")),
    path("", include("mentora.webhooks.urls")),
    path("", include("mentora.notifications.urls")),
    path("", include("mentora.people.urls")),
    path("", include("mentora.sso.urls")),
    path("", include("mentora.scim.urls")),
    path("", include("mentora.programmes.urls")),
    path("", include("mentora.events.urls")),
    path("", include("mentora.rounds.urls")),
    path("", include("mentora.relationships.urls")),
    path("", include("mentora.surveys.urls")),
    path("", include("mentora.reports.urls")),
    path("", include("mentora.privacy.urls")),
    path("", include("mentora.subject_requests.urls")),
    path("", include("mentora.api.urls")),
]

# A database outage is answered with a friendly 503, any other failure with the 500 page.
handler500 = "mentora.core.views.server_error"
