"""chizheng settings: one file, driven by environment variables.

DATABASE_URL   unset → embedded SQLite in var/chizheng.sqlite3; postgres://… for PostgreSQL
SECRET_KEY     required when DEBUG is off outside demo mode
CHIZHENG_DEMO  "1" (default) shows the demo password on the login page
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CHIZHENG_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
DEMO_MODE = env_bool("CHIZHENG_DEMO", True)
DEMO_PASSWORD = "chizheng-demo"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or DEMO_MODE):
        raise RuntimeError("SECRET_KEY must be set outside demo mode")
    SECRET_KEY = "demo-only-insecure-key-change-me-for-production-use-0123456789"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs page from vendored static files, not a CDN
    "chizheng.core",
    "chizheng.occupations",
    "chizheng.people",
    "chizheng.institutions",
    "chizheng.certification",
    "chizheng.assessments",
    "chizheng.coverage",
    "chizheng.pathways",
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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "chizheng.core.middleware.AuditContextMiddleware",
    "chizheng.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "chizheng" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chizheng.core.context_processors.navigation",
            ],
        },
    },
]

SQLITE_PATH = VAR_DIR / "chizheng.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the background worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
    }
    # Connections persist (CONN_MAX_AGE) on SQLite too: opening one runs the PRAGMAs above and registers
    # Django's SQL functions, ≈ 2 ms, more than a whole verification request (docs/performance.md).
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# django-axes: lock a username+IP after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "chizheng" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Uploads: spreadsheets up to 20 MB, photo ZIPs up to 200 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CHIZHENG_MAX_SHEET_BYTES = int(os.environ.get("CHIZHENG_MAX_SHEET_BYTES", str(20 * 1024 * 1024)))
CHIZHENG_MAX_ZIP_BYTES = int(os.environ.get("CHIZHENG_MAX_ZIP_BYTES", str(200 * 1024 * 1024)))
# Imports with more rows than this run in the background worker.
CHIZHENG_BACKGROUND_IMPORT_ROWS = int(os.environ.get("CHIZHENG_BACKGROUND_IMPORT_ROWS", "2000"))
# The public address of this site, printed on certificates as the QR code's verification link.
CHIZHENG_PUBLIC_URL = os.environ.get("CHIZHENG_PUBLIC_URL", "http://127.0.0.1:8000")
# Batch certificate PDF downloads (ZIP, streamed) are refused above this many certificates.
CHIZHENG_PDF_ZIP_MAX = int(os.environ.get("CHIZHENG_PDF_ZIP_MAX", "10000"))

# Public certificate verification: at most N requests per client IP per window of S seconds, "N/S"
# (default 60/60). "off" lifts the limit: for load benchmarks only (bench/verify_load.py), never in production.
_verify_rate = os.environ.get("CHIZHENG_VERIFY_RATE", "60/60").strip().lower()
CERT_VERIFY_RATE: tuple[int, int] | None = (
    None if _verify_rate == "off" else (int(_verify_rate.split("/")[0]), int(_verify_rate.split("/")[1]))
)

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
