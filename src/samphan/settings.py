"""Samphan settings, read from environment variables.

With nothing set, Samphan runs locally: SQLite in WAL mode at ``var/samphan.sqlite3``
and a secret key generated once into ``var/secret_key``. Production sets at least
``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and ``SAMPHAN_HTTPS=1``.
"""

import datetime as dt
import decimal
import importlib.metadata
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from pythonjsonlogger.core import RESERVED_ATTRS

from samphan.core.address import bind_from_environment
from samphan.core.environ import env_bool, env_list, env_str
from samphan.core.s3_settings import s3_storages

# Lets the generic classes of django-stubs take their type at run time too
# (`admin.ModelAdmin[Customer]`, `Paginator[Order]`): mypy --strict wants the argument.
django_stubs_ext.monkeypatch()

PROJECT_DIR = Path(__file__).resolve().parents[2]
PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("SAMPHAN_VAR_DIR", PROJECT_DIR / "var"))


def served_url() -> str:
    try:
        return bind_from_environment(os.environ).url
    except ValueError as error:
        raise ImproperlyConfigured(f"SAMPHAN_BIND, SAMPHAN_PORT or PORT: {error}") from error


def private_var_dir() -> None:
    """``var/`` (the database, the secret key, uploads) readable by this account only."""
    VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    if VAR_DIR.stat().st_mode & 0o077:
        VAR_DIR.chmod(0o700)


def private_database_file(path: Path) -> Path:
    """The SQLite file, created empty (a valid database) and 0600 before SQLite opens it:
    SQLite gives its -wal and -shm files the database file's mode. An older, wider file
    is narrowed."""
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(descriptor)
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists() and name.stat().st_mode & 0o077:
            name.chmod(0o600)
    return path


def local_secret_key() -> str:
    """A key generated once per checkout, so a laptop install needs no configuration."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        private_var_dir()
        descriptor = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as key_file:
            key_file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = env_bool("DEBUG")
HTTPS = env_bool("SAMPHAN_HTTPS")
SECRET_KEY = env_str("SECRET_KEY") or local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "samphan.core",
    "samphan.accounts",
    "samphan.customers",
    "samphan.sales",
    "samphan.analytics",
    "samphan.frontdesk",
    "samphan.messaging",
    "samphan.marketing",
    "samphan.loyalty",
    "samphan.privacy",
    "samphan.support",
    "samphan.demo",
    "samphan.exports",  # the full export: reads every app
    "samphan.home",  # the home page, uploaded files, `setup`: above every app
]

MIDDLEWARE = [
    "samphan.core.observe.RequestObserveMiddleware",  # first: the request id, timing
    # Then: a busy or unreachable database anywhere below answers 503, not 500.
    "samphan.core.busy.DatabaseTroubleMiddleware",
    "samphan.core.health.HealthMiddleware",  # /healthz, /readyz: before sessions and hosts
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "samphan.accounts.middleware.UserLanguageMiddleware",
    "samphan.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into our login page
]

ROOT_URLCONF = "samphan.urls"
WSGI_APPLICATION = "samphan.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Axes first: it refuses a locked account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "samphan.accounts.backends.ModelBackend",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "samphan.core.nav.nav",  # the menu's addresses, reversed once
            ],
            "builtins": ["samphan.core.templatetags.samphan"],
        },
    }
]


def database_settings() -> dict[str, Any]:
    url = env_str("DATABASE_URL")
    if url:
        config: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        )
        if config["ENGINE"] == "django.db.backends.postgresql":
            # PostgreSQL's JIT compiles any statement its planner costs high: at a million
            # customers the funnel's per-deal query spent 0.8 s compiling to run in 0.1 s.
            # A CRM's statements are short; a URL's own ?options= wins.
            options = config.setdefault("OPTIONS", {})
            options.setdefault("options", "-c jit=off")
            if env_bool("SAMPHAN_DB_PREPARED", True):  # planning was half its time
                for name, value in {"server_side_binding": True, "prepare_threshold": 2}.items():
                    options.setdefault(name, value)
        return config
    private_var_dir()
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": private_database_file(VAR_DIR / "samphan.sqlite3"),
        "OPTIONS": {
            # WAL lets readers run beside the one writer; IMMEDIATE avoids
            # "database is locked" upgrades from read to write transactions. The worker
            # checkpoints the WAL a few times a second (samphan.core.checkpoints); a
            # writer does it itself only past 40,000 pages (≈ 160 MB), when no worker
            # runs. The size limit trims the file back after a checkpoint.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA wal_autocheckpoint=40000; PRAGMA journal_size_limit=67108864; "
                "PRAGMA busy_timeout=5000; PRAGMA cache_size=-64000;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
        "TEST": {"NAME": env_str("SAMPHAN_TEST_SQLITE") or None},
    }


DATABASES = {"default": database_settings()}
# Covering indexes (INCLUDE columns) serve the funnel on PostgreSQL; SQLite indexes the
# key columns only, which is what it needs, so its warning about the rest is noise.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": env_str("SAMPHAN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Bangkok")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("SAMPHAN_MEDIA_ROOT") or VAR_DIR / "media")
# Which customers were erased, outside the database, so a restored backup can be erased
# again (privacy/erasure_ledger.py). Several nodes: put it on storage they share.
SAMPHAN_ERASURE_LEDGER = Path(env_str("SAMPHAN_ERASURE_LEDGER") or VAR_DIR / "erasures.log")
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "samphan.core.staticfiles.HashedCompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Uploads (docs/security.md, "Uploads"): each field's cap is in samphan.core.uploads; the
# handler there stores at most the largest cap of any file and only counts the rest. A
# request of at most 2.5 MB is read in memory, a larger one streams to a temporary file.
# Form fields other than files may hold 5 MB together. Kept files are this account's only.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "samphan.core.uploads.CappedUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Content-Security-Policy: scripts only from our origin or with the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_ENGINE = "samphan.core.sessions"
SESSION_COOKIE_HTTPONLY = True
# Behind HTTPS (SAMPHAN_HTTPS=1) cookies are secure and HSTS is on; a laptop on
# http://127.0.0.1 keeps them off or nobody could log in.
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SAMPHAN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# How many reverse proxies stand in front of Samphan (Caddy or nginx: 1). The visitor's
# address is then read from X-Forwarded-For as the last proxy saw it; 0 trusts no header.
SAMPHAN_TRUSTED_PROXIES: int = int(env_str("SAMPHAN_TRUSTED_PROXIES", "0"))

# Login throttling (django-axes; docs/security.md, docs/decisions.md): 5 wrong passwords
# for one account, or from one address, lock that account or address for 15 minutes,
# counted separately; an administrator unlocks from the Users page.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "samphan.core.http.client_address"
AXES_LOCKOUT_CALLABLE = "samphan.accounts.two_factor_views.login_locked_out"
# Not reset on success: a login to one account must not wipe the failures counted
# against another from the same address (that would let a member guess forever).
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not kept: less personal data
AXES_VERBOSE = False
# Two-step sign-in (django-otp): administrators and managers must use an authenticator
# app; everyone else may. SAMPHAN_TWO_FACTOR_REQUIRED=0 makes it optional for all.
SAMPHAN_TWO_FACTOR_REQUIRED: bool = env_bool("SAMPHAN_TWO_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = "Samphan"

SAMPHAN_VAT_RATE: str = env_str("SAMPHAN_VAT_RATE", "0.07")
SAMPHAN_PHONE_REGION: str = env_str("SAMPHAN_PHONE_REGION", "TH")
SAMPHAN_PAGE_SIZE: int = 25
# Member numbers: {year} (four digits, optional: numbers then run per year) and {number}.
SAMPHAN_CARD_FONT_DIR: str = env_str("SAMPHAN_CARD_FONT_DIR", "/usr/share/fonts/truetype/tlwg")
SAMPHAN_MEMBER_NUMBER_PATTERN: str = env_str("SAMPHAN_MEMBER_NUMBER_PATTERN", "M{year}{number:05d}")

# Logs, metrics and error reports (issue 22; docs/operations.md): all off by default.
# SAMPHAN_LOG_FORMAT=json: one JSON object a line on the console (else text). Every record
# made during a request carries its request id and the user's id (samphan.core.observe).
SAMPHAN_LOG_FORMAT: str = env_str("SAMPHAN_LOG_FORMAT", "text")
if SAMPHAN_LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(
        f"SAMPHAN_LOG_FORMAT must be text or json, got {SAMPHAN_LOG_FORMAT!r}"
    )
# One line per request on the logger samphan.request; on by default with JSON logs
# (`samphan serve` then leaves gunicorn's own access log out: it writes query strings).
SAMPHAN_ACCESS_LOG: bool = env_bool("SAMPHAN_ACCESS_LOG", SAMPHAN_LOG_FORMAT == "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "samphan.core.observe.RequestContextFilter"}},
    "formatters": {
        "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
            "json_ensure_ascii": False,  # Thai stays readable
            # Django's request log passes the request, whose text has the query string.
            "reserved_attrs": [*RESERVED_ATTRS, "request"],
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": SAMPHAN_LOG_FORMAT,
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint reports each layout step of every PDF at INFO: noise, not news.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
# GET /metrics (Prometheus), 404 unless on; then with `Authorization: Bearer <token>`, or
# without a token only from loopback and not through a proxy (samphan.home.metrics).
SAMPHAN_METRICS: bool = env_bool("SAMPHAN_METRICS")
SAMPHAN_METRICS_TOKEN: str = env_str("SAMPHAN_METRICS_TOKEN")
# Error reports to Sentry (or a compatible service); nothing is sent while the DSN is empty.
SAMPHAN_SENTRY_DSN: str = env_str("SAMPHAN_SENTRY_DSN")
SAMPHAN_SENTRY_ENVIRONMENT: str = env_str("SAMPHAN_SENTRY_ENVIRONMENT", "production")
SAMPHAN_RELEASE: str = env_str("SAMPHAN_RELEASE") or importlib.metadata.version("samphan")
SAMPHAN_SENTRY_TRACES_RATE: float = float(env_str("SAMPHAN_SENTRY_TRACES_RATE", "0"))
if SAMPHAN_SENTRY_DSN:
    from samphan.core.errors import sentry_init

    sentry_init(
        dsn=SAMPHAN_SENTRY_DSN,
        environment=SAMPHAN_SENTRY_ENVIRONMENT,
        release=SAMPHAN_RELEASE,
        traces_rate=SAMPHAN_SENTRY_TRACES_RATE,
    )

# The business, as printed on quotations; PromptPay ID (mobile or tax ID) for the payment QR.
SAMPHAN_BUSINESS_NAME: str = env_str("SAMPHAN_BUSINESS_NAME", "Samphan Demo Co., Ltd.")
SAMPHAN_BUSINESS_ADDRESS: str = env_str("SAMPHAN_BUSINESS_ADDRESS", "")
SAMPHAN_BUSINESS_TAX_ID: str = env_str("SAMPHAN_BUSINESS_TAX_ID", "")
SAMPHAN_PROMPTPAY_ID: str = env_str("SAMPHAN_PROMPTPAY_ID", "")

# Messages (samphan.messaging). Links in messages (unsubscribe, preferences) start with the
# public address; e-mail goes through Django's SMTP backend, SMS through an HTTP gateway
# ("json": a generic JSON POST; "twilio": Twilio's Messages API), LINE through the
# Messaging API. Every secret comes from the environment.
# Unset, it is the address `samphan serve` listens on (which it passes to the web server and
# the worker as SAMPHAN_BIND when it had to take another port than 8000).
SAMPHAN_PUBLIC_URL: str = (env_str("SAMPHAN_PUBLIC_URL") or served_url()).rstrip("/")
EMAIL_BACKEND_PATH = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
SMTP_OPTIONS = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": int(env_str("EMAIL_PORT", "25")),
    "username": env_str("EMAIL_HOST_USER"),
    "password": env_str("EMAIL_HOST_PASSWORD"),
    "use_tls": env_bool("EMAIL_USE_TLS"),  # STARTTLS
    "use_ssl": env_bool("EMAIL_USE_SSL"),
    "timeout": 10,  # seconds; within the outbox lease's last quarter (15 s of 60)
}
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        # Only SMTP takes these (EMAIL_BACKEND=…console.EmailBackend prints mail instead).
        "OPTIONS": SMTP_OPTIONS if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Samphan <crm@localhost>")
SAMPHAN_SMS_ADAPTER: str = env_str("SAMPHAN_SMS_ADAPTER", "json")
SAMPHAN_SMS_URL: str = env_str("SAMPHAN_SMS_URL")
SAMPHAN_SMS_KEY: str = env_str("SAMPHAN_SMS_KEY")  # bearer token, or Twilio's account SID
SAMPHAN_SMS_SECRET: str = env_str("SAMPHAN_SMS_SECRET")  # Twilio's auth token; signs inbound
SAMPHAN_SMS_SENDER: str = env_str("SAMPHAN_SMS_SENDER", "Samphan")
SAMPHAN_LINE_API_URL: str = env_str("SAMPHAN_LINE_API_URL", "https://api.line.me")
SAMPHAN_LINE_ACCESS_TOKEN: str = env_str("SAMPHAN_LINE_ACCESS_TOKEN")
SAMPHAN_LINE_CHANNEL_SECRET: str = env_str("SAMPHAN_LINE_CHANNEL_SECRET")
# Signs the bounces the mail server posts to /hooks/email/bounce/ (empty: refused).
SAMPHAN_BOUNCE_SECRET: str = env_str("SAMPHAN_BOUNCE_SECRET")
# Support (docs/support.md): the address customers write to, replies' Reply-To;
# the mailbox the worker reads it from by IMAP (no host: only `samphan mail-in` brings
# mail in), how often, and the largest attachment kept (bigger ones are listed, not kept).
SAMPHAN_SUPPORT_EMAIL: str = env_str("SAMPHAN_SUPPORT_EMAIL")
SAMPHAN_IMAP_HOST: str = env_str("SAMPHAN_IMAP_HOST")
SAMPHAN_IMAP_PORT: int = int(env_str("SAMPHAN_IMAP_PORT", "993"))
SAMPHAN_IMAP_SSL: bool = env_bool("SAMPHAN_IMAP_SSL", True)
SAMPHAN_IMAP_USER: str = env_str("SAMPHAN_IMAP_USER")
SAMPHAN_IMAP_PASSWORD: str = env_str("SAMPHAN_IMAP_PASSWORD")
SAMPHAN_IMAP_FOLDER: str = env_str("SAMPHAN_IMAP_FOLDER", "INBOX")
SAMPHAN_IMAP_EVERY: float = float(env_str("SAMPHAN_IMAP_EVERY", "60"))
SAMPHAN_MAIL_ATTACHMENT_MAX: int = int(env_str("SAMPHAN_MAIL_ATTACHMENT_MAX", str(10 * 2**20)))
# The outbox: messages a second per channel (0: no limit), how long a sender holds the
# messages it took (another takes them over after), and how often it gives up.
SAMPHAN_RATE_LIMITS: list[str] = env_list("SAMPHAN_RATE_LIMITS", "email=0,sms=20,line=100")
SAMPHAN_OUTBOX_LEASE_SECONDS: float = float(env_str("SAMPHAN_OUTBOX_LEASE_SECONDS", "60"))
SAMPHAN_OUTBOX_MAX_ATTEMPTS: int = int(env_str("SAMPHAN_OUTBOX_MAX_ATTEMPTS", "8"))
# Loyalty: a point for each this many baht of net spend (paid orders less refunds).
SAMPHAN_BAHT_PER_POINT: decimal.Decimal = decimal.Decimal(env_str("SAMPHAN_BAHT_PER_POINT", "25"))

# Health checks (issue 22): /readyz fails when no worker has beaten for this many seconds
# (the worker beats every 10).
SAMPHAN_HEARTBEAT_MAX_AGE: float = float(env_str("SAMPHAN_HEARTBEAT_MAX_AGE", "90"))
# Backups (samphan backup / restore, docs/operations.md "Backups"): where (a private folder
# by default; any storage class, e.g. the S3-compatible bucket below),
# how many are kept, and the local hour the worker takes one each day (-1: never).
SAMPHAN_BACKUP_DIR = Path(env_str("SAMPHAN_BACKUP_DIR") or VAR_DIR / "backups")
STORAGES["backups"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": SAMPHAN_BACKUP_DIR,
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    },
}
SAMPHAN_BACKUP_KEEP: int = int(env_str("SAMPHAN_BACKUP_KEEP", "7"))
SAMPHAN_BACKUP_HOUR: int = int(env_str("SAMPHAN_BACKUP_HOUR", "3"))
# Uploaded files and backups in S3-compatible buckets when SAMPHAN_S3_BUCKET and
# SAMPHAN_BACKUP_S3_BUCKET name them, on the store SAMPHAN_S3_* names (core/s3_settings.py).
SAMPHAN_S3_BUCKET: str = env_str("SAMPHAN_S3_BUCKET")
STORAGES |= s3_storages(os.environ, path_style=env_bool("SAMPHAN_S3_PATH_STYLE"))
