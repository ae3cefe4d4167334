from django.urls import path

from mentora.relationships.views import (
    checkins,
    closure,
    experts,
    feed,
    flash,
    meetings,
    support,
    workspace,
)

urlpatterns = [
    path("pairs/<int:pair_id>/", workspace.pair_workspace, name="pair_workspace"),
    path("pairs/<int:pair_id>/agreement/", workspace.agreement_save, name="agreement_save"),
    path("pairs/<int:pair_id>/agreement/sign/", workspace.agreement_sign, name="agreement_sign"),
    path("pairs/<int:pair_id>/meetings/", meetings.meeting_schedule, name="meeting_schedule"),
    path("pairs/<int:pair_id>/goals/", workspace.goal_add, name="goal_add"),
    path("goals/<int:goal_id>/", workspace.goal_update, name="goal_update"),
    path("meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/meeting.ics", meetings.meeting_ics, name="meeting_ics"),
    path("my/team/goals/", workspace.team_goals, name="team_goals"),
    path("programmes/<int:programme_id>/pair-health/", support.pair_health, name="pair_health"),
    path(
        "programmes/<int:programme_id>/support-settings/",
        support.support_settings,
        name="support_settings",
    ),
    path("pairs/<int:pair_id>/follow-up/", support.follow_up_record, name="follow_up_record"),
    path("pairs/<int:pair_id>/nudge/", support.pair_nudge, name="pair_nudge"),
    path("pairs/<int:pair_id>/timeline/", checkins.pair_timeline, name="pair_timeline"),
    path("pairs/<int:pair_id>/pause/", checkins.pause_start, name="pause_start"),
    path("pauses/<int:pause_id>/end/", checkins.pause_end, name="pause_end"),
    path("meetings/<int:meeting_id>/check-in/", checkins.meeting_checkin, name="meeting_checkin"),
    path("check-in/<str:token>/", checkins.checkin_link, name="checkin_link"),
    path("pairs/<int:pair_id>/close/", closure.pair_close, name="pair_close"),
    path("pairs/<int:pair_id>/certificate.pdf", closure.certificate, name="certificate"),
    path("pairs/<int:pair_id>/story/", closure.story_submit, name="story_submit"),
    path(
        "programmes/<int:programme_id>/stories/",
        closure.programme_stories,
        name="programme_stories",
    ),
    path("stories/<int:story_id>/decide/", closure.story_decide, name="story_decide"),
    path("pairs/<int:pair_id>/feedback/", workspace.feedback_give, name="feedback_give"),
    path(
        "programmes/<int:programme_id>/toolbox/",
        support.programme_toolbox,
        name="programme_toolbox",
    ),
    path(
        "programmes/<int:programme_id>/feedback-moments/",
        support.feedback_moment_add,
        name="feedback_moment_add",
    ),
    path(
        "meetings/<int:meeting_id>/recording/consent/",
        meetings.recording_consent,
        name="recording_consent",
    ),
    path(
        "meetings/<int:meeting_id>/recording/", meetings.recording_upload, name="recording_upload"
    ),
]

urlpatterns += [
    path("programmes/<int:programme_id>/experts/", experts.expert_network, name="expert_network"),
    path(
        "programmes/<int:programme_id>/experts/connect/",
        experts.expert_connect,
        name="expert_connect",
    ),
    path("my/experts/", experts.my_experts, name="my_experts"),
    path("experts/<int:connection_id>/activity/", experts.expert_activity, name="expert_activity"),
    path("experts/<int:connection_id>/close/", experts.expert_close, name="expert_close"),
]

urlpatterns += [
    path("my/experts/slots/", flash.flash_slot_publish, name="flash_slot_publish"),
    path("flash/slots/<int:slot_id>/move/", flash.flash_slot_move, name="flash_slot_move"),
    path("flash/slots/<int:slot_id>/cancel/", flash.flash_slot_cancel, name="flash_slot_cancel"),
    path("flash/slots/<int:slot_id>/book/", flash.flash_book, name="flash_book"),
    path("flash/<int:booking_id>/cancel/", flash.flash_booking_cancel, name="flash_booking_cancel"),
    path("flash/<int:booking_id>/answer/", flash.flash_followup, name="flash_followup"),
]

urlpatterns += [
    # The token is the only key: calendar clients fetch the feed without a session.
    path("calendar/<str:token>.ics", feed.calendar_feed, name="calendar_feed"),
]
