from django.urls import path

from mentora.relationships import views

urlpatterns = [
    path("pairs/<int:pair_id>/", views.pair_workspace, name="pair_workspace"),
    path("pairs/<int:pair_id>/agreement/", views.agreement_save, name="agreement_save"),
    path("pairs/<int:pair_id>/agreement/sign/", views.agreement_sign, name="agreement_sign"),
    path("pairs/<int:pair_id>/meetings/", views.meeting_schedule, name="meeting_schedule"),
    path("pairs/<int:pair_id>/goals/", views.goal_add, name="goal_add"),
    path("goals/<int:goal_id>/", views.goal_update, name="goal_update"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/meeting.ics", views.meeting_ics, name="meeting_ics"),
    path("my/team/goals/", views.team_goals, name="team_goals"),
    path("programmes/<int:programme_id>/pair-health/", views.pair_health, name="pair_health"),
    path(
        "programmes/<int:programme_id>/pair-health/settings/",
        views.support_settings,
        name="support_settings",
    ),
    path("pairs/<int:pair_id>/follow-up/", views.follow_up_record, name="follow_up_record"),
    path("pairs/<int:pair_id>/nudge/", views.pair_nudge, name="pair_nudge"),
    path("pairs/<int:pair_id>/close/", views.pair_close, name="pair_close"),
    path("pairs/<int:pair_id>/certificate.pdf", views.certificate, name="certificate"),
    path("pairs/<int:pair_id>/story/", views.story_submit, name="story_submit"),
    path(
        "programmes/<int:programme_id>/stories/", views.programme_stories, name="programme_stories"
    ),
    path("stories/<int:story_id>/decide/", views.story_decide, name="story_decide"),
    path("pairs/<int:pair_id>/feedback/", views.feedback_give, name="feedback_give"),
    path(
        "programmes/<int:programme_id>/toolbox/", views.programme_toolbox, name="programme_toolbox"
    ),
    path(
        "programmes/<int:programme_id>/feedback-moments/",
        views.feedback_moment_add,
        name="feedback_moment_add",
    ),
    path(
        "meetings/<int:meeting_id>/recording/consent/",
        views.recording_consent,
        name="recording_consent",
    ),
    path("meetings/<int:meeting_id>/recording/", views.recording_upload, name="recording_upload"),
]

urlpatterns += [
    path("programmes/<int:programme_id>/experts/", views.expert_network, name="expert_network"),
    path(
        "programmes/<int:programme_id>/experts/connect/",
        views.expert_connect,
        name="expert_connect",
    ),
    path("my/experts/", views.my_experts, name="my_experts"),
    path("experts/<int:connection_id>/activity/", views.expert_activity, name="expert_activity"),
    path("experts/<int:connection_id>/close/", views.expert_close, name="expert_close"),
]
