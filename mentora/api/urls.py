from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from mentora.api import pages, views

# The API's paths stay as they are within a version; a change that breaks a client comes
# as /api/v2/ beside this one.
urlpatterns = [
    path(
        "api/v1/schema/",
        SpectacularAPIView.as_view(
            authentication_classes=[], permission_classes=[], throttle_classes=[]
        ),
        name="api_schema",
    ),
    path("api/v1/organisations/", views.OrganisationList.as_view(), name="api_organisations"),
    path(
        "api/v1/organisations/<slug:slug>/people/",
        views.PersonList.as_view(),
        name="api_people",
    ),
    path("api/v1/organisations/<slug:slug>/units/", views.UnitList.as_view(), name="api_units"),
    path("api/v1/programmes/", views.ProgrammeList.as_view(), name="api_programmes"),
    path(
        "api/v1/programmes/<int:programme_id>/",
        views.ProgrammeDetail.as_view(),
        name="api_programme",
    ),
    path(
        "api/v1/programmes/<int:programme_id>/participants/",
        views.ParticipantList.as_view(),
        name="api_participants",
    ),
    path(
        "api/v1/participants/<int:participant_id>/",
        views.ParticipantDetail.as_view(),
        name="api_participant",
    ),
    path(
        "api/v1/participants/<int:participant_id>/status/",
        views.ParticipantStatusChange.as_view(),
        name="api_participant_status",
    ),
    path(
        "api/v1/programmes/<int:programme_id>/rounds/",
        views.RoundList.as_view(),
        name="api_rounds",
    ),
    path("api/v1/rounds/<int:round_id>/", views.RoundDetail.as_view(), name="api_round"),
    path(
        "api/v1/rounds/<int:round_id>/publish/",
        views.RoundPublish.as_view(),
        name="api_round_publish",
    ),
    path(
        "api/v1/programmes/<int:programme_id>/pairs/",
        views.PairList.as_view(),
        name="api_pairs",
    ),
    path("api/v1/pairs/<int:pair_id>/", views.PairDetail.as_view(), name="api_pair"),
    path(
        "api/v1/programmes/<int:programme_id>/events/",
        views.EventList.as_view(),
        name="api_events",
    ),
    path(
        "api/v1/programmes/<int:programme_id>/events/<int:event_id>/registrations/",
        views.RegistrationList.as_view(),
        name="api_registrations",
    ),
    path(
        "api/v1/programmes/<int:programme_id>/surveys/",
        views.SurveyList.as_view(),
        name="api_surveys",
    ),
    path(
        "api/v1/surveys/<int:survey_id>/results/",
        views.SurveyResults.as_view(),
        name="api_survey_results",
    ),
    # Pages to make and revoke tokens.
    path("account/tokens/", pages.personal_tokens, name="personal_tokens"),
    path(
        "account/tokens/<int:token_id>/revoke/",
        pages.personal_token_revoke,
        name="personal_token_revoke",
    ),
    path("org/<slug:slug>/tokens/", pages.organisation_tokens, name="organisation_tokens"),
    path(
        "org/<slug:slug>/tokens/<int:token_id>/revoke/",
        pages.organisation_token_revoke,
        name="organisation_token_revoke",
    ),
]
