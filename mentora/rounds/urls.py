from django.urls import path

from mentora.rounds import views, views_bulk, views_fairness, views_hand, views_review

urlpatterns = [
    path("programmes/<int:programme_id>/rounds/", views.round_list, name="round_list"),
    path("programmes/<int:programme_id>/rounds/start/", views.round_start, name="round_start"),
    path(
        "programmes/<int:programme_id>/rounds/on-demand/",
        views.round_start_on_demand,
        name="round_start_on_demand",
    ),
    path("programmes/<int:programme_id>/pairs/", views.programme_pairs, name="programme_pairs"),
    path("rounds/<int:round_id>/", views_review.round_detail, name="round_detail"),
    path("rounds/<int:round_id>/cancel/", views.round_cancel, name="round_cancel"),
    path("rounds/<int:round_id>/rerun/", views.round_rerun, name="round_rerun"),
    path("rounds/<int:round_id>/publish/", views.round_publish, name="round_publish"),
    path("rounds/<int:round_id>/check/", views.round_check, name="round_check"),
    path("rounds/<int:round_id>/assign/", views.round_assign, name="round_assign"),
    path(
        "rounds/<int:round_id>/mentees/search/",
        views_hand.round_mentee_search,
        name="round_mentee_search",
    ),
    path(
        "rounds/<int:round_id>/mentors/search/",
        views_hand.round_mentor_search,
        name="round_mentor_search",
    ),
    path("rounds/<int:round_id>/why-not/", views.round_why_not, name="round_why_not"),
    path("rounds/<int:round_id>/compare/", views.round_compare, name="round_compare"),
    path(
        "rounds/<int:round_id>/proposals/<int:proposal_id>/lock/",
        views.proposal_lock,
        name="proposal_lock",
    ),
    path(
        "rounds/<int:round_id>/proposals/<int:proposal_id>/remove/",
        views.proposal_remove,
        name="proposal_remove",
    ),
    path("pairs/<int:pair_id>/end/", views.pair_end, name="pair_end"),
    path(
        "rounds/<int:round_id>/open-choosing/",
        views.round_open_choosing,
        name="round_open_choosing",
    ),
    path("rounds/<int:round_id>/resolve/", views.round_resolve, name="round_resolve"),
    path("rounds/<int:round_id>/introduce/", views.round_introduce, name="round_introduce"),
    path("rounds/<int:round_id>/choose/", views.choice_submit, name="choice_submit"),
    path("my/matching/", views.my_matching, name="my_matching"),
    path(
        "introductions/<int:introduction_id>/answer/",
        views.introduction_answer,
        name="introduction_answer",
    ),
    path("programmes/<int:programme_id>/groups/", views.programme_groups, name="programme_groups"),
    path("programmes/<int:programme_id>/groups/form/", views.groups_form, name="groups_form"),
    path(
        "programmes/<int:programme_id>/groups/publish/",
        views.groups_publish,
        name="groups_publish",
    ),
]

urlpatterns += [
    path(
        "rounds/<int:round_id>/proposals/bulk/",
        views_bulk.proposals_bulk_preview,
        name="proposals_bulk_preview",
    ),
    path(
        "rounds/<int:round_id>/proposals/bulk/apply/",
        views_bulk.proposals_bulk_apply,
        name="proposals_bulk_apply",
    ),
    path(
        "rounds/<int:round_id>/proposals/bulk/undo/",
        views_bulk.proposals_bulk_undo,
        name="proposals_bulk_undo",
    ),
    path(
        "programmes/<int:programme_id>/pairs/bulk/",
        views_bulk.pairs_bulk_preview,
        name="pairs_bulk_preview",
    ),
    path(
        "programmes/<int:programme_id>/pairs/bulk/apply/",
        views_bulk.pairs_bulk_apply,
        name="pairs_bulk_apply",
    ),
]

urlpatterns += [
    path(
        "programmes/<int:programme_id>/fairness/",
        views_fairness.programme_fairness,
        name="programme_fairness",
    ),
    path("rounds/<int:round_id>/fairness/", views_fairness.round_fairness, name="round_fairness"),
    path(
        "rounds/<int:round_id>/fairness.pdf",
        views_fairness.round_fairness_pdf,
        name="round_fairness_pdf",
    ),
    path(
        "rounds/<int:round_id>/fairness.xlsx",
        views_fairness.round_fairness_xlsx,
        name="round_fairness_xlsx",
    ),
    path(
        "rounds/<int:round_id>/fairness/check/",
        views_fairness.round_order_check,
        name="round_order_check",
    ),
]
