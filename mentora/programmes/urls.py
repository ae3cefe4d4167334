from django.urls import path

from mentora.programmes import goals, views

urlpatterns = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:programme_id>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:programme_id>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:programme_id>/policy/", views.programme_policy, name="programme_policy"),
    path("programmes/<int:programme_id>/goals/", goals.programme_goals, name="programme_goals"),
    path(
        "programmes/<int:programme_id>/goals/<int:goal_id>/",
        goals.programme_goal_edit,
        name="programme_goal_edit",
    ),
    path(
        "programmes/<int:programme_id>/goals/<int:goal_id>/delete/",
        goals.programme_goal_delete,
        name="programme_goal_delete",
    ),
    path(
        "programmes/<int:programme_id>/organisations/",
        views.programme_organisation_add,
        name="programme_organisation_add",
    ),
    path(
        "programmes/<int:programme_id>/organisations/<int:contribution_id>/remove/",
        views.programme_organisation_remove,
        name="programme_organisation_remove",
    ),
    path("programmes/<int:programme_id>/copy/", views.programme_copy, name="programme_copy"),
    path("programmes/<int:programme_id>/health/", views.programme_health, name="programme_health"),
    path(
        "programmes/<int:programme_id>/touchpoints/",
        views.touchpoint_add,
        name="touchpoint_add",
    ),
    path(
        "programmes/<int:programme_id>/touchpoints/<int:touchpoint_id>/delete/",
        views.touchpoint_delete,
        name="touchpoint_delete",
    ),
    path(
        "programmes/<int:programme_id>/pipeline/",
        views.programme_pipeline,
        name="programme_pipeline",
    ),
    path(
        "programmes/<int:programme_id>/invite/",
        views.participant_invite,
        name="participant_invite",
    ),
    path(
        "programmes/<int:programme_id>/participants/<int:participant_id>/",
        views.participant_detail,
        name="participant_detail",
    ),
    path(
        "participants/<int:participant_id>/status/",
        views.participant_transition,
        name="participant_transition",
    ),
    path(
        "participants/<int:participant_id>/screening/",
        views.screening_schedule,
        name="screening_schedule",
    ),
    path(
        "participants/<int:participant_id>/screening/outcome/",
        views.screening_record,
        name="screening_record",
    ),
    path(
        "programmes/<int:programme_id>/questionnaire/",
        views.programme_questionnaire,
        name="programme_questionnaire",
    ),
    path(
        "programmes/<int:programme_id>/questionnaire/<int:question_id>/delete/",
        views.question_delete,
        name="question_delete",
    ),
    path(
        "participants/<int:participant_id>/apply/",
        views.participant_apply,
        name="participant_apply",
    ),
    path(
        "participants/<int:participant_id>/withdraw/",
        views.participant_withdraw,
        name="participant_withdraw",
    ),
    path("apply/<str:token>/", views.programme_apply_link, name="programme_apply_link"),
    path("my/programmes/", views.my_programmes, name="my_programmes"),
    path("my/approvals/", views.line_manager_approvals, name="line_manager_approvals"),
    path(
        "my/approvals/<int:participant_id>/",
        views.line_manager_decide,
        name="line_manager_decide",
    ),
]
