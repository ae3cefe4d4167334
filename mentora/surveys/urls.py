from django.urls import path

from mentora.surveys import views

urlpatterns = [
    path("programmes/<int:programme_id>/surveys/", views.survey_list, name="survey_list"),
    path(
        "programmes/<int:programme_id>/surveys/new/",
        views.survey_schedule,
        name="survey_schedule",
    ),
    path(
        "programmes/<int:programme_id>/surveys/questions/",
        views.survey_questions,
        name="survey_questions",
    ),
    path(
        "programmes/<int:programme_id>/surveys/questions/<int:question_id>/edit/",
        views.survey_question_edit,
        name="survey_question_edit",
    ),
    path(
        "programmes/<int:programme_id>/surveys/questions/<int:question_id>/move/",
        views.survey_question_move,
        name="survey_question_move",
    ),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:survey_id>/close/", views.survey_close, name="survey_close"),
    path("surveys/answer/<str:token>/", views.survey_answer, name="survey_answer"),
    path("surveys/instruments/<slug:slug>/", views.instrument_list, name="instrument_list"),
    path("my/surveys/", views.my_surveys, name="my_surveys"),
    path("my/surveys/<int:invitation_id>/", views.my_answers, name="my_answers"),
]
