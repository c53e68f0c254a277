"""Settings for the idea portal, read from the environment.

Everything a deployment changes comes from an environment variable with a safe default; the
README lists them. Two modes:

- development (``DEBUG=1``): SQLite in the project folder unless ``DATABASE_URL`` is set, Celery
  tasks run inline unless ``REDIS_URL`` is set, a fixed development ``SECRET_KEY``;
- production (``DEBUG`` unset or ``0``): ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``SITE_URL``, ``DATABASE_URL`` and
  Redis (``REDIS_URL``, or ``CACHE_REDIS_URL`` and ``CELERY_BROKER_URL``) are required, and
  start-up stops with a message naming any that is missing.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

from accounts import sso_config
from core.site_url import site_url_refusal

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name)
    if not value:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (true/false), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_required(name: str, why: str) -> str:
    value = env_str(name)
    if not value:
        raise ImproperlyConfigured(f"Set the environment variable {name}: {why} (DEBUG is off).")
    return value


DEBUG = env_bool("DEBUG", default=False)

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
# Keys written down in public (this file, the compose file's old default): whoever reads them can
# sign sessions and mint unsubscribe links for every member. (The Dockerfile's build-only key never
# reaches a running container: it exists for the collectstatic step alone.)
KNOWN_SECRET_KEYS = frozenset({DEVELOPMENT_SECRET_KEY, "change-me-compose-only-insecure-default-secret-key-0123456789"})


def secret_key_refusal(key: str) -> str | None:
    """Why this key must not sign anything in production, or None for a key that may."""
    if key in KNOWN_SECRET_KEYS or key.startswith("django-insecure"):
        return "it is a published default (or Django's django-insecure one): anyone can sign with it"
    if len(key) < 50 or len(set(key)) < 5:
        return "it is too short or too simple: use at least 50 random characters"
    return None


if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
else:
    SECRET_KEY = env_required("SECRET_KEY", "a long random string that signs sessions and tokens")
    if refusal := secret_key_refusal(SECRET_KEY):
        raise ImproperlyConfigured(
            f"Set the environment variable SECRET_KEY to a secret of your own: {refusal} (DEBUG is off). "
            "Make one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "Set the environment variable ALLOWED_HOSTS: the comma-separated host names the "
            "portal answers to (DEBUG is off)."
        )

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    # Ground: the shared kernel first (its ready() installs the page cache and the text checks).
    "core",
    "accounts",
    "challenges",
    "ideas",
    "attachments",
    "scoring",
    "reviews",
    "notifications",
    "metrics",
    "reputation",
    "innovators",
    "impact",
    "health",
    "audit",
    "webhooks",
    "privacy",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    # On top: pages that compose several apps, and the demo and scale seeding commands.
    "pages",
    "demo",
]

MIDDLEWARE = [
    # First: refuses a request body above UPLOAD_MAX_BYTES before anything reads it.
    "core.middleware.UploadLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The headers first, so every answer carries them (the 400 below too).
    "core.security.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the request: NUL bytes and invalid UTF-8 are answered with 400.
    "core.security.RequestBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the session and the member are known: the member's language, else Accept-Language.
    "accounts.language.MemberLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Lets the sign-in pages' forms lead to the single sign-on providers (CSP form-action).
    "accounts.sso.SsoFormActionMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# Load benchmarks only (bench/load.py): the baseline views at _baseline/ and an X-Queries header
# with each response's number of SQL queries. Never on in a real deployment.
BENCH_BASELINE_VIEWS = env_bool("BENCH_BASELINE_VIEWS", default=False)
if BENCH_BASELINE_VIEWS:
    MIDDLEWARE.insert(0, "baseline.middleware.QueryCountMiddleware")
# The benchmark-only app (its table of rows to SELECT and INSERT) is installed only when a benchmark
# run mounts its views, and for the test suite, whose tests/test_baseline.py checks them; never in
# production.
if BENCH_BASELINE_VIEWS or "pytest" in sys.modules:
    INSTALLED_APPS.append("baseline")

ROOT_URLCONF = "ideaportal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                # LANGUAGES, as the settings name them (each in itself), for the language switcher.
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "ideaportal.wsgi.application"

# Database: DATABASE_URL, or a SQLite file in the project folder (the embedded default).
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL and not DEBUG:
    env_required("DATABASE_URL", "the PostgreSQL database, e.g. postgres://user:password@host:5432/ideaportal")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Persistent connections: opening one per request costs several times the throughput.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the cache and the Celery broker. In production they are two servers (docker-compose.yml):
# the cache's evicts the least recently used keys when full, the broker's never evicts and keeps
# an append-only file, so a flood of cached pages can never push out queued work.
# CACHE_REDIS_URL and CELERY_BROKER_URL each fall back to REDIS_URL. Unset (development only):
# tasks run inline and the cache is local memory.
REDIS_URL = env_str("REDIS_URL")
CACHE_REDIS_URL = env_str("CACHE_REDIS_URL") or REDIS_URL
BROKER_REDIS_URL = env_str("CELERY_BROKER_URL") or REDIS_URL
if not DEBUG:
    if not CACHE_REDIS_URL:
        env_required("CACHE_REDIS_URL", "the cache's Redis server, e.g. redis://cache:6379/0 (or set REDIS_URL)")
    if not BROKER_REDIS_URL:
        env_required("CELERY_BROKER_URL", "the broker's Redis server, e.g. redis://broker:6379/0 (or set REDIS_URL)")

# A Redis server that is down costs milliseconds, not seconds: short timeouts everywhere.
REDIS_TIMEOUT_SECONDS = float(env_str("REDIS_TIMEOUT_SECONDS") or 0.5)
if CACHE_REDIS_URL:
    # Fails open (core/cache.py): unreachable, a read is a miss and a write is skipped.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailOpenRedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
                # After a failure, this process treats the cache as empty for this long before asking again.
                "RETRY_AFTER": env_int("CACHE_RETRY_AFTER_SECONDS", 5),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in PostgreSQL only. cached_db saved one primary-key query per signed-in request
# (docs/PERFORMANCE.md, "Redis down", measures it) but made Redis part of every such request and,
# during an outage, could not delete a signed-out session's cached copy, which came back with Redis.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = BROKER_REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not BROKER_REDIS_URL
# Queueing a task with the broker down fails fast (the callers log it; the outbox or beat catches
# up): one quick retry, and a short connect timeout.
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 2)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_RESULT_BACKEND = None
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only after it ran, and put back if its worker dies mid-way: with tasks
# that are safe to run twice, a killed worker loses nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# How long Redis keeps a taken, unacknowledged task before another worker may run it (a worker died).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    "socket_connect_timeout": 1,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Daily digests (members' and the staff's overdue answers) go out at this hour (UTC, as Celery beat runs).
DAILY_DIGESTS_AT = crontab(hour=env_int("DIGEST_HOUR", 7), minute=0)
CELERY_BEAT_SCHEDULE = {
    # The safety net under the debounced recompute that follows new ratings.
    "recompute-opportunity-scores": {
        "task": "scoring.tasks.recompute_opportunity_scores",
        "schedule": env_int("SCORING_FULL_RECOMPUTE_SECONDS", 3600),
    },
    # Trending counts the votes of the last 7 days, so it decays even when nobody votes; the
    # debounced refresh after each vote keeps the rest fresh in between.
    "refresh-idea-ranks": {
        "task": "ideas.tasks.refresh_all_idea_ranks",
        "schedule": env_int("IDEA_RANKS_REFRESH_SECONDS", 3600),
    },
    # Challenges move on when a phase's start date is reached: a daily tick is too coarse for "when
    # the date passes", and finding the due challenges is one small indexed SELECT.
    "advance-challenge-phases": {
        "task": "challenges.tasks.advance_challenge_phases",
        "schedule": 15 * 60,
    },
    # The reputation totals rebuilt from the ledger (they are kept incrementally; this is the safety net).
    "rebuild-reputation": {"task": "reputation.tasks.rebuild_reputation", "schedule": DAILY_DIGESTS_AT},
    # Survey waves (rounds and impact follow-ups) open and close at their dates; each opens and
    # closes once under its row lock, however many times this runs.
    "open-and-close-survey-waves": {"task": "scoring.tasks.open_and_close_due_waves", "schedule": 15 * 60},
    # Survey imports a worker dropped (killed mid-way, or the broker was down when they were queued).
    "requeue-import-jobs": {"task": "scoring.tasks.requeue_import_jobs", "schedule": 5 * 60},
    # A worker runs this and beat records sending it: /healthz reports how long ago each was seen.
    "health-heartbeat": {"task": "health.tasks.heartbeat", "schedule": env_int("HEALTH_HEARTBEAT_SECONDS", 30)},
    # Notifications the request could not queue (broker down) go out once it is back.
    "drain-notification-outbox": {"task": "notifications.tasks.drain_outbox", "schedule": 60},
    "send-daily-notification-digests": {"task": "notifications.tasks.send_daily_digests", "schedule": DAILY_DIGESTS_AT},
    # Triage staff hear daily of ideas past their promised answer time (sent once per member per day).
    "send-overdue-answer-digests": {"task": "reviews.tasks.send_overdue_digests", "schedule": DAILY_DIGESTS_AT},
    # Webhook deliveries whose retry is due (long waits are not kept as countdowns in the broker) or
    # whose queueing was lost.
    "send-due-webhook-deliveries": {"task": "webhooks.tasks.send_due_deliveries", "schedule": 60},
    # Pictures whose thumbnail task was lost (the broker was down when they were uploaded).
    "make-missing-thumbnails": {"task": "attachments.tasks.make_missing_thumbnails", "schedule": 10 * 60},
    # Old notifications and processed outbox events deleted (core.personal_data's retention rules).
    "apply-retention": {"task": "privacy.tasks.apply_retention", "schedule": crontab(hour=3, minute=30)},
}

# Webhooks (webhooks/): an attempt's HTTP timeout; the waits before each retry of a failed delivery
# (Standard Webhooks' suggested schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), after which the
# delivery is marked failed; an endpoint is disabled after this many failed attempts in a row (staff
# are told); how much of a response body the delivery log keeps.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5)
WEBHOOK_RETRY_SCHEDULE_SECONDS = [
    int(value) for value in env_list("WEBHOOK_RETRY_SCHEDULE_SECONDS", "5,300,1800,7200,18000,36000,36000")
]
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 15)
WEBHOOK_RESPONSE_BODY_MAX_CHARS = env_int("WEBHOOK_RESPONSE_BODY_MAX_CHARS", 2000)
# An idea's up-votes reaching one of these counts is an event ("vote threshold reached": the author
# is told, and webhooks subscribed to it are sent), once per idea and count.
IDEA_VOTE_THRESHOLDS = [int(value) for value in env_list("IDEA_VOTE_THRESHOLDS", "10,50,100")]

# Retention (privacy.tasks.apply_retention, daily): rows older than this many days are deleted;
# 0 keeps them for ever. Notifications whose email is still owed are kept until it is sent.
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 365)
OUTBOX_RETENTION_DAYS = env_int("OUTBOX_RETENTION_DAYS", 30)
# Finished webhook deliveries (delivered or failed for good) and their attempts.
WEBHOOK_DELIVERY_RETENTION_DAYS = env_int("WEBHOOK_DELIVERY_RETENTION_DAYS", 90)

# /healthz (health/checks.py): a worker or beat not seen for this long, or an outbox event waiting
# this long, is reported as degraded.
HEALTH_HEARTBEAT_MAX_AGE_SECONDS = env_int("HEALTH_HEARTBEAT_MAX_AGE_SECONDS", 120)
HEALTH_OUTBOX_MAX_AGE_SECONDS = env_int("HEALTH_OUTBOX_MAX_AGE_SECONDS", 300)

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# django-allauth: sign in by email; verification is mandatory in production.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION") or ("optional" if DEBUG else "mandatory")
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Confirming the address signs the member in and returns them where they were going (a shared
# survey link, for example).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# In the language the email is written in (the recipient's: core.email, allauth inside the request).
ACCOUNT_EMAIL_SUBJECT_PREFIX = gettext_lazy("[Idea portal] ")
# How allauth names a member in its pages and messages ("Successfully signed in as …"): the name the
# portal shows everywhere, never the username (which is the email address).
ACCOUNT_USER_DISPLAY = "accounts.models.user_display"
# Single sign-on (allauth's socialaccount; accounts/sso_config.py lists the variables, README shows
# an example). Providers come from the environment here and/or from the admin's "Social
# applications". A first sign-in creates the member (auto sign-up, display name from the "name"
# claim); a member whose confirmed address the provider vouches for is connected, not duplicated.
# accounts.sso applies each provider's policy: staff only, allowed email domains, roles from a claim.
SOCIALACCOUNT_ADAPTER = "accounts.sso.PortalSocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# The provider's access and refresh tokens are not needed after the sign-in: not kept.
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"APPS": sso_config.oidc_apps(), "OAUTH_PKCE_ENABLED": True},
    "saml": {"APPS": sso_config.saml_apps()},
}

LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"

# Email: console by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
# How long a worker holds a notification email it claimed (longer than any one SMTP conversation):
# if it dies mid-send, the outbox drain sends the email again once this lease has run out.
NOTIFICATION_EMAIL_LEASE_SECONDS = env_int("NOTIFICATION_EMAIL_LEASE_SECONDS", 300)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "Idea portal <ideas@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The languages the portal speaks (docs/I18N.md says how to add one). A page is in the member's
# own choice (User.language), else the browser's Accept-Language, else LANGUAGE_CODE, the site
# default (SITE_LANGUAGE).
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français")]
LANGUAGE_CODE = env_str("SITE_LANGUAGE") or "en"
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise ImproperlyConfigured(f"SITE_LANGUAGE must be one of {', '.join(code for code, _ in LANGUAGES)}.")
# The portal's catalogues (locale/de, locale/fr), and its own wording of other apps' English texts
# (django-allauth's pages in sentence case: "Sign in").
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language switcher's cookie (accounts.views.language_choose) outlives the browser session.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("TIME_ZONE") or "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (survey CSVs waiting for the worker): a directory web and worker share.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Attachments (attachments/): pictures and documents on ideas and comments. Kept on the local disk
# (MEDIA_ROOT/attachments, never served at MEDIA_URL) by default, or in S3-compatible object storage
# (MinIO in docker-compose.yml) through django-storages when AWS_STORAGE_BUCKET_NAME is set (or
# ATTACHMENTS_STORAGE=s3). Objects are private; the portal streams every file through its own view
# after checking that the viewer may see the idea (no public or presigned URL is handed out).
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
ATTACHMENTS_STORAGE = env_str("ATTACHMENTS_STORAGE") or ("s3" if AWS_STORAGE_BUCKET_NAME else "local")
if ATTACHMENTS_STORAGE == "s3":
    if not AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured(
            "Set AWS_STORAGE_BUCKET_NAME: the bucket that keeps attachments (ATTACHMENTS_STORAGE=s3)."
        )
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # MinIO or another S3-compatible service; empty for Amazon S3 itself.
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            # The keys: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, read by boto3 from the environment.
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "location": "attachments",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or "path",
            "signature_version": "s3v4",
        },
    }
elif ATTACHMENTS_STORAGE == "local":
    STORAGES["attachments"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "attachments", "base_url": None},
    }
else:
    raise ImproperlyConfigured(f"ATTACHMENTS_STORAGE must be local or s3, not {ATTACHMENTS_STORAGE!r}.")
# Limits: a file; an idea's own files (count and bytes); a comment's files. A picture is kept at most
# ATTACHMENT_IMAGE_MAX_SIDE pixels on its longer side; one of more than ATTACHMENT_IMAGE_MAX_PIXELS
# pixels is refused unopened (a decompression bomb). Thumbnails are made by the worker.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENTS_PER_IDEA = env_int("ATTACHMENTS_PER_IDEA", 10)
ATTACHMENTS_IDEA_MAX_BYTES = env_int("ATTACHMENTS_IDEA_MAX_BYTES", 25 * 1024 * 1024)
ATTACHMENTS_PER_COMMENT = env_int("ATTACHMENTS_PER_COMMENT", 3)
ATTACHMENT_IMAGE_MAX_SIDE = env_int("ATTACHMENT_IMAGE_MAX_SIDE", 2560)
ATTACHMENT_IMAGE_MAX_PIXELS = env_int("ATTACHMENT_IMAGE_MAX_PIXELS", 50_000_000)
ATTACHMENT_THUMBNAIL_SIDE = env_int("ATTACHMENT_THUMBNAIL_SIDE", 480)

# Security: strict in production; SECURE_SSL_REDIRECT=0 for a plain-http local stack.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp), in every mode so the tests and the browser tests see what
# production sends: scripts, styles, images and connections from the portal itself only; no inline
# script, no inline style (htmx's indicator style is turned off in base.html's htmx-config meta),
# no plugin, no framing, forms post only to the portal. CSP_REPORT_ONLY=1 sends it as
# Content-Security-Policy-Report-Only instead (to try a change on a live site first).
_CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
if env_bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_DIRECTIVES}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}
# Permissions-Policy (core.security): browser features no page uses, off for every page.
PERMISSIONS_POLICY_DISABLED = [
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "usb",
]

# How long an email's unsubscribe link works (notifications.tokens): long enough for an old
# email, short enough that a leaked link ends.
UNSUBSCRIBE_LINK_DAYS = env_int("UNSUBSCRIBE_LINK_DAYS", 60)

# The product's own settings.
# The portal's public address (scheme, host and port, no path): every link that leaves a page —
# emails, unsubscribe links, webhook payloads, a member's data download — is built from it, never from
# a request, because most of them are made by a Celery worker that has no request. In production it
# is required: behind a proxy or a load balancer only the deployer knows the scheme, the host and the
# port members use, and a guessed one would send every email link to the wrong place. In development
# it defaults to the address ``./dev.sh demo`` serves (the ``demo`` command sets it from --addrport).
DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"


if DEBUG:
    SITE_URL = env_str("SITE_URL") or DEVELOPMENT_SITE_URL
else:
    SITE_URL = env_required("SITE_URL", "the address members reach the portal at, e.g. https://ideas.example.com")
if refusal := site_url_refusal(SITE_URL, ALLOWED_HOSTS):
    raise ImproperlyConfigured(f"SITE_URL {SITE_URL!r} cannot be the portal's address: {refusal}.")
SITE_URL = SITE_URL.rstrip("/")
IDEAS_PER_PAGE = env_int("IDEAS_PER_PAGE", 20)
# A score from fewer respondents than this is flagged as uncertain wherever it is shown.
SCORING_MIN_RESPONDENTS = env_int("SCORING_MIN_RESPONDENTS", 30)
# New ratings trigger one recompute this many seconds later, however many arrive meanwhile.
SCORING_DEBOUNCE_SECONDS = env_int("SCORING_DEBOUNCE_SECONDS", 10)
# Votes on an idea trigger one refresh of its ranking values this many seconds later.
RANKING_DEBOUNCE_SECONDS = env_int("RANKING_DEBOUNCE_SECONDS", 5)
# A survey CSV larger than this is stored and imported by a worker, with a page that shows its
# progress; a smaller one is imported in the request.
RATINGS_IMPORT_BACKGROUND_BYTES = env_int("RATINGS_IMPORT_BACKGROUND_BYTES", 5 * 1024 * 1024)
# A request body larger than this is refused with a clear message before it is read (413).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 100 * 1024 * 1024)
# The longest a public page is kept for visitors who are not signed in (core.pagecache: any
# committed change to what it shows replaces it at once); 0 turns the page cache off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)

# The REST API (api/, docs/API.md): personal access tokens or the browser's session, cursor pages,
# one error shape, throttles per token kept in the cache (which fails open: Redis down, no limit).
API_TOKEN_PREFIX = "ipat_"
# A token's "last used" is written at most this often (not on every request).
API_TOKEN_LAST_USED_EVERY_SECONDS = env_int("API_TOKEN_LAST_USED_EVERY_SECONDS", 60)
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 20)
API_PAGE_SIZE_MAX = env_int("API_PAGE_SIZE_MAX", 100)
# Requests per token (a session: per member; no credentials: per address), in DRF's "N/period" form.
API_THROTTLE_RATES = {
    "anonymous": env_str("API_THROTTLE_ANONYMOUS") or "60/min",
    "read": env_str("API_THROTTLE_READ") or "300/min",
    "write": env_str("API_THROTTLE_WRITE") or "60/min",
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Idea portal API",
    "DESCRIPTION": "Version 1 of the idea portal's REST API. Conventions (tokens, scopes, cursor pages, "
    "errors, throttling): docs/API.md in the repository.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"IdeaStatusEnum": "ideas.models.Status.choices"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
