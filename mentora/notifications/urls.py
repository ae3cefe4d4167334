from django.urls import path

from mentora.notifications import views

urlpatterns = [
    path("notifications/", views.inbox, name="notification_inbox"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
    path(
        "notifications/<int:notification_id>/open/",
        views.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/preferences/",
        views.notification_preferences,
        name="notification_preferences",
    ),
]
