from django.urls import path

from mentora.scim import views

urlpatterns = [
    path("org/<slug:slug>/scim/", views.tokens, name="scim_tokens"),
    path(
        "org/<slug:slug>/scim/<int:token_id>/revoke/",
        views.token_revoke,
        name="scim_token_revoke",
    ),
    path(
        "scim/v2/<slug:slug>/ServiceProviderConfig",
        views.service_provider_config,
        name="scim_service_provider_config",
    ),
    path("scim/v2/<slug:slug>/ResourceTypes", views.resource_types, name="scim_resource_types"),
    path("scim/v2/<slug:slug>/Schemas", views.schemas, name="scim_schemas"),
    path("scim/v2/<slug:slug>/Users", views.users, name="scim_users"),
    path("scim/v2/<slug:slug>/Users/<str:person_id>", views.user, name="scim_user"),
    path("scim/v2/<slug:slug>/Groups", views.groups, name="scim_groups"),
    path("scim/v2/<slug:slug>/Groups/<str:unit_id>", views.group, name="scim_group"),
]
