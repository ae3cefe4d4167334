"""Mentora settings: one module, driven by environment variables.

SQLite under var/ is the embedded default; set DATABASE_URL to use PostgreSQL.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MENTORA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole number from the environment, or a clear message naming the variable."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    if not raw.strip().isascii() or not raw.strip().isdigit() or int(raw) < minimum:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} must be a whole number of at least {minimum}.")
    return int(raw)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = env_bool("MENTORA_TESTING") or "pytest" in sys.modules


def load_local_env(path: Path) -> None:
    """Read KEY=VALUE lines that `make run` wrote for this checkout (DEBUG, SECRET_KEY),
    so that every `manage.py` command run later from a fresh shell sees the same settings
    as the demo server. Variables set in the environment win."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.lstrip().startswith("#"):
            os.environ.setdefault(key.strip(), value.strip())


if not TESTING:
    load_local_env(VAR_DIR / "local.env")

# Off unless asked for: a forgotten DEBUG=1 in production leaks tracebacks.
DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        # An unset key in production would make sessions forgeable; refuse to start.
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-and-tests"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_NAME = "Mentora"
SITE_ROOT = os.environ.get("SITE_ROOT", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "mentora.core",
    "mentora.accounts",
    "mentora.webhooks",
    "mentora.notifications",
    "mentora.people",
    "mentora.sso",
    "mentora.scim",
    "mentora.programmes",
    "mentora.events",
    "mentora.rounds",
    "mentora.relationships",
    "mentora.surveys",
    "mentora.reports",
    "mentora.subject_requests",
    "mentora.privacy",
    "mentora.api",
    "mentora.home",
    "mentora.demo",
]

MIDDLEWARE = [
    # First, so that every log line of a request carries its id and /metrics counts it all.
    "mentora.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "mentora.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "mentora.core.middleware.RejectNullCharactersMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "mentora.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages, so that it can say why the session ended.
    "mentora.accounts.middleware.SessionTimeoutMiddleware",
    # After the timeout, so that an ended session is not asked for a code first.
    "mentora.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mentora.core.context_processors.mentora",
                "mentora.notifications.context_processors.notifications",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'mentora.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0),
        # A kept connection is tested before use, so a restarted database costs one
        # failed request per process at most, never a stuck process.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the task worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so a worker process in the tests can share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-mentora.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The keys that encrypt private texts at rest (mentora/core/crypto.py), newest first:
# comma-separated in the environment, or one a line in a key file. Never in the database.
MENTORA_ENCRYPTION_KEYS = env_list("MENTORA_ENCRYPTION_KEYS")
MENTORA_ENCRYPTION_KEY_FILE = os.environ.get("MENTORA_ENCRYPTION_KEY_FILE", "")
# Development and tests make a key file under VAR_DIR on first use; production refuses.
MENTORA_ENCRYPTION_KEY_AUTOCREATE = DEBUG or TESTING

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures for the same e-mail from the same address
# lock that combination out for a quarter of an hour.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form posts the e-mail address in the "username" field.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Every spelling of a log-in name counts against one account; see mentora/accounts/throttling.py.
AXES_USERNAME_CALLABLE = "mentora.accounts.throttling.axes_username"
AXES_CLIENT_IP_CALLABLE = "mentora.accounts.throttling.client_address"

# Reverse proxies in front of Mentora that append the client's address to X-Forwarded-For.
# Throttles count per client address: with the wrong number, a whole office shares one
# address (too few) or a client can forge its own (too many). BEHIND_HTTPS_PROXY implies one.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 1 if env_bool("BEHIND_HTTPS_PROXY") else 0)

# Password-reset e-mails: per address and per client address, each within an hour.
PASSWORD_RESETS_PER_ADDRESS = env_int("PASSWORD_RESETS_PER_ADDRESS", 3, minimum=1)
PASSWORD_RESETS_PER_CLIENT = env_int("PASSWORD_RESETS_PER_CLIENT", 20, minimum=1)

# A session ends after this long without a request, and in any case at its maximum age.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 8 * 60, minimum=1)
SESSION_COOKIE_AGE = env_int("SESSION_MAX_AGE_HOURS", 14 * 24, minimum=1) * 3600
AXES_VERBOSE = False

# Two-factor log-in (TOTP, with recovery codes). A platform admin always needs it when DEBUG
# is off, so that the demo (`make run`) and the tests log in with a password alone; the
# tests that need it switch it on. Organisations may require it of their administrators and
# programme managers. Wrong codes: at most this many tries per account per quarter hour.
TWO_FACTOR_FOR_PLATFORM_ADMINS = not DEBUG and not TESTING
TWO_FACTOR_ATTEMPTS = env_int("TWO_FACTOR_ATTEMPTS", 5, minimum=1)
OTP_TOTP_ISSUER = "Mentora"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("da", _("Danish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "mentora_language"
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# In production, `collectstatic` writes each file under a name with its content's hash,
# so browsers may cache it for a year; development and tests serve the files as they are.
STATIC_MANIFEST = not DEBUG and not TESTING
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# HR uploads: the defaults hold an organisation of 250,000 people with room to spare.
PEOPLE_IMPORT_MAX_BYTES = env_int("PEOPLE_IMPORT_MAX_MB", 100, minimum=1) * 1024 * 1024
PEOPLE_IMPORT_MAX_ROWS = env_int("PEOPLE_IMPORT_MAX_ROWS", 300000, minimum=1)
# Production serves what `collectstatic` collected (`mentora_serve` checks it is there).
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# Background tasks: the database backend needs no broker. Run the worker with
# `manage.py db_worker`; several workers on several machines may share one
# PostgreSQL database, because each claims a task with SELECT ... FOR UPDATE SKIP LOCKED.
TASKS = {
    "default": {
        # The database backend, handing each task the id of the request that enqueued it.
        "BACKEND": os.environ.get("TASK_BACKEND", "mentora.core.task_backend.DatabaseBackend"),
    }
}
# A worker beats every sixth of this many seconds; one silent this long is taken for
# dead (by /healthz), and the task it was running is handed back to the queue, where
# another worker takes it over (as is, this long after it began, a task its beating
# worker no longer runs).
WORKER_STALE_SECONDS = env_int("WORKER_STALE_SECONDS", 30, minimum=3)

# Webhooks: each delivery is tried up to WEBHOOK_MAX_ATTEMPTS times by the task worker,
# waiting WEBHOOK_RETRY_BASE_SECONDS after the first failure and twice as long after each next.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 60)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# A webhook address inside a private network (loopback, 10.x, 192.168.x, link-local such
# as a cloud's metadata service) is refused, so that nobody can make Mentora call the
# machines behind its firewall. The tests' receivers listen on loopback.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", TESTING)

# The REST API (/api/v1/): API tokens, or the browser's session for someone logged in.
# Requests with a token are limited per token through Django's cache (the default cache is
# each process's own memory: several processes or machines need a shared cache, such as
# Redis or the database cache, for the limit to hold across them).
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "mentora.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["mentora.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["mentora.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": API_RATE_LIMIT},
    "DEFAULT_PAGINATION_CLASS": "mentora.api.pagination.Pages",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "mentora.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mentora API",
    "DESCRIPTION": "Programmes, participants, matching rounds, pairs (facts and health "
    "only), events and survey results, under the same access rules as the pages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ParticipantStatusEnum": "mentora.programmes.models.ParticipantStatus",
        "RoundStatusEnum": "mentora.rounds.models.RoundStatus",
        "RegistrationStatusEnum": "mentora.events.models.RegistrationStatus",
    },
}

# E-mail: the console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Mentora <mentora@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A mail server that stops answering must not hold a worker (and its claim) for ever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
# The outbox: every e-mail is a row written with the change that caused it, sent by the
# task worker. A worker claims EMAIL_OUTBOX_BATCH rows at a time for
# EMAIL_OUTBOX_LEASE_SECONDS; rows of a worker that died are given back as soon as it has
# been silent for WORKER_STALE_SECONDS, any other row of a lease that ran out is taken over.
# While the mail server refuses, a row waits EMAIL_OUTBOX_RETRY_BASE_SECONDS, then twice as
# long each time, never more than EMAIL_OUTBOX_RETRY_MAX_SECONDS. The text of sent e-mails
# is cleared after EMAIL_OUTBOX_KEEP_DAYS.
EMAIL_OUTBOX_BATCH = env_int("EMAIL_OUTBOX_BATCH", 20, minimum=1)
EMAIL_OUTBOX_LEASE_SECONDS = env_int("EMAIL_OUTBOX_LEASE_SECONDS", 120, minimum=1)
EMAIL_OUTBOX_RETRY_BASE_SECONDS = env_int("EMAIL_OUTBOX_RETRY_BASE_SECONDS", 10)
EMAIL_OUTBOX_RETRY_MAX_SECONDS = env_int("EMAIL_OUTBOX_RETRY_MAX_SECONDS", 300)
EMAIL_OUTBOX_KEEP_DAYS = env_int("EMAIL_OUTBOX_KEEP_DAYS", 7)

# Security defaults. Cookies are secure and HSTS is on whenever DEBUG is off;
# SECURE_COOKIES=0 allows a plain-HTTP deployment behind a trusted proxy on purpose.
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY") else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)

# Logs: one JSON object per line in production (LOG_FORMAT=json, the default when DEBUG
# is off), plain text in development; every line carries the request id.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG or TESTING else "json")
if LOG_FORMAT not in {"json", "text"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "mentora.core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "mentora.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # One line per request; the development server prints its own.
        "mentora.access": {"level": "WARNING" if DEBUG or TESTING else "INFO"},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports each stage of every PDF, and of its own stylesheets on import.
        "weasyprint.progress": {"level": "WARNING"},
        # The SAML library logs whole assertions (names, e-mail addresses) at INFO, and
        # its schema loader each schema it reads.
        "saml2": {"level": "WARNING"},
        "xmlschema": {"level": "WARNING"},
    },
}

# /metrics answers only a request carrying this token (Authorization: Bearer ...);
# without one set, the endpoint does not exist.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

if TESTING:
    # Fast hashing in tests only; production keeps PBKDF2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
