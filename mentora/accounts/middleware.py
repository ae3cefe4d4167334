import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
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
