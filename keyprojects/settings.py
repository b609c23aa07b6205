"""Settings come from the environment; the defaults start a working demo on SQLite.

KEYPROJECTS_ENV=production turns on the hardened mode that passes `manage.py check --deploy`.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("KEYPROJECTS_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = os.environ.get("KEYPROJECTS_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
# Keys seen in examples and READMEs: a production server signing sessions with one of them is open to anyone.
KNOWN_SECRET_KEYS = {DEV_SECRET_KEY, "changeme", "change-me", "secret", "your-secret-key", "please-change-me"}
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if PRODUCTION:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when KEYPROJECTS_ENV=production")
    if (
        SECRET_KEY.strip().lower() in KNOWN_SECRET_KEYS
        or SECRET_KEY.startswith("django-insecure-")
        or len(set(SECRET_KEY)) < 5
    ):
        raise ImproperlyConfigured(
            "SECRET_KEY is a known example or development key: generate one, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            f"SECRET_KEY is {len(SECRET_KEY)} characters long; production needs at least 50 random ones, "
            "e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
elif not SECRET_KEY:
    SECRET_KEY = DEV_SECRET_KEY

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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "keyprojects.security",
    # After ops: its db_worker (the package's, plus heartbeats and the reaper) is the one manage.py runs.
    "django_tasks",
    "django_tasks_db",
    "keyprojects.demo",
]

MIDDLEWARE = [
    # First: an oversized body is refused before anything reads it.
    "keyprojects.lib.middleware.request_size_limit",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "keyprojects.lib.middleware.no_store_when_signed_in",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "keyprojects.security.middleware.SecurityMiddleware",
    "keyprojects.orgs.middleware.office_settings_per_request",
    "keyprojects.orgs.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
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

# A streaming replica for the read-only pages (cockpit, completion, map, open data) that opt in through
# keyprojects.lib.dbrouter; everything else, and every write, uses the default database.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DATABASE_ROUTERS = ["keyprojects.lib.dbrouter.ReplicaRouter"]

# Cached filter choices (keyprojects/lib/cache.py): per process by default; KP_CACHE=database shares them
# through a table (`manage.py createcachetable`, which deploy/install.sh runs), so a change made on one
# app server retires every server's copy at once.
if os.environ.get("KP_CACHE", "memory") == "database":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "kp_cache"}}
elif os.environ.get("KP_CACHE", "memory") != "memory":
    raise ImproperlyConfigured("KP_CACHE must be memory or database")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
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
# Uploads: a directory every app server mounts (KP_MEDIA_ROOT), or S3-compatible object storage
# (KP_STORAGE=s3, e.g. MinIO on the intranet). Files are served through views that check access, never
# by public URL.
MEDIA_ROOT = Path(os.environ.get("KP_MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "media/"
if os.environ.get("KP_STORAGE", "filesystem").strip().lower() == "s3":
    _upload_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "endpoint_url": os.environ.get("KP_S3_ENDPOINT_URL") or None,
            "bucket_name": os.environ.get("KP_S3_BUCKET", "keyprojects"),
            "access_key": os.environ.get("KP_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("KP_S3_SECRET_KEY") or None,
            "region_name": os.environ.get("KP_S3_REGION") or None,
            "location": os.environ.get("KP_S3_PREFIX", ""),
            "addressing_style": os.environ.get("KP_S3_ADDRESSING_STYLE", "path"),
            # Django's rule: a second file of the same name gets a new name instead of replacing the first.
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
else:
    _upload_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _upload_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Backups (keyprojects/ops): where `manage.py backup` writes, how many it keeps, the hour (Beijing time)
# after which the nightly job makes the day's; /readyz's limits on heartbeat age and outbox backlog.
KP_BACKUP_DIR = Path(os.environ.get("KP_BACKUP_DIR", DATA_DIR / "backups"))
KP_BACKUP_KEEP = int(os.environ.get("KP_BACKUP_KEEP", 7))
KP_BACKUP_HOUR = int(os.environ.get("KP_BACKUP_HOUR", 2))
KP_READY_HEARTBEAT_MAX_AGE = int(os.environ.get("KP_READY_HEARTBEAT_MAX_AGE", 900))
KP_READY_OUTBOX_MAX = int(os.environ.get("KP_READY_OUTBOX_MAX", 1000))

# Background work (imports, scheduled jobs) runs as tasks in `manage.py db_worker` processes, queued in this
# same database (django-tasks + django-tasks-db). A worker beats every KP_WORKER_BEAT_SECONDS; one silent
# for KP_WORKER_DEAD_AFTER seconds (on this machine: whose process is gone) is dead, and the reaper fails or
# requeues its task. An import's apply progress goes to small files under KP_PROGRESS_DIR, a directory every
# app server sees (the apply's own transaction cannot publish it through the database).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
KP_WORKER_BEAT_SECONDS = int(os.environ.get("KP_WORKER_BEAT_SECONDS", 10))
KP_WORKER_DEAD_AFTER = int(os.environ.get("KP_WORKER_DEAD_AFTER", 120))
KP_READY_TASK_WAIT_MAX = int(os.environ.get("KP_READY_TASK_WAIT_MAX", 600))
KP_PROGRESS_DIR = Path(os.environ.get("KP_PROGRESS_DIR", DATA_DIR / "progress"))

SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Login and sessions (keyprojects/security, orgs/lockouts.py). A session ends after KP_SESSION_IDLE_MINUTES
# without a request, KP_SESSION_ABSOLUTE_HOURS after the login, and when the browser closes.
KP_SESSION_IDLE_MINUTES = int(os.environ.get("KP_SESSION_IDLE_MINUTES", 30))
KP_SESSION_ABSOLUTE_HOURS = int(os.environ.get("KP_SESSION_ABSOLUTE_HOURS", 12))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = KP_SESSION_ABSOLUTE_HOURS * 3600
# KP_LOGIN_FAILURE_LIMIT failed logins per account and, separately, per address are answered as such;
# the next one within the cool-off locks the account or address until the cool-off passes or an office
# admin unlocks it. The failures live in the database (axes' database handler): every app server sees them.
KP_LOGIN_FAILURE_LIMIT = int(os.environ.get("KP_LOGIN_FAILURE_LIMIT", 10))
KP_LOGIN_COOLOFF_MINUTES = int(os.environ.get("KP_LOGIN_COOLOFF_MINUTES", 30))
KP_TRUSTED_PROXIES = int(os.environ.get("KP_TRUSTED_PROXIES", 0))  # nginx in front: 1
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = KP_LOGIN_FAILURE_LIMIT + 1
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = dt.timedelta(minutes=KP_LOGIN_COOLOFF_MINUTES) if KP_LOGIN_COOLOFF_MINUTES else None
# Not reset by a success: axes would also wipe the address's failures against other accounts.
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # attempts while locked do not prolong the lock
AXES_LOCKOUT_CALLABLE = "keyprojects.security.views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "keyprojects.lib.net.client_ip"
AXES_ENABLE_ADMIN = True
AXES_VERBOSE = False
# TOTP second factor for office admins: on by default in production mode.
KP_REQUIRE_ADMIN_2FA = env_bool("KP_REQUIRE_ADMIN_2FA", PRODUCTION)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "重点项目管理系统")
# Messages ride in a signed cookie (the session only for one too large for it), so a form post that says
# "saved" does not write the session row on deadline day.
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"

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
# Any request body above this is answered 413 before it is read (keyprojects.lib.middleware). The largest
# legitimate one is a monthly report with its 10 photos (plans.report_views.MAX_POST_PHOTOS), + 1 MB.
KP_MAX_REQUEST_BYTES = int(
    os.environ.get(
        "KP_MAX_REQUEST_BYTES",
        max(KP_IMPORT_MAX_BYTES, KP_EVIDENCE_MAX_BYTES, KP_PHOTO_MAX_BYTES * 10) + 1024 * 1024,
    )
)

# Content-Security-Policy (django-csp): everything from this server (the intranet has no other), scripts
# only from static files or carrying the request's nonce, so an injected <script> or onclick= never runs.
# Styles still allow inline: templates carry style="…" attributes and ECharts' tooltips write some.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],  # Bootstrap's icons in CSS are data: SVGs
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

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
