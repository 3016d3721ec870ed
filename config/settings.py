"""Wangge settings: one module, read from the environment (a `.env` file is read when present).

Profiles: `WANGGE_ENV=local` (default: SQLite under var/, generated secret, DEBUG on) and
`WANGGE_ENV=production` (secret, hosts and database required; HTTPS hardening on).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv

from config.env import env_bool, env_int, env_list, env_str, local_key, local_secret

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")

WANGGE_ENV = env_str("WANGGE_ENV", "local")
if WANGGE_ENV not in {"local", "production"}:
    raise ValueError(f"WANGGE_ENV must be 'local' or 'production', got {WANGGE_ENV!r}")
PRODUCTION = WANGGE_ENV == "production"

VAR_DIR = Path(env_str("WANGGE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("ALLOWED_HOSTS is required in production.")
else:
    SECRET_KEY = env_str("SECRET_KEY", "") or local_secret(VAR_DIR / "secret_key")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Key for the audit trail's hash chain; separate from SECRET_KEY so rotating one does not
# invalidate the other.
AUDIT_CHAIN_KEY = env_str("AUDIT_CHAIN_KEY", "") or (
    env_str("SECRET_KEY") if PRODUCTION else local_secret(VAR_DIR / "audit_key")
)

# Field encryption (ID and phone numbers) and keyed lookup hashes (wangge.core.crypto): 32-byte keys, base64.
WANGGE_FIELD_CIPHER = env_str("WANGGE_FIELD_CIPHER", "aes-256-gcm")  # or "sm4-gcm" (密评)
WANGGE_FIELD_KEY_ID = env_str("WANGGE_FIELD_KEY_ID", "k1")
if PRODUCTION:
    WANGGE_FIELD_KEYS = {WANGGE_FIELD_KEY_ID: env_str("WANGGE_FIELD_KEY")}
    WANGGE_LOOKUP_KEY = env_str("WANGGE_LOOKUP_KEY")
else:
    WANGGE_FIELD_KEYS = {WANGGE_FIELD_KEY_ID: env_str("WANGGE_FIELD_KEY", "") or local_key(VAR_DIR / "field_key")}
    WANGGE_LOOKUP_KEY = env_str("WANGGE_LOOKUP_KEY", "") or local_key(VAR_DIR / "lookup_key")
# Retired keys, kept only to read old values: WANGGE_FIELD_OLD_KEYS="k0=<base64>,..."
for _entry in env_list("WANGGE_FIELD_OLD_KEYS", []):
    _old_id, _sep, _old_key = _entry.partition("=")
    WANGGE_FIELD_KEYS.setdefault(_old_id.strip(), _old_key.strip())

INSTALLED_APPS = [
    # First, so that its management commands replace Django's (`createsuperuser` is refused).
    "wangge.core",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "huey.contrib.djhuey",
    "csp",
    "ninja",
    "wangge.regions",
    "wangge.places",
    "wangge.people",
    "wangge.ledgers",
    "wangge.cases",
    "wangge.window",
    "wangge.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "wangge.core.middleware.RequestContextMiddleware",
    "wangge.core.middleware.SessionLifetimeMiddleware",
    "wangge.core.middleware.UserLanguageMiddleware",
    "wangge.core.middleware.AccountGateMiddleware",
    "wangge.core.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "wangge.core.context_processors.navigation",
                "wangge.core.context_processors.calendar_warning",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'wangge.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at the
        # start of a transaction so two writers queue instead of failing half-way.
        # A 64 MB page cache (allocated as used) keeps the registry's indexes in memory during
        # searches and ledger imports; the default 2 MB makes a 100,000-row import seek all along.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; "
            "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", str(VAR_DIR / "test.sqlite3"))}
else:
    # test_<database>: each database name gets its own test database (test_wangge for the default one).
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", f"test_{DATABASES['default']['NAME']}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and background work --------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "wangge",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "wangge",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }

# --- accounts and login security ----------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["wangge.core.backends.RoleBackend"]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("WANGGE_PASSWORD_MIN_LENGTH", 10)},
    },
    {
        "NAME": "wangge.core.passwords.CharacterClassValidator",
        "OPTIONS": {"min_classes": env_int("WANGGE_PASSWORD_MIN_CLASSES", 3)},
    },
    {"NAME": "wangge.core.passwords.PersonalDataValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Lockout: per account and per source address, each with its own threshold.
WANGGE_LOCKOUT_ACCOUNT_FAILURES = env_int("WANGGE_LOCKOUT_ACCOUNT_FAILURES", 5)
WANGGE_LOCKOUT_ADDRESS_FAILURES = env_int("WANGGE_LOCKOUT_ADDRESS_FAILURES", 20)
WANGGE_LOCKOUT_MINUTES = env_int("WANGGE_LOCKOUT_MINUTES", 30)
# The proxies (addresses or networks) whose X-Forwarded-For is believed: the client's address is
# the rightmost hop that is not one of them. Empty: REMOTE_ADDR is the client (no proxy).
WANGGE_TRUSTED_PROXIES = env_list("WANGGE_TRUSTED_PROXIES", [])
for _proxy in WANGGE_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"WANGGE_TRUSTED_PROXIES: {_proxy!r} is not an address or network.") from _exc
# Sessions: idle timeout (cookie age refreshed on every request) and absolute lifetime.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("WANGGE_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
WANGGE_SESSION_MAX_HOURS = env_int("WANGGE_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
OTP_TOTP_ISSUER = env_str("WANGGE_OTP_ISSUER", "Wangge")
WANGGE_API_TOKEN_DAYS = env_int("WANGGE_API_TOKEN_DAYS", 180)
# Refused access to resident data (core.refusals): a user refused this often in a day is shown on the
# security page; the duplicate-ID check tells a user about this many IDs registered elsewhere per hour.
WANGGE_REFUSALS_UNUSUAL = env_int("WANGGE_REFUSALS_UNUSUAL", 20)
WANGGE_DUPLICATE_CHECKS_PER_HOUR = env_int("WANGGE_DUPLICATE_CHECKS_PER_HOUR", 10)
# Callers who are not staff (wangge.cases.public): cases one resident (by phone) or one Open311 client may
# report per hour and per day; past either, a report is refused and the refusal audited.
WANGGE_RESIDENT_REPORTS_PER_HOUR = env_int("WANGGE_RESIDENT_REPORTS_PER_HOUR", 3)
WANGGE_RESIDENT_REPORTS_PER_DAY = env_int("WANGGE_RESIDENT_REPORTS_PER_DAY", 10)
WANGGE_OPEN311_REPORTS_PER_HOUR = env_int("WANGGE_OPEN311_REPORTS_PER_HOUR", 120)
WANGGE_OPEN311_REPORTS_PER_DAY = env_int("WANGGE_OPEN311_REPORTS_PER_DAY", 1000)

# --- security headers ------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # monitors may ask the app server directly, over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- language, time ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where `collectstatic` gathers the static files WhiteNoise serves (hashed names in production).
STATIC_ROOT = Path(env_str("WANGGE_STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("WANGGE_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- ledgers (Excel import and export) ---------------------------------------------------------
# Uploaded ledgers (encrypted), error reports, progress files and large exports. Web servers and
# workers must share this directory.
WANGGE_LEDGER_DIR = Path(env_str("WANGGE_LEDGER_DIR", str(VAR_DIR / "ledgers")))
WANGGE_LEDGER_MAX_BYTES = env_int("WANGGE_LEDGER_MAX_MB", 50) * 1024 * 1024
WANGGE_LEDGER_MAX_ROWS = env_int("WANGGE_LEDGER_MAX_ROWS", 300_000)
WANGGE_LEDGER_MAX_UNZIPPED = env_int("WANGGE_LEDGER_MAX_UNZIPPED_MB", 500) * 1024 * 1024
WANGGE_LEDGER_RETENTION_DAYS = env_int("WANGGE_LEDGER_RETENTION_DAYS", 7)
# Processes a large check spreads its encryption and hashing over (1: none; default: the cores, at most 4).
WANGGE_LEDGER_WORKERS = env_int("WANGGE_LEDGER_WORKERS", min(4, os.cpu_count() or 1))
# Exports with more rows than this are built in the background and downloaded from the jobs page.
WANGGE_EXPORT_SYNC_MAX = env_int("WANGGE_EXPORT_SYNC_MAX", 5_000)

# --- cases ----------------------------------------------------------------------------------------
# Office hours for deadlines in working hours; days a resident has to rate a finished case before it
# closes unrated; where notifications beyond the in-app list go (a class with send(user, text), called
# by the queue after the commit and retried when it raises; the default writes them to the log, an SMS
# or e-mail gateway plugs in here).
WANGGE_OFFICE_HOURS = env_str("WANGGE_OFFICE_HOURS", "08:30-12:00,14:00-17:30")
WANGGE_CASE_RATING_DAYS = env_int("WANGGE_CASE_RATING_DAYS", 3)
WANGGE_NOTIFY_BACKEND = env_str("WANGGE_NOTIFY_BACKEND", "wangge.core.notifications.LogSender")

# --- health and logs ------------------------------------------------------------------------------
# /healthz answers 503 when the deadline sweep has not finished for this long (it runs every 10 minutes)
# or when the disk holding uploads and media has less free space than this.
WANGGE_HEALTH_SWEEP_MINUTES = env_int("WANGGE_HEALTH_SWEEP_MINUTES", 30)
WANGGE_HEALTH_MIN_FREE_MB = env_int("WANGGE_HEALTH_MIN_FREE_MB", 1024)
# "json": one line of JSON per record (one per request, one per job), with the audit trail's request id;
# "text" for reading by eye.
WANGGE_LOG_FORMAT = env_str("WANGGE_LOG_FORMAT", "json" if PRODUCTION else "text")
if WANGGE_LOG_FORMAT not in {"json", "text"}:
    raise ValueError(f"WANGGE_LOG_FORMAT must be 'json' or 'text', got {WANGGE_LOG_FORMAT!r}")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "wangge.core.logs.JsonFormatter"},
        "text": {"format": "[%(asctime)s] %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": WANGGE_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # run_huey gives the "huey" logger a handler of its own when it has none; with the root's that
    # printed each of the worker's lines twice. Configured here, it goes through the one handler.
    "loggers": {"huey": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}},
}

WANGGE_DEMO_PASSWORD = "Wangge@2026demo"  # noqa: S105  (demo accounts only; production refuses them)
