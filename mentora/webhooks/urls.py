from django.urls import path

from mentora.webhooks import views

urlpatterns = [
    path("org/<slug:slug>/webhooks/", views.webhook_list, name="webhook_list"),
    path(
        "org/<slug:slug>/webhooks/<int:webhook_id>/",
        views.webhook_detail,
        name="webhook_detail",
    ),
    path(
        "org/<slug:slug>/webhooks/<int:webhook_id>/test/",
        views.webhook_test,
        name="webhook_test",
    ),
    path(
        "org/<slug:slug>/webhooks/<int:webhook_id>/delete/",
        views.webhook_delete,
        name="webhook_delete",
    ),
]
