from django.urls import path

from mentora.sso import views

urlpatterns = [
    path("login/organisation/", views.sso_start, name="sso_start"),
    path("sso/<slug:slug>/oidc/callback/", views.sso_oidc_callback, name="sso_oidc_callback"),
    path("sso/<slug:slug>/saml/acs/", views.sso_saml_acs, name="sso_saml_acs"),
    path("sso/<slug:slug>/saml/metadata/", views.sso_saml_metadata, name="sso_saml_metadata"),
    path(
        "org/<slug:slug>/single-sign-on/",
        views.identity_provider_settings,
        name="identity_provider_settings",
    ),
]
