"""Django settings for cxcenter, read from the environment (12-factor).

With nothing set, cxcenter runs on the embedded default: a SQLite file and a
server-less Celery broker under ``var/``. A malformed value stops start-up with
one line naming the variable.
"""

import contextlib
import os
import sys
from email.utils import formataddr, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CXCENTER_VAR_DIR", BASE_DIR / "var"))


class ConfigError(SystemExit):
    """Raised for a malformed environment variable; prints one line and exits."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"cxcenter: environment variable {name} {problem}")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(name, f"must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(name, f"must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_rate(name: str, default: str) -> str:
    """A rate in DRF's notation, such as ``20/minute`` (per second, minute, hour or day)."""
    raw = os.environ.get(name) or default
    count, _slash, period = raw.partition("/")
    if not (count.isdigit() and period[:1] in {"s", "m", "h", "d"}):
        raise ConfigError(name, f"must be a rate such as 20/minute, not {raw!r}")
    return raw


def env_url(name: str, default: str, schemes: set[str]) -> str:
    raw = os.environ.get(name) or default
    scheme = urlsplit(raw).scheme.split("+")[0]
    if scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ConfigError(name, f"must be a URL with one of the schemes {allowed}, not {raw!r}")
    return raw


TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ConfigError("SECRET_KEY", "is required when DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "anymail",
    "axes",
    "accounts",
    "contacts",
    "journeys",
    "feedback",
    # Above every app: the project's commands (demo) and the load tests (seed, bench).
    "cxcenter",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cxcenter.errors.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cxcenter.urls"
WSGI_APPLICATION = "cxcenter.wsgi.application"
ASGI_APPLICATION = "cxcenter.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'cxcenter.sqlite3'}",
    {"sqlite", "postgres", "postgresql", "pgsql"},
)
try:
    _db = dj_database_url.parse(DATABASE_URL)
except ValueError as exc:
    raise ConfigError("DATABASE_URL", f"cannot be read: {exc}") from None
if _db["ENGINE"] == "django.db.backends.postgresql":
    # Django's own psycopg pool: persistent connections must stay off with it.
    _db["CONN_MAX_AGE"] = 0
    # When the server is away, fail within seconds (503) instead of holding a worker.
    _db.setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 3)
    # Parameters bound by the server instead of quoted into the SQL by psycopg, so that a
    # statement run often is prepared once per connection (psycopg's prepare threshold).
    _db["OPTIONS"]["server_side_binding"] = env_bool("DATABASE_SERVER_SIDE_BINDING", False)
    _db["OPTIONS"]["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN", 2),
        "max_size": env_int("DATABASE_POOL_MAX", 10),
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 5),
    }
else:
    # WAL lets the web process, worker and beat share the file without locking each other out.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Permissions and roles from the cache (accounts.access); ModelBackend stays for the
    # sessions that name it, and shares the per-request permission cache.
    "accounts.access.CachedModelBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Argon2 (memory-hard, and about a sixth of PBKDF2's CPU time per sign-in at Django's
# defaults, so that fifty agents signing in at once do not queue behind each other); hashes
# made with PBKDF2 before keep working and are rehashed at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Tests hash many passwords; the production hasher's work factor is what makes it slow.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Trusted reverse proxies in front of the app; each appends to X-Forwarded-For. The
# client address (for lockouts, throttles and rate limits) is decided from this alone.
PROXY_COUNT = env_int("PROXY_COUNT", 0)
# Wrong passwords per client address, on top of the per-account lockout below.
LOGIN_FAILURE_RATE = env_rate("LOGIN_FAILURE_RATE", "20/minute")
# Password hashes computed at once per process; a sign-in waits this long for a slot.
PASSWORD_CHECKS_CONCURRENT = env_int("PASSWORD_CHECKS_CONCURRENT", 1)
PASSWORD_CHECK_WAIT_SECONDS = env_int("PASSWORD_CHECK_WAIT_SECONDS", 5)
# Lock an account (user name + address) for a while after five wrong passwords.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.clientip.client_address"
AXES_VERBOSE = False

# --- Internationalisation ---------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
# WhiteNoise serves from STATIC_ROOT and warns on every request while it does not exist
# (before the first collectstatic, and always in development and tests).
# On a read-only image collectstatic made it at build time (or WhiteNoise says it did not).
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Security -------------------------------------------------------------------
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# Sessions are read from the cache (and written through to the database): a request costs
# no session query, which is what lets an idle poll answer with one query (the user's).
# Without a shared cache (REDIS_URL) in production they are read from the database (below).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not (DEBUG or TESTING):
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
# The batch intake endpoints (up to 1,000 items) read their own body up to this size.
CXCENTER_BATCH_MAX_BYTES = env_int("CXCENTER_BATCH_MAX_BYTES", 10 * 1024 * 1024)

# --- E-mail -----------------------------------------------------------------------
# EMAIL_URL: smtp://user:password@host:587?tls=1 (or ?ssl=1), console://, or locmem://.
# Without it: the console in development, an SMTP server on localhost:25 in production.
MAILER_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}


def mailer_from_url(name: str, default: str) -> dict:
    raw = env_url(name, default, set(MAILER_BACKENDS))
    url = urlsplit(raw)
    config: dict = {"BACKEND": MAILER_BACKENDS[url.scheme]}
    if url.scheme == "smtp":
        query = dict(part.split("=", 1) for part in url.query.split("&") if "=" in part)
        try:
            port = url.port or 25
        except ValueError:
            raise ConfigError(name, "has a port that is not a number") from None
        config["OPTIONS"] = {
            "host": url.hostname or "localhost",
            "port": port,
            "username": unquote(url.username or ""),
            "password": unquote(url.password or ""),
            "use_tls": query.get("tls") == "1",
            "use_ssl": query.get("ssl") == "1",
            "timeout": 10,
        }
        if config["OPTIONS"]["use_tls"] and config["OPTIONS"]["use_ssl"]:
            raise ConfigError(name, "cannot ask for both tls=1 and ssl=1")
    return config


MAILERS = {
    "default": mailer_from_url("EMAIL_URL", "console://" if DEBUG else "smtp://localhost:25")
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "cxcenter <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Inbound mail webhooks (django-anymail, under /anymail/): every ANYMAIL_<NAME> variable is
# anymail's <NAME> setting, e.g. ANYMAIL_WEBHOOK_SECRET=user:password (basic auth the
# provider sends), ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY, ANYMAIL_POSTMARK_SERVER_TOKEN.
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_") and value
}

# --- REST API -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["cxcenter.parsers.GuardedJSONParser"],
    "EXCEPTION_HANDLER": "cxcenter.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "cxcenter.schema.ProjectAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.authentication.TokenRateThrottle",
        "accounts.authentication.AddressRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_rate("API_RATE", "1200/minute"),
        "anon": env_rate("API_ANON_RATE", "60/minute"),
    },
    "UNAUTHENTICATED_USER": None,
}
# Wrong API tokens per client address before it gets 429.
API_TOKEN_FAILURE_RATE = env_rate("API_TOKEN_FAILURE_RATE", "20/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "cxcenter API",
    "DESCRIPTION": "Integration contract v1: contact moments, customers, orders, tasks, "
    "campaigns and feedback.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cxcenter.schema.postprocess_constraints",
    ],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from our own static files (no CDN), its script loaded separately (CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# --- Caches -------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# Parallel tests (pytest-xdist): worker gwN uses the Redis database N above the configured
# one, as it has its own test database, so one worker's cache.clear() leaves the others be.
TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and TEST_WORKER.removeprefix("gw").isdigit():
    _redis = urlsplit(REDIS_URL)
    _redis_db = int(_redis.path.strip("/") or 0) + int(TEST_WORKER.removeprefix("gw"))
    REDIS_URL = _redis._replace(path=f"/{_redis_db}").geturl()
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "cxcenter.cache.PooledClientRedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if not (DEBUG or TESTING):
        # A cache per process would keep a signed-out session alive in the other processes.
        SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Celery -------------------------------------------------------------------------
CELERY_BROKER_URL = env_url(
    "CELERY_BROKER_URL", "filesystem://", {"filesystem", "redis", "rediss", "amqp", "memory"}
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "broker"
    for sub in ("queue", "processed", "control"):
        (_queue_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        # Exchange tables (kombu's default is ./control, next to the code).
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# Crashed work resumes: a task is acknowledged when it finishes, and a worker that dies
# mid-task (killed, out of memory) hands it back instead of dropping it. Every task is
# idempotent except the notification e-mail, which acknowledges on receipt (at most once:
# the notification itself is in the inbox already).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis gives an unacknowledged message to another worker after the visibility timeout.
# It must outlast the longest task, or a running task is started a second time: no task
# may run longer than the hard time limit, five minutes short of the timeout.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 30 * 60)
CELERY_TASK_TIME_LIMIT = CELERY_VISIBILITY_TIMEOUT - 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
if CELERY_BROKER_URL.startswith(("redis", "rediss")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
if CELERY_VISIBILITY_TIMEOUT < 10 * 60:
    raise ConfigError("CELERY_VISIBILITY_TIMEOUT", "must be at least 600 seconds")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "purge-read-notifications": {
        "task": "accounts.tasks.purge_read_notifications",
        "schedule": 24 * 60 * 60,
    },
    "contacts-imports-sweep": {"task": "contacts.tasks.imports_sweep", "schedule": 60},
    "find-duplicate-customers": {
        "task": "contacts.tasks.find_duplicates",
        "schedule": 24 * 60 * 60,
        "kwargs": {"days": 2},
    },
    # Idempotent: running any of these twice changes nothing the second time.
    "contacts-mailboxes-fetch": {"task": "contacts.tasks.mailboxes_fetch", "schedule": 60},
    "journeys-sla-escalate": {"task": "journeys.sla_escalate", "schedule": 60},
    "journeys-campaign-warnings": {"task": "journeys.campaign_warnings", "schedule": 15 * 60},
    "journeys-landing-checks": {"task": "journeys.landing_checks", "schedule": 60 * 60},
    "journeys-campaign-sending": {"task": "journeys.campaign_sending", "schedule": 60},
    "feedback-invitations-due": {"task": "feedback.invitations_send_due", "schedule": 5 * 60},
    "feedback-rollup": {"task": "feedback.rollup_refresh", "schedule": 15 * 60},
    "feedback-outcome-rollup": {"task": "feedback.outcome_rollup_refresh", "schedule": 15 * 60},
    "contacts-outbound-sweep": {"task": "contacts.outbound_sweep", "schedule": 5 * 60},
}

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Absolute address of this site, for links in e-mails.
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", {"http", "https"}).rstrip("/")

# --- Product settings -----------------------------------------------------------------
# A profile fact older than this is shown as stale: ask the customer to confirm it.
PROFILE_FACT_STALE_DAYS = env_int("PROFILE_FACT_STALE_DAYS", 365)

# Cases: give each newly routed case to the agent on duty with the fewest open cases.
CXCENTER_CASE_AUTO_ASSIGN = env_bool("CXCENTER_CASE_AUTO_ASSIGN", False)
# --- Channels out (see contacts/channels.py) ------------------------------------------
# The address cxcenter sends e-mail from and that replies come back to (signed reply
# addresses are made from it: support+c12.<signature>@example.com).
CXCENTER_MAIL_ADDRESS = env_str("CXCENTER_MAIL_ADDRESS") or parseaddr(DEFAULT_FROM_EMAIL)[1]
CXCENTER_MAIL_FROM = formataddr(
    (parseaddr(DEFAULT_FROM_EMAIL)[0] or "cxcenter", CXCENTER_MAIL_ADDRESS)
)
# WhatsApp Business Cloud API: the access token, the sender's phone number id, the app
# secret that signs webhooks, and the token of the webhook verification handshake.
WHATSAPP_API_BASE = env_url(
    "WHATSAPP_API_BASE", "https://graph.facebook.com", {"http", "https"}
).rstrip("/")
WHATSAPP_API_VERSION = env_str("WHATSAPP_API_VERSION", "v21.0")
WHATSAPP_TOKEN = env_str("WHATSAPP_TOKEN")
WHATSAPP_PHONE_NUMBER_ID = env_str("WHATSAPP_PHONE_NUMBER_ID")
WHATSAPP_APP_SECRET = env_str("WHATSAPP_APP_SECRET")
WHATSAPP_VERIFY_TOKEN = env_str("WHATSAPP_VERIFY_TOKEN")
# SMS through Twilio (or an API that speaks Twilio's Messages resource): the account, its
# auth token (also signs webhooks), and a sender number or a messaging service.
TWILIO_API_BASE = env_url("TWILIO_API_BASE", "https://api.twilio.com", {"http", "https"}).rstrip(
    "/"
)
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_FROM = env_str("TWILIO_FROM")
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID")
# django-anymail: an ESP's tracking webhooks under /anymail/<esp>/tracking/ sign in with
# HTTP basic auth "user:password" (ANYMAIL_WEBHOOK_SECRET); opened/delivered/bounced events
# update the delivery status of the e-mail they are about.
ANYMAIL = {"WEBHOOK_SECRET": env_str("ANYMAIL_WEBHOOK_SECRET")}
# Provider webhooks (/webhooks/…): larger bodies are refused with 413.
CXCENTER_WEBHOOK_MAX_BYTES = env_int("CXCENTER_WEBHOOK_MAX_BYTES", 256 * 1024)
# Seconds to wait for a provider's HTTP API before the send is retried later.
CXCENTER_PROVIDER_TIMEOUT = env_int("CXCENTER_PROVIDER_TIMEOUT", 10)
# A failing send is tried this many times in all, with exponential backoff between tries.
CXCENTER_SEND_ATTEMPTS = env_int("CXCENTER_SEND_ATTEMPTS", 5)
# Backends: a class with send(message) -> provider message id. SMS and WhatsApp go to the
# provider when its account is configured, otherwise they are written to the log.
CXCENTER_EMAIL_BACKEND = env_str("CXCENTER_EMAIL_BACKEND", "contacts.backends.email.EmailBackend")
CXCENTER_SMS_BACKEND = env_str(
    "CXCENTER_SMS_BACKEND",
    "contacts.backends.twilio.TwilioBackend"
    if TWILIO_ACCOUNT_SID
    else "contacts.backends.LoggingMessageBackend",
)

# The organisation customers know, on the public survey pages: its name and logo, either an
# https:// address (allowed by the CSP's img-src) or a path under the static files.
CXCENTER_ORGANISATION_NAME = env_str("CXCENTER_ORGANISATION_NAME", "cxcenter").strip()
CXCENTER_ORGANISATION_LOGO_URL = env_str("CXCENTER_ORGANISATION_LOGO_URL", "").strip()
if CXCENTER_ORGANISATION_LOGO_URL.startswith("https://"):
    _logo = urlsplit(CXCENTER_ORGANISATION_LOGO_URL)
    SECURE_CSP["img-src"].append(f"{_logo.scheme}://{_logo.netloc}")
elif "://" in CXCENTER_ORGANISATION_LOGO_URL or CXCENTER_ORGANISATION_LOGO_URL.startswith("//"):
    raise ConfigError(
        "CXCENTER_ORGANISATION_LOGO_URL", "must be an https:// address or a static file path"
    )
# Customer imports: the largest file accepted, and how long a running import may go without
# a checkpoint (or a queued one without starting) before the sweeper marks it failed.
CXCENTER_IMPORT_MAX_MB = env_int("CXCENTER_IMPORT_MAX_MB", 50)
CXCENTER_IMPORT_STALE_SECONDS = env_int("CXCENTER_IMPORT_STALE_SECONDS", 5 * 60)
CXCENTER_IMPORT_QUEUED_SECONDS = env_int("CXCENTER_IMPORT_QUEUED_SECONDS", 60 * 60)
CXCENTER_WHATSAPP_BACKEND = env_str(
    "CXCENTER_WHATSAPP_BACKEND",
    "contacts.backends.whatsapp.WhatsAppBackend"
    if WHATSAPP_TOKEN
    else "contacts.backends.LoggingMessageBackend",
)

# Campaigns: warnings to contact-center leads ("10wd" = ten working days, "1d" = one day),
# the least notice without a lead's acknowledgement, the frequency cap of the suppression.
CAMPAIGN_WARNING_LEAD_TIMES = env_list("CAMPAIGN_WARNING_LEAD_TIMES", ["10wd", "3wd", "1d"])
CAMPAIGN_MIN_NOTICE_WORKING_DAYS = env_int("CAMPAIGN_MIN_NOTICE_WORKING_DAYS", 5)
CAMPAIGN_FREQUENCY_CAP_DAYS = env_int("CAMPAIGN_FREQUENCY_CAP_DAYS", 7)
CAMPAIGN_LANDING_TIMEOUT = env_int("CAMPAIGN_LANDING_TIMEOUT", 5)
# Sending: recipients per batch task, audience rows planned per run, and how many days after
# a campaign message a customer's message on the same channel counts as a reply to it.
CAMPAIGN_SEND_BATCH = env_int("CAMPAIGN_SEND_BATCH", 500)
CAMPAIGN_PLAN_BATCH = env_int("CAMPAIGN_PLAN_BATCH", 5000)
CAMPAIGN_REPLY_WINDOW_DAYS = env_int("CAMPAIGN_REPLY_WINDOW_DAYS", 14)
# Live segment counts stop here and show "more than", so they stay fast on big tables.
SEGMENT_COUNT_CAP = env_int("SEGMENT_COUNT_CAP", 10_000)

# E-mail in: the largest message and attachment taken in (bytes), the attachment types kept
# (others are recorded as refused, without the file), how many messages one IMAP fetch takes
# per mailbox, and for how many days a reply reopens a resolved case (later: a new case).
CXCENTER_MAIL_MAX_BYTES = env_int("CXCENTER_MAIL_MAX_BYTES", 25 * 1024 * 1024)
CXCENTER_MAIL_MAX_ATTACHMENT_BYTES = env_int("CXCENTER_MAIL_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
CXCENTER_MAIL_ATTACHMENT_TYPES = env_list(
    "CXCENTER_MAIL_ATTACHMENT_TYPES",
    [
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/heic",
        "text/plain",
        "text/csv",
        "text/calendar",
        "message/rfc822",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/zip",
    ],
)
CXCENTER_MAIL_FETCH_BATCH = env_int("CXCENTER_MAIL_FETCH_BATCH", 100)
CXCENTER_MAIL_FETCH_TIMEOUT = env_int("CXCENTER_MAIL_FETCH_TIMEOUT", 30)
CXCENTER_REOPEN_DAYS = env_int("CXCENTER_REOPEN_DAYS", 14)
# Key for secrets stored in the database (IMAP passwords); derived from SECRET_KEY when unset.
CXCENTER_FIELD_KEY = env_str("CXCENTER_FIELD_KEY")

# Public survey page: requests per client address per minute.
FEEDBACK_SURVEY_RATE_LIMIT = env_int("FEEDBACK_SURVEY_RATE_LIMIT", 30)
