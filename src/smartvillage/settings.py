"""The one settings module. Everything a deployment changes comes from the environment."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from smartvillage.core.env import envbool, envint, envlist

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("SMARTVILLAGE_DATA_DIR", Path.cwd() / "smartvillage-data")).resolve()

DEBUG = envbool("DEBUG", default=True)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Local use: generate once and persist, so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

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
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files served from our own static files (no CDN).
    "drf_spectacular_sidecar",
    "axes",
    "smartvillage.core",
    # Background jobs: Django's Tasks API (the django-tasks backport) on the database queue.
    "django_tasks",
    "django_tasks_db",
    "smartvillage.jobs",
    "smartvillage.units",
    "smartvillage.accounts",
    "smartvillage.audit",
    "smartvillage.registry",
    "smartvillage.criteria",
    # The results store: counts kept current by every write, read by the criteria engine.
    "smartvillage.results",
]
EXTRA_APPS = [
    "smartvillage.evidence",
    "smartvillage.transfer",
    "smartvillage.plans",
    "smartvillage.assessments",
    "smartvillage.documents",
    # Residents: opinion surveys, then the village's public page (which lists open surveys).
    "smartvillage.surveys",
    "smartvillage.public",
    "smartvillage.api",
    # Pages on top of every app (homes, dashboards, unit pages, the inbox), then the demo world,
    # which imports everything and which nothing imports.
    "smartvillage.homes",
    "smartvillage.demo",
]
# Apps arrive one issue at a time; only those present in the package are installed.
INSTALLED_APPS += [
    app for app in EXTRA_APPS if (PACKAGE_DIR / app.split(".")[1] / "apps.py").exists()
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (django-csp) and Permissions-Policy / no-store (core/security.py).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "smartvillage.core.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "smartvillage.core.security.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smartvillage.urls"
WSGI_APPLICATION = "smartvillage.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'smartvillage.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip() or _default_db
if DATABASE_URL.startswith("sqlite"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
# Persistent connections save a connect per request under `smartvillage serve` (a PostgreSQL
# connect costs more than most of our pages' queries); checked before reuse so a restarted
# database costs one failed check, not a failed request. SQLite opens a file: nothing to keep.
_postgres = DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3"
DATABASES["default"]["CONN_MAX_AGE"] = envint("DB_CONN_MAX_AGE", 60 if _postgres else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the page read while an import writes; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (several app nodes share it), else a table in the database
# (created by the jobs app's migration), so one process or many see the same cache either way.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r}: expected redis://, rediss:// or unix://")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "smartvillage",
        }
    }
    # Sessions read from Redis, written through to the database (a Redis restart logs no one out).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "smartvillage_cache",
            # Django's default of 300 entries culls a third of the table whenever it is passed:
            # a province's page keeps one summary per commune (criteria/areas.py), so 300 made
            # every page after an edit recompute its whole province (measured 99 of 100 communes).
            "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 100_000)},
        }
    }
# Request counters for rate limits (the public page): Redis when there is one; else each process
# counts in its own memory. A counter in the database cache would write on every public request
# (measured: p95 4 ms with Redis, 188 ms with the database cache at 200 requests/s); per-process
# counts allow up to limit × processes, which is still a limit.
CACHES["ratelimit"] = (
    CACHES["default"]
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}
)
RATELIMIT_USE_CACHE = "ratelimit"

# Jobs (imports, documents, results refresh) go through Django's Tasks API. The database backend
# needs no broker: `smartvillage worker` runs them (the demo starts one beside the server).
# TASKS_BACKEND=immediate runs each job inside the request instead (no worker; tests use it).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_task_backend = os.environ.get("TASKS_BACKEND", "database").strip() or "database"
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND={_task_backend!r}: expected one of {', '.join(_TASK_BACKENDS)}"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend], "QUEUES": []}}

AUTH_USER_MODEL = "auth.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Vietnamese messages, diacritics folded, a Vietnamese common-password list (core/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "smartvillage.core.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "smartvillage.core.passwords.NotLikeUserValidator"},
    {"NAME": "smartvillage.core.passwords.NotOnlyDigitsValidator"},
    {"NAME": "smartvillage.core.passwords.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login rate limit: 5 failures per username+IP locks for 15 minutes.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", True)
# The login page lives in the core app's namespace; lockouts render a Vietnamese page (429).
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
# Django's vi locale has no thousands grouping and "d-m-Y" dates; ours gives 1.234,5 and dd/mm/yyyy.
FORMAT_MODULE_PATH = ["smartvillage.core.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Uploaded evidence lives outside the web root and is served only through permission-checked views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
# Never routed: files are served only by permission-checked views (the live test server needs a value).
MEDIA_URL = "/media-not-served/"
# Every media file goes through Django's storage API (docs/decisions/011-media-storage.md).
# MEDIA_STORAGE=filesystem (default): MEDIA_ROOT on this machine (one node, or a shared folder).
# MEDIA_STORAGE=s3: an S3-compatible bucket shared by every web node and worker (django-storages;
# `pip install 'smartvillage[s3]'`), from S3_BUCKET, S3_ENDPOINT_URL (MinIO, Ceph, Viettel,
# FPT... empty for AWS), S3_REGION, S3_ACCESS_KEY_ID + S3_SECRET_ACCESS_KEY (both, or neither:
# then boto3's own chain, e.g. an instance role), S3_PREFIX (key prefix) and S3_ADDRESSING_STYLE
# (path for most self-hosted stores). Objects are private: no ACL is sent (the bucket's policy,
# which must not be public), every URL the backend could make is signed and short-lived, and the
# product never hands one out: downloads stream through the permission-checked views.
# Static files stay on WhiteNoise (served from STATIC_ROOT by every node).
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "").strip().lower() or "filesystem"
if MEDIA_STORAGE == "filesystem":
    _media_storage: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    import importlib.util

    _s3 = {
        name: os.environ.get(f"S3_{name}", "").strip()
        for name in (
            "BUCKET",
            "ENDPOINT_URL",
            "REGION",
            "ACCESS_KEY_ID",
            "SECRET_ACCESS_KEY",
            "PREFIX",
            "ADDRESSING_STYLE",
        )
    }
    if not _s3["BUCKET"]:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET (the bucket's name)")
    if _s3["ENDPOINT_URL"] and not re.match(r"^https?://[^/\s]+", _s3["ENDPOINT_URL"]):
        raise ImproperlyConfigured(
            f"S3_ENDPOINT_URL={_s3['ENDPOINT_URL']!r}: expected https://host[:port] (or http://)"
        )
    if bool(_s3["ACCESS_KEY_ID"]) != bool(_s3["SECRET_ACCESS_KEY"]):
        raise ImproperlyConfigured(
            "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither"
        )
    if _s3["ADDRESSING_STYLE"] not in ("", "auto", "path", "virtual"):
        raise ImproperlyConfigured(
            f"S3_ADDRESSING_STYLE={_s3['ADDRESSING_STYLE']!r}: expected auto, path or virtual"
        )
    if importlib.util.find_spec("storages") is None or importlib.util.find_spec("boto3") is None:
        raise ImproperlyConfigured(
            "MEDIA_STORAGE=s3 needs django-storages and boto3: pip install 'smartvillage[s3]'"
        )
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _s3["BUCKET"],
            "endpoint_url": _s3["ENDPOINT_URL"] or None,
            "region_name": _s3["REGION"] or None,
            "access_key": _s3["ACCESS_KEY_ID"] or None,
            "secret_key": _s3["SECRET_ACCESS_KEY"] or None,
            "location": _s3["PREFIX"].strip("/"),
            "addressing_style": _s3["ADDRESSING_STYLE"] or None,
            "default_acl": None,  # private: never public-read
            "querystring_auth": True,  # any URL is signed ...
            "querystring_expire": 300,  # ... and short-lived
            "file_overwrite": False,  # a name in use gets a new one, as in the local folder
        },
    }
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE={MEDIA_STORAGE!r}: expected filesystem or s3")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# Extra facts/criteria-set YAML directories a province adds without a code change.
SMARTVILLAGE_FACTS_DIRS = envlist("SMARTVILLAGE_FACTS_DIRS", [])
SMARTVILLAGE_CRITERIA_DIRS = envlist("SMARTVILLAGE_CRITERIA_DIRS", [])
# An administrator's replacements for the report templates (docs/document-templates.md).
SMARTVILLAGE_DOCUMENT_TEMPLATES_DIR = Path(
    os.environ.get("SMARTVILLAGE_DOCUMENT_TEMPLATES_DIR", DATA_DIR / "document-templates")
)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "smartvillage API",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Write-only fields (the identity number) appear only in request bodies.
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", True)

# ---- web security (README "Bảo mật web"; `smartvillage check --deploy` is clean in production) --
# A session lasts SESSION_HOURS (default 8: one working day) and, for shared office computers,
# ends when the browser closes.
SESSION_COOKIE_AGE = envint("SESSION_HOURS", 8) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
if not DEBUG:
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    # A load balancer's health check comes over plain http from inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # Behind a reverse proxy that ends TLS (nginx, Caddy): it must send X-Forwarded-Proto.
    if envbool("SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No inline script anywhere (htmx is set up for it in base.html); inline style attributes stay
# allowed. Images may be data: URLs (QR codes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Tiles under the households' and villages' maps (homes.insights): a URL template such as
# https://tile.openstreetmap.org/{z}/{x}/{y}.png, whose host img-src then allows. Empty (the
# default, no outside request): the points are drawn on a plain background, still in place.
SMARTVILLAGE_MAP_TILE_URL = os.environ.get("SMARTVILLAGE_MAP_TILE_URL", "").strip()
if SMARTVILLAGE_MAP_TILE_URL:
    from urllib.parse import urlsplit

    _tiles = urlsplit(SMARTVILLAGE_MAP_TILE_URL)
    _host = _tiles.netloc.replace("{s}.", "*.")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_tiles.scheme}://{_host}")
# Import limits, enforced while a file is read (transfer/reader.py, README "Giới hạn khi nhập").
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 200_000)
IMPORT_MAX_COLUMNS = envint("IMPORT_MAX_COLUMNS", 500)
IMPORT_MAX_CELL_CHARS = envint("IMPORT_MAX_CELL_CHARS", 5_000)
IMPORT_MAX_SHEETS = envint("IMPORT_MAX_SHEETS", 50)
IMPORT_MAX_UNCOMPRESSED_BYTES = envint("IMPORT_MAX_UNCOMPRESSED_MB", 200) * 1024 * 1024
IMPORT_MAX_ZIP_MEMBERS = envint("IMPORT_MAX_ZIP_MEMBERS", 5_000)
# A 200.000-row list takes 20–50 s to read on a busy 2-core server; the limit is for hangs.
IMPORT_MAX_SECONDS = envint("IMPORT_MAX_SECONDS", 180)

# The village's public page: requests per address (django-ratelimit's "N/s|m|h|d"); the
# address to print on posters when the site sits behind a proxy that changes the host.
PUBLIC_PAGE_RATE = os.environ.get("PUBLIC_PAGE_RATE", "300/m").strip()
if not re.fullmatch(r"\d+/\d*[smhd]", PUBLIC_PAGE_RATE):
    raise ImproperlyConfigured(f"PUBLIC_PAGE_RATE={PUBLIC_PAGE_RATE!r}: expected e.g. 300/m")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").strip().rstrip("/")

# The results store (smartvillage.results): off counts every evaluation live from the registry.
RESULTS_STORE = envbool("RESULTS_STORE", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
