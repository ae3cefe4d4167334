from django.urls import path

from mentora.events import views

# The paths are those the pages had when events were part of programmes: bookmarks still work.
urlpatterns = [
    path(
        "programmes/<int:programme_id>/workshops/",
        views.programme_events,
        name="programme_events",
    ),
    path(
        "programmes/<int:programme_id>/workshops/<int:event_id>/attendance/",
        views.event_attendance,
        name="event_attendance",
    ),
    path(
        "programmes/<int:programme_id>/workshops/register/",
        views.event_register_many,
        name="event_register_many",
    ),
    path(
        "programmes/<int:programme_id>/workshops/register/apply/",
        views.event_register_many_apply,
        name="event_register_many_apply",
    ),
    path("my/events/", views.my_events, name="my_events"),
    path("events/<int:event_id>/register/", views.event_register, name="event_register"),
    path(
        "events/registrations/<int:registration_id>/cancel/",
        views.event_cancel,
        name="event_cancel",
    ),
]
