from django.urls import path, re_path

from mentora.subject_requests import views

urlpatterns = [
    path("my/data/", views.my_data, name="my_data"),
    path(
        "org/<slug:slug>/people/<int:person_id>/data-copy/",
        views.person_access_request,
        name="person_access_request",
    ),
    path("org/<slug:slug>/people/<int:person_id>/erase/", views.person_erase, name="person_erase"),
    path("org/<slug:slug>/data-requests/", views.subject_requests, name="subject_requests"),
    path("data-requests/<int:request_id>/", views.subject_request, name="subject_request"),
    path(
        "data-requests/<int:request_id>/retry/",
        views.subject_request_retry,
        name="subject_request_retry",
    ),
    re_path(
        r"^data-requests/(?P<request_id>[0-9]+)/copy\.(?P<fmt>json|pdf)$",
        views.subject_request_download,
        name="subject_request_download",
    ),
]
