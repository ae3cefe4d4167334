from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from mentora.core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without a link to the icon (error pages).
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
]
