from django.urls import path

from mentora.programmes.views import (
    bulk,
    design,
    goals,
    guests,
    participants,
    pipeline,
    questionnaire,
)

urlpatterns = [
    path("programmes/", design.programme_list, name="programme_list"),
    path("programmes/new/", design.programme_create, name="programme_create"),
    path("programmes/<int:programme_id>/", design.programme_detail, name="programme_detail"),
    path("programmes/<int:programme_id>/edit/", design.programme_edit, name="programme_edit"),
    path("programmes/<int:programme_id>/policy/", design.programme_policy, name="programme_policy"),
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
        design.programme_organisation_add,
        name="programme_organisation_add",
    ),
    path(
        "programmes/<int:programme_id>/organisations/<int:contribution_id>/remove/",
        design.programme_organisation_remove,
        name="programme_organisation_remove",
    ),
    path("programmes/<int:programme_id>/copy/", design.programme_copy, name="programme_copy"),
    path("programmes/<int:programme_id>/health/", design.programme_health, name="programme_health"),
    path(
        "programmes/<int:programme_id>/touchpoints/",
        questionnaire.touchpoint_add,
        name="touchpoint_add",
    ),
    path(
        "programmes/<int:programme_id>/touchpoints/<int:touchpoint_id>/delete/",
        questionnaire.touchpoint_delete,
        name="touchpoint_delete",
    ),
    path(
        "programmes/<int:programme_id>/pipeline/",
        pipeline.programme_pipeline,
        name="programme_pipeline",
    ),
    path(
        "programmes/<int:programme_id>/pipeline/bulk/",
        bulk.participants_bulk_preview,
        name="participants_bulk_preview",
    ),
    path(
        "programmes/<int:programme_id>/pipeline/bulk/apply/",
        bulk.participants_bulk_apply,
        name="participants_bulk_apply",
    ),
    path(
        "programmes/<int:programme_id>/pipeline/bulk/undo/",
        bulk.participants_bulk_undo,
        name="participants_bulk_undo",
    ),
    # Inviting from an organisation's people directory: the directory's pages are people's,
    # the invitation is the programme's.
    path(
        "org/<slug:slug>/people/invite/",
        bulk.people_invite_preview,
        name="people_invite_preview",
    ),
    path(
        "org/<slug:slug>/people/invite/apply/",
        bulk.people_invite_apply,
        name="people_invite_apply",
    ),
    path(
        "programmes/<int:programme_id>/invite/",
        pipeline.participant_invite,
        name="participant_invite",
    ),
    path(
        "programmes/<int:programme_id>/participants/<int:participant_id>/",
        pipeline.participant_detail,
        name="participant_detail",
    ),
    path(
        "participants/<int:participant_id>/status/",
        pipeline.participant_transition,
        name="participant_transition",
    ),
    path(
        "participants/<int:participant_id>/screening/",
        pipeline.screening_schedule,
        name="screening_schedule",
    ),
    path(
        "participants/<int:participant_id>/screening/outcome/",
        pipeline.screening_record,
        name="screening_record",
    ),
    path(
        "programmes/<int:programme_id>/questionnaire/",
        questionnaire.programme_questionnaire,
        name="programme_questionnaire",
    ),
    path(
        "programmes/<int:programme_id>/questionnaire/<int:question_id>/edit/",
        questionnaire.question_edit,
        name="question_edit",
    ),
    path(
        "programmes/<int:programme_id>/questionnaire/<int:question_id>/move/",
        questionnaire.question_move,
        name="question_move",
    ),
    path(
        "programmes/<int:programme_id>/questionnaire/<int:question_id>/delete/",
        questionnaire.question_delete,
        name="question_delete",
    ),
    path(
        "participants/<int:participant_id>/apply/",
        participants.participant_apply,
        name="participant_apply",
    ),
    path(
        "participants/<int:participant_id>/withdraw/",
        participants.participant_withdraw,
        name="participant_withdraw",
    ),
    path(
        "participants/<int:participant_id>/availability/",
        participants.participant_availability,
        name="participant_availability",
    ),
    path(
        "participants/<int:participant_id>/availability/takes-mentees/",
        participants.participant_takes_mentees,
        name="participant_takes_mentees",
    ),
    path("apply/<str:token>/", participants.programme_apply_link, name="programme_apply_link"),
    path("apply/<str:token>/guest/", guests.programme_guest_apply, name="programme_guest_apply"),
    path("guest/<str:token>/", guests.guest_accept, name="guest_accept"),
    path("programmes/<int:programme_id>/guests/", guests.programme_guests, name="programme_guests"),
    path(
        "programmes/<int:programme_id>/guests/<int:guest_id>/approve/",
        guests.guest_approve,
        name="guest_approve",
    ),
    path(
        "programmes/<int:programme_id>/guests/<int:guest_id>/decline/",
        guests.guest_decline,
        name="guest_decline",
    ),
    path("my/programmes/", participants.my_programmes, name="my_programmes"),
    path("my/approvals/", pipeline.line_manager_approvals, name="line_manager_approvals"),
    path(
        "my/approvals/<int:participant_id>/",
        pipeline.line_manager_decide,
        name="line_manager_decide",
    ),
]
