"""Settings, read from the environment once, here and nowhere else.

Every variable has a default that runs on a laptop with nothing installed: SQLite and
private files under ``var/``, a file-system Celery broker that needs no server, and email
printed to the console. Production sets ``DEBUG=0`` and the variables listed in
docs/configuration.md; with ``DEBUG`` off, ``SECRET_KEY`` and ``ALLOWED_HOSTS`` are required.
"""

from __future__ import annotations

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # a missing .env is fine: the defaults apply

DEBUG = env.bool("DEBUG", default=True)
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))


def _required_in_production(name: str, default: str) -> str:
    """Return the variable, or its development default; refuse to start without it in production."""
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return default
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off (see docs/configuration.md).")


SECRET_KEY = _required_in_production("SECRET_KEY", "django-insecure-local-development-only")
ALLOWED_HOSTS = [
    host.strip()
    for host in _required_in_production("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_ratelimit",
    "template_partials",
    "allauth",
    "allauth.account",
    "ninja",  # the API's docs page, served from ninja's own static files (no CDN)
    "cto.core",
    "cto.brand",
    "cto.users",
    "cto.engagements",
    "cto.intake",
    "cto.audits",
    "cto.aiplan",
    "cto.receipts",
    "cto.checklists",
    "cto.pricing",
    "cto.reports",
    "cto.ops",
    "cto.playbooks",
    "cto.demo",
    "cto.api",
    "cto.webhooks",
    "cto.mcp",  # the MCP server at /mcp/ (django-mcpz's view; no models, no app of its own)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cto.core.middleware.SlidingSessionExpiry",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "cto.urls"
WSGI_APPLICATION = "cto.wsgi.application"
ASGI_APPLICATION = "cto.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cto.core.context_processors.csp",
                "cto.brand.context_processors.brand",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------------
# An empty DATABASE_URL (a blank line in .env) means the default, as an unset one does.
_database_url = env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(_database_url)}
if "ENGINE" not in DATABASES["default"]:
    raise ImproperlyConfigured(
        "DATABASE_URL is not a database URL: expected postgres://user:password@host:5432/name "
        "(see docs/configuration.md)."
    )
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default must work on a fresh clone, before anything has made var/.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The web server and the worker write to one file: write-ahead logging lets readers
    # through, IMMEDIATE transactions take the write lock up front (no deadlock on upgrade),
    # and a writer waits for the lock rather than failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # A server that takes the connection but never answers (stuck, or a network dropping
    # packets) would hold the request until gunicorn kills the worker: give up after a few
    # seconds and answer the 503 page. A connect_timeout in DATABASE_URL's query string wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        # Parameters bound by the server, and a statement run a few times on a connection kept
        # prepared there: PostgreSQL plans it once instead of on every run, which halves the
        # cost of a short query (planning took longer than running it). Turn it off behind a
        # connection pooler that cannot keep prepared statements (PgBouncer in transaction
        # mode before 1.21, or without max_prepared_statements).
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services open their own transactions
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (allauth's rate limits live here: share it between processes in production) ---
# The site keeps working while Redis is away: an unreachable server reads as an empty cache
# (django-redis's IGNORE_EXCEPTIONS, see cto/core/cache.py), and a server that does not answer
# is given up after a second rather than holding the request.
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {
            "BACKEND": "cto.core.cache.OutageTolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True  # each cache call lost to an outage is logged

# Public forms are rate-limited per client address in this cache (django-ratelimit). Its
# checks want a cache shared by every process: in production that is REDIS_URL, so a missing
# one fails `check`. Django's own Redis backend increments atomically, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if DEBUG and not REDIS_URL:
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")  # one process on a laptop


def _client_address_meta_key(value: str) -> str:
    """``REMOTE_ADDR`` or a request header as Django names it (``HTTP_X_REAL_IP``): a typo
    stops the start with a message instead of leaving every visitor one shared limit."""
    if value == "REMOTE_ADDR" or (value.startswith("HTTP_") and value == value.upper()):
        return value
    header = "HTTP_" + value.upper().replace("-", "_").removeprefix("HTTP_")
    raise ImproperlyConfigured(
        f"RATELIMIT_IP_META_KEY={value!r} is not REMOTE_ADDR or a header as Django names it: "
        f"for that header write {header} (see docs/deployment.md)."
    )


# Where the client's address is read (cto/core/client_address.py), for every per-address
# limit: the intake's (django-ratelimit calls the function named in its RATELIMIT_IP_META_KEY)
# and allauth's sign-in and code limits (AccountAdapter.get_client_ip), so that one variable
# configures both. allauth's own ALLAUTH_TRUSTED_PROXY_COUNT / ALLAUTH_TRUSTED_CLIENT_IP_HEADER
# are left unset: the adapter answers for it.
CLIENT_ADDRESS_META_KEY = _client_address_meta_key(
    env.str("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")
)
RATELIMIT_IP_META_KEY = "cto.core.client_address.client_address"
INTAKE_START_RATE = env.str("INTAKE_START_RATE", default="30/h")
INTAKE_SUBMIT_RATE = env.str("INTAKE_SUBMIT_RATE", default="10/h")
INTAKE_EMAIL_RATE = env.str("INTAKE_EMAIL_RATE", default="10/h")
INTAKE_CALL_RATE = env.str("INTAKE_CALL_RATE", default="20/h")
# What the intake's thanks page promises and offers (cto/intake/first_call.py, checked when
# the app starts): a reply within INTAKE_REPLY_WORKING_DAYS working days, and a first call at
# one of INTAKE_CALL_HOURS on each of the next INTAKE_CALL_DAYS working days, in the practice's
# time zone, INTAKE_CALL_MINUTES long. The brand's booking link, when set, is offered beside it.
INTAKE_TIME_ZONE = env.str("INTAKE_TIME_ZONE", default="Europe/London")
INTAKE_WORKING_DAYS = env.list("INTAKE_WORKING_DAYS", default=["mon", "tue", "wed", "thu", "fri"])
INTAKE_REPLY_WORKING_DAYS = env.int("INTAKE_REPLY_WORKING_DAYS", default=2)
INTAKE_CALL_HOURS = env.list("INTAKE_CALL_HOURS", default=["10:00", "14:00"])
INTAKE_CALL_DAYS = env.int("INTAKE_CALL_DAYS", default=3)
INTAKE_CALL_MINUTES = env.int("INTAKE_CALL_MINUTES", default=30)
# With the cache unreachable there is no count, and the limits are open: a lead or a sign-in
# is worth more than the minutes of an outage without a limit, and failing closed would answer
# every visitor and every client with 429. allauth's sign-in limits open the same way (see
# cto/core/cache.py); each outage is logged.
RATELIMIT_FAIL_OPEN = True

# Sessions are read from the cache and written through to the database: a request costs no
# session query once the cache holds it.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "engagements:portal_home"
ACCOUNT_ADAPTER = "cto.users.adapters.AccountAdapter"
ACCOUNT_ALLOW_SIGNUP = env.bool("ACCOUNT_ALLOW_SIGNUP", default=False)
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, restated so that they are visible and reviewed here.
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "request_login_code": "20/m/ip,3/m/key",
    "reset_password": "20/m/ip,5/m/key",
}
# Unset, allauth's subjects start with the practice's name in brackets, as ours do (the
# account adapter reads the brand); a value here replaces that prefix.
ACCOUNT_EMAIL_SUBJECT_PREFIX = env.str("ACCOUNT_EMAIL_SUBJECT_PREFIX", default=None)
ACCOUNT_SESSION_REMEMBER = False
# How many days a team invitation link works.
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)

# --- API (/api/v1/) and personal access tokens (cto/api/, docs/api.md) ------------------------
# How long a new token lasts by default, and at most (the page offers choices up to that).
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=366)
# A token's "last used" moves at most this often: one write a minute, not one per request.
API_TOKEN_TOUCH_SECONDS = env.int("API_TOKEN_TOUCH_SECONDS", default=60)
# Requests per token (django-ratelimit, counted in the shared cache as the pages' limits are);
# past it the API answers 429 with Retry-After.
API_RATE = env.str("API_RATE", default="600/m")
# Lists page with limit and offset: the default and the largest page.
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=20)
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=100)

# --- The practice's brand ---------------------------------------------------------------------
# Who the practice is, on every page, email and report. These are the defaults: an operator
# edits the brand in the admin (Practice brand), and that row wins (cto/brand/). Colours are
# hex; BRAND_ADDRESS takes "\n" between lines.
BRAND_NAME = env.str("BRAND_NAME", default="cto")
BRAND_TAGLINE = env.str("BRAND_TAGLINE", default="")
BRAND_PRIMARY_COLOR = env.str("BRAND_PRIMARY_COLOR", default="#143d6e")
BRAND_ACCENT_COLOR = env.str("BRAND_ACCENT_COLOR", default="#f2a541")
BRAND_ADDRESS = env.str("BRAND_ADDRESS", default="")
BRAND_EMAIL = env.str("BRAND_EMAIL", default="")
BRAND_PHONE = env.str("BRAND_PHONE", default="")
BRAND_WEBSITE = env.str("BRAND_WEBSITE", default="")
# Where a prospect books a first call (a scheduling page), offered on the intake's thanks page.
BRAND_BOOKING_URL = env.str("BRAND_BOOKING_URL", default="")

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and private files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
PRIVATE_ROOT = Path(env.str("PRIVATE_ROOT", default=str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Reports and evidence: never under a public URL, streamed through views that check access.
    "private": {
        "BACKEND": "cto.core.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email -----------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = "/" + _email["EMAIL_FILE_PATH"] if _email.get("EMAIL_FILE_PATH") else None
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{BRAND_NAME} <hello@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
OPERATOR_NOTIFICATION_EMAIL = env.str("OPERATOR_NOTIFICATION_EMAIL", default="")

# --- Celery ---------------------------------------------------------------------------------
# The default broker keeps messages in files under var/: a real worker process consumes them,
# with no server to install. Production points CELERY_BROKER_URL at Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
EMBEDDED_BROKER_DIR = VAR_DIR / "celery-broker"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = (
    {
        "data_folder_in": str(EMBEDDED_BROKER_DIR / "messages"),
        "data_folder_out": str(EMBEDDED_BROKER_DIR / "messages"),
        "control_folder": str(EMBEDDED_BROKER_DIR / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {
        # Unacked messages come back after this long if a worker vanished without a word.
        # Longer than any task may run (the reports' hard limit below), so a slow render is
        # never handed to a second worker while the first still works on it.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        "global_keyprefix": env.str("CELERY_KEY_PREFIX", default=""),
    }
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_ACKS_ON_FAILURE_OR_TIMEOUT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=200)
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
# PDF rendering has a queue of its own, so a burst of reports never delays the emails; run a
# worker with `-Q reports` (see docs/deployment.md) to give it its own processes.
CELERY_TASK_ROUTES = {"cto.reports.tasks.*": {"queue": "reports"}}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request publishes after its commit (cto/core/queue.py): with the broker away, it gives up
# within a second, with a log line, instead of retrying for seconds while the visitor waits.
# Two attempts still ride over a pooled connection that a restarted Redis dropped.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BEAT_SCHEDULE = {
    # Each morning, owners hear of their overdue items and those due tomorrow.
    "checklist-reminders": {
        "task": "cto.checklists.tasks.send_checklist_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Reports whose worker died or whose message was lost (a broker outage) are queued again.
    "reports-sweep": {
        "task": "cto.reports.tasks.sweep_stuck_reports",
        "schedule": float(env.int("REPORT_SWEEP_SECONDS", default=300)),
    },
    # Emails whose message was lost (the broker was away when they were asked for) are sent
    # after all: each is stamped when sent, so a sweep never sends one twice.
    **{
        f"lost-emails-{name}": {
            "task": task,
            "schedule": float(env.int("NOTIFICATION_SWEEP_SECONDS", default=300)),
        }
        for name, task in [
            ("leads", "cto.intake.tasks.sweep_lost_intake_emails"),
            ("events", "cto.engagements.tasks.sweep_lost_event_emails"),
            ("invitations", "cto.users.tasks.sweep_lost_invitations"),
        ]
    },
}
# An email not sent this long after it was asked for is taken as lost and sent by the sweep;
# one older than the give-up age is left unsent (stale news).
NOTIFICATION_LATE_AFTER_SECONDS = env.int("NOTIFICATION_LATE_AFTER_SECONDS", default=300)
NOTIFICATION_GIVE_UP_AFTER_HOURS = env.int("NOTIFICATION_GIVE_UP_AFTER_HOURS", default=24)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Webhooks (cto/webhooks/, docs/api.md) ----------------------------------------------------
# Signed deliveries of the timeline's events (Standard Webhooks). A failed delivery is tried
# again after WEBHOOK_RETRY_BASE_SECONDS, doubling up to WEBHOOK_RETRY_MAX_SECONDS between
# attempts, until WEBHOOK_RETRY_WINDOW_SECONDS after its first attempt; then it is failed. The
# sweep (every WEBHOOK_SWEEP_SECONDS) sends what is due, so no retry waits on a worker's memory.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
WEBHOOK_RETRY_MAX_SECONDS = env.float("WEBHOOK_RETRY_MAX_SECONDS", default=2 * 3600.0)
WEBHOOK_RETRY_WINDOW_SECONDS = env.float("WEBHOOK_RETRY_WINDOW_SECONDS", default=24 * 3600.0)
WEBHOOK_SWEEP_SECONDS = env.float("WEBHOOK_SWEEP_SECONDS", default=60.0)
# An endpoint whose every delivery has failed this long is turned off, and its owners emailed.
WEBHOOK_DISABLE_AFTER_DAYS = env.int("WEBHOOK_DISABLE_AFTER_DAYS", default=3)
# For development and tests only: http:// URLs, and the networks (CIDR) a receiver may be in
# although they are not public ("127.0.0.1/32" for a local receiver). Off and empty by default:
# webhooks go only to https URLs on public addresses (the SSRF guard, cto/webhooks/addresses.py).
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])
CELERY_BEAT_SCHEDULE["webhooks-sweep"] = {
    "task": "cto.webhooks.tasks.sweep_webhooks",
    "schedule": WEBHOOK_SWEEP_SECONDS,
}

# --- Reports ----------------------------------------------------------------------------------
# The budget of one rendering: past the soft limit it ends `failed` with a message; the hard
# limit (30 s later) kills a process that did not stop. Content beyond the size or page budget is
# refused before WeasyPrint spends time on it.
REPORT_RENDER_SECONDS = env.int("REPORT_RENDER_SECONDS", default=90)
REPORT_MAX_HTML_BYTES = env.int("REPORT_MAX_HTML_BYTES", default=4 * 1024 * 1024)
REPORT_MAX_PAGES = env.int("REPORT_MAX_PAGES", default=300)
# A report still queued or rendering this long after its last change lost its worker or its
# message: the sweeper queues it again (rendering can never legitimately last this long).
REPORT_STUCK_AFTER_SECONDS = env.int("REPORT_STUCK_AFTER_SECONDS", default=600)

# The days a checklist item may fall due on: an applied item due on another day moves to the
# next of these (cto.checklists.definition.working_due_day).
CHECKLIST_WORKING_DAYS = env.list(
    "CHECKLIST_WORKING_DAYS", default=["mon", "tue", "wed", "thu", "fri"]
)

# Evidence uploads: the largest file accepted.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
# Office files (docx, xlsx, pptx) are ZIP archives: the most they may inflate to, in bytes and
# as a multiple of their size, and the most parts they may hold (cto.checklists.uploads.office).
EVIDENCE_MAX_INFLATED_BYTES = env.int("EVIDENCE_MAX_INFLATED_BYTES", default=200 * 1024 * 1024)
EVIDENCE_MAX_INFLATE_RATIO = env.int("EVIDENCE_MAX_INFLATE_RATIO", default=100)
EVIDENCE_MAX_ARCHIVE_MEMBERS = env.int("EVIDENCE_MAX_ARCHIVE_MEMBERS", default=2000)
# Receipts (eval results and traces, cto.receipts): the largest file read, and the seconds an
# adapter may spend reading one (past either, the file is refused and nothing is kept).
RECEIPT_MAX_BYTES = env.int("RECEIPT_MAX_BYTES", default=20 * 1024 * 1024)
RECEIPT_PARSE_SECONDS = env.float("RECEIPT_PARSE_SECONDS", default=10.0)
# A file is dropped as soon as it passes the larger of EVIDENCE_MAX_BYTES and RECEIPT_MAX_BYTES
# (each form still checks its own), before Django's own handlers write
# the rest of it to disk (cto.core.uploads).
FILE_UPLOAD_HANDLERS = [
    "cto.core.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Security ---------------------------------------------------------------------------------
# Content Security Policy: our own files only, inline code only with the request's nonce,
# no 'unsafe-inline' or 'unsafe-eval', the admin included: Django's admin (5.2) ships no inline
# script or style in the pages it serves here (tests/core/test_security.py reads every admin page,
# tests/e2e/test_admin.py drives its widgets in Chromium), and it shows text that prospects and
# clients wrote.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# An idle timeout: a session ends this long after its last use (SlidingSessionExpiry moves the
# expiry forward at most every SESSION_TOUCH_SECONDS, instead of a write per request); allauth's
# "remember me" is off (ACCOUNT_SESSION_REMEMBER).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_TOUCH_SECONDS = env.int("SESSION_TOUCH_SECONDS", default=300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

ADMINS = [("Operators", email) for email in env.list("ADMIN_EMAILS", default=[])]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint narrates every rendering step at INFO; its warnings still show.
    "loggers": {"weasyprint": {"level": "WARNING"}},
}
