from django.urls import path

from mentora.core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views.metrics, name="metrics"),
    # Browsers ask for /favicon.ico on pages without a link to the icon (error pages).
    path("favicon.ico", views.FaviconView.as_view()),
]
