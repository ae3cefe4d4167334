from django.urls import path

from mentora.privacy import views

urlpatterns = [
    path("org/<slug:slug>/privacy/", views.privacy_notice, name="privacy_notice"),
    path("org/<slug:slug>/privacy/settings/", views.privacy_settings, name="privacy_settings"),
    path(
        "org/<slug:slug>/privacy/record.pdf",
        views.processing_record_pdf,
        name="processing_record_pdf",
    ),
    path(
        "org/<slug:slug>/privacy/record.md",
        views.processing_record_markdown,
        name="processing_record_markdown",
    ),
    path("my/consents/", views.my_consents, name="my_consents"),
    path(
        "my/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("pairs/<int:pair_id>/my-texts.md", views.pair_texts_export, name="pair_texts_export"),
]
