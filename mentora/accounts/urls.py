from django.contrib.auth import views as auth_views
from django.urls import path

from mentora.accounts import views
from mentora.accounts.forms import ResetForm

urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path(
        "login/",
        views.LoginView.as_view(),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path(
        "account/two-factor/recovery-codes/",
        views.recovery_codes_renew,
        name="recovery_codes_renew",
    ),
    path("account/two-factor/off/", views.two_factor_disable, name="two_factor_disable"),
    path(
        "password/reset/",
        views.ThrottledPasswordResetView.as_view(
            form_class=ResetForm,
            email_template_name="registration/password_reset_body.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("language/", views.language_set, name="language_set"),
    path("account/", views.account_settings, name="account_settings"),
    path("account/calendar/new/", views.calendar_feed_renew, name="calendar_feed_renew"),
    path("account/calendar/stop/", views.calendar_feed_stop, name="calendar_feed_stop"),
    path("org/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("org/<slug:slug>/members/", views.organisation_members, name="organisation_members"),
    path("org/<slug:slug>/security/", views.organisation_security, name="organisation_security"),
    path("org/<slug:slug>/members/invite/", views.member_invite, name="member_invite"),
    path(
        "org/<slug:slug>/members/<int:membership_id>/revoke/",
        views.membership_revoke,
        name="membership_revoke",
    ),
]
