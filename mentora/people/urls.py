from django.urls import path, re_path

from mentora.people import views

urlpatterns = [
    path("org/<slug:slug>/people/", views.people_directory, name="people_directory"),
    path("org/<slug:slug>/people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("org/<slug:slug>/people/search/", views.people_search, name="people_search"),
    path("org/<slug:slug>/units/", views.org_units, name="org_units"),
    path("org/<slug:slug>/people/import/", views.people_import, name="people_import"),
    path(
        "org/<slug:slug>/people/import/<int:run_id>/",
        views.people_import_run,
        name="people_import_run",
    ),
    path(
        "org/<slug:slug>/people/import/<int:run_id>/apply/",
        views.people_import_apply,
        name="people_import_apply",
    ),
    path(
        "org/<slug:slug>/people/import/<int:run_id>/cancel/",
        views.people_import_cancel,
        name="people_import_cancel",
    ),
    re_path(
        r"^org/(?P<slug>[-\w]+)/people/export\.(?P<fmt>csv|xlsx)$",
        views.people_export,
        name="people_export",
    ),
]
