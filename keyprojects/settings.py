"""Settings come from the environment; the defaults start a working demo on SQLite.

KEYPROJECTS_ENV=production turns on the hardened mode that passes `manage.py check --deploy`.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("KEYPROJECTS_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = os.environ.get("KEYPROJECTS_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when KEYPROJECTS_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

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
    "keyprojects.lib",
    "keyprojects.orgs",
    "keyprojects.audit",
    "keyprojects.calendars",
    "keyprojects.projects",
    "keyprojects.plans",
    "keyprojects.notifications",
    "keyprojects.tasks",
    "keyprojects.alerts",
    "keyprojects.coordination",
    "keyprojects.land",
    "keyprojects.supervision",
    "keyprojects.assessment",
    "keyprojects.dashboard",
    "keyprojects.reports",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "keyprojects.api",
    "keyprojects.ops",
    "keyprojects.demo",
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
    "keyprojects.orgs.middleware.office_settings_per_request",
    "keyprojects.orgs.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "keyprojects.urls"
WSGI_APPLICATION = "keyprojects.wsgi.application"

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
                "keyprojects.notifications.context_processors.inbox",
                "keyprojects.lib.context_processors.calendar",
            ],
        },
    },
]

# SQLite: WAL lets readers run beside a writer, IMMEDIATE makes writers queue for the lock
# up front instead of failing with "database is locked" half-way through a transaction.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'keyprojects.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    # Tests use a file, not memory: the live server's threads then write concurrently through
    # separate connections, as the real server does.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The dashboards' aggregates are short queries; PostgreSQL's JIT spent longer compiling them than running.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules/bootstrap/dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules/bootstrap-icons/font"),
    ("vendor/htmx", BASE_DIR / "node_modules/htmx.org/dist"),
    ("vendor/echarts", BASE_DIR / "node_modules/echarts/dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"

# Backups (keyprojects/ops): where `manage.py backup` writes, how many it keeps, the hour (Beijing time)
# after which the nightly job makes the day's; /readyz's limits on heartbeat age and outbox backlog.
KP_BACKUP_DIR = Path(os.environ.get("KP_BACKUP_DIR", DATA_DIR / "backups"))
KP_BACKUP_KEEP = int(os.environ.get("KP_BACKUP_KEEP", 7))
KP_BACKUP_HOUR = int(os.environ.get("KP_BACKUP_HOUR", 2))
KP_READY_HEARTBEAT_MAX_AGE = int(os.environ.get("KP_READY_HEARTBEAT_MAX_AGE", 900))
KP_READY_OUTBOX_MAX = int(os.environ.get("KP_READY_OUTBOX_MAX", 1000))

SESSION_ENGINE = "django.contrib.sessions.backends.db"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Uploads: Django's own caps on a request, and ours per kind of file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
KP_IMPORT_MAX_BYTES = int(os.environ.get("KP_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
KP_IMPORT_MAX_ROWS = int(os.environ.get("KP_IMPORT_MAX_ROWS", 200_000))
KP_PHOTO_MAX_BYTES = int(os.environ.get("KP_PHOTO_MAX_BYTES", 10 * 1024 * 1024))
KP_EVIDENCE_MAX_BYTES = int(os.environ.get("KP_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))

# REST API (keyprojects/api): token or session auth, JSON in and out, strict pages, throttles from
# the environment ("<n>/<second|minute|hour|day>"; the cache is per process, so per worker).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "keyprojects.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "keyprojects.api.throttling.AnonThrottle",
        "keyprojects.api.throttling.UserThrottle",
        "keyprojects.api.throttling.WriteThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "keyprojects.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "keyprojects.api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
KP_API_THROTTLE_RATES = {
    "anon": os.environ.get("KP_API_THROTTLE_ANON", "60/minute"),
    "user": os.environ.get("KP_API_THROTTLE_USER", "1200/minute"),
    "write": os.environ.get("KP_API_THROTTLE_WRITE", "120/minute"),
}
KP_API_PAGE_SIZE = int(os.environ.get("KP_API_PAGE_SIZE", 50))
KP_API_MAX_PAGE_SIZE = int(os.environ.get("KP_API_MAX_PAGE_SIZE", 500))
SPECTACULAR_SETTINGS = {
    "TITLE": _("重点项目管理系统接口"),
    "DESCRIPTION": _(
        "与页面相同的数据范围和业务规则。金额单位为万元，以字符串形式的十进制数传递（如 1234.5678），"
        "不使用浮点数。认证：浏览器使用会话（需 CSRF 令牌），系统对接使用重点办签发的单位接口令牌"
        "（请求头 Authorization: Bearer <令牌>）。出错时返回 4xx 和中文说明：400 输入有误，"
        "401 未认证或令牌已吊销，403 无权操作，404 不存在或不在权限范围内，409 记录已被他人修改，"
        "429 请求过于频繁。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call to validator.swagger.io: the intranet has no internet.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "keyprojects.projects.models.Stage",
        "EntryCategoryEnum": "keyprojects.plans.models.Category",
        "ReportStatusEnum": "keyprojects.plans.models.MonthlyReport.Status",
        "TaskStatusEnum": "keyprojects.tasks.models.Task.Status",
        "TaskSourceEnum": "keyprojects.tasks.models.Task.Source",
        "ProblemCategoryEnum": "keyprojects.coordination.models.Problem.Category",
        "ProblemStatusEnum": "keyprojects.coordination.models.Problem.Status",
        "ProblemSourceEnum": "keyprojects.coordination.models.Problem.Source",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums"],
    "SCHEMA_PATH_PREFIX": "/api/",
}

# Notifications: SMTP from the environment (Django's own settings), robots' timeout, outbox retries.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", 10))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "重点项目管理系统 <noreply@localhost>")
KP_SITE_URL = os.environ.get("KP_SITE_URL", "")  # e.g. https://kp.example.gov.cn, for links in messages
# The city in published tables' titles (南宁市); empty takes it from the office's name.
KP_CITY_NAME = os.environ.get("KP_CITY_NAME", "")
KP_WEBHOOK_TIMEOUT = float(os.environ.get("KP_WEBHOOK_TIMEOUT", 10))
KP_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("KP_OUTBOX_MAX_ATTEMPTS", 10))
KP_OUTBOX_BACKOFF_CAP_MINUTES = int(os.environ.get("KP_OUTBOX_BACKOFF_CAP_MINUTES", 60))
