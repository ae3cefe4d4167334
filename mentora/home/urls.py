from django.urls import path

from mentora.home import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("design/", views.design_system, name="design_system"),
]
