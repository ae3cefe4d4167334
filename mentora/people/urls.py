from django.urls import path

from mentora.people import views

urlpatterns = [
    path("org/<slug:slug>/people/", views.people_directory, name="people_directory"),
    path("org/<slug:slug>/people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("org/<slug:slug>/units/", views.org_units, name="org_units"),
]
