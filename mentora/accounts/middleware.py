import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    """A logged-in user's chosen language wins over the browser's and the cookie's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


# Session keys: when the session was first seen logged in, and its last request.
SESSION_STARTED = "mentora_started"
SESSION_LAST_SEEN = "mentora_last_seen"
# The last request is written at most this often, so a busy page costs no session writes.
LAST_SEEN_RESOLUTION_SECONDS = 60


class SessionTimeoutMiddleware:
    """Ends a logged-in session after `SESSION_IDLE_MINUTES` without a request, and at
    `SESSION_COOKIE_AGE` after log-in however busy it was (the cookie's own expiry slides
    with every save, so it cannot enforce a maximum by itself)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        session = request.session
        now = int(time.time())
        started = session.get(SESSION_STARTED)
        if started is None:
            session[SESSION_STARTED] = session[SESSION_LAST_SEEN] = now
            return self.get_response(request)
        last_seen = int(session.get(SESSION_LAST_SEEN, started))
        if (
            now - last_seen > settings.SESSION_IDLE_MINUTES * 60
            or now - int(started) > settings.SESSION_COOKIE_AGE
        ):
            logout(request)
            messages.info(request, _("Your session has ended. Please log in again."))
            return redirect_to_login(request.get_full_path())
        if now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
            session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class TwoFactorMiddleware:
    """Before anything else, a logged-in user who has set up two-factor log-in gives a code,
    and one whose role requires it and who has not sets it up. Only these pages, logging out
    and the language switch are open until then."""

    OPEN = ("two_factor_verify", "two_factor_setup", "logout", "language_set")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from mentora.accounts import two_factor

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        match = getattr(request, "resolver_match", None) or _resolve(request.path_info)
        if match is not None and match.url_name in self.OPEN:
            return self.get_response(request)
        if request.path_info.startswith(("/static/", "/media/")):
            return self.get_response(request)
        if two_factor.enrolled(user):
            return redirect_with_next("two_factor_verify", request)
        if two_factor.required_for(user):
            messages.info(
                request,
                _("Your role requires two-factor log-in. Set it up to continue."),
            )
            return redirect_with_next("two_factor_setup", request)
        return self.get_response(request)


def _resolve(path: str) -> Any:
    try:
        return resolve(path)
    except Resolver404:
        return None


def redirect_with_next(name: str, request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
