"""Settings for jcportal, configured only through environment variables (12-factor).

Every variable is documented in the README (section Configuration). The embedded default (no variable
set) runs on SQLite, local files under ``var/`` and a Celery worker on a server-less transport.
"""

from __future__ import annotations

import os
from pathlib import Path

import environ
from django.conf.locale import LANG_INFO

BASE_DIR = Path(__file__).resolve().parent  # src/jcportal
PROJECT_DIR = BASE_DIR.parent.parent  # repository root

env = environ.Env()
VAR_DIR = Path(env.str("JCPORTAL_VAR_DIR", default=str(PROJECT_DIR / "var")))

# --- Mode -------------------------------------------------------------------------------------------
# JCPORTAL_MODE=production switches on the production checks in core.checks (refuses to start with
# insecure settings). Everything else is "development" (the embedded default, demo, tests).
MODE = env.str("JCPORTAL_MODE", default="development")
PRODUCTION = MODE == "production"

DEFAULT_SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 - refused in production
SECRET_KEY = env.str("SECRET_KEY", default=DEFAULT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "jcportal.core.views.csrf_failure"  # the translated 403 page in the site's layout
SITE_NAME = env.str("SITE_NAME", default="Jobcenter-Portal")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DEMO_DATA = env.bool("DEMO_DATA", default=not PRODUCTION)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # our bounded contexts, lowest layer first
    "jcportal.core",
    "jcportal.audit",
    "jcportal.households",
    "jcportal.accounts",
    "jcportal.inbox",
    "jcportal.documents",
    "jcportal.casework",
    "jcportal.postbox",
    "jcportal.docrequests",
    "jcportal.scanning",
    "jcportal.eforms",
    "jcportal.events",
    "jcportal.exporters",
    "jcportal.api",
    "jcportal.records",
    "jcportal.mail",
    "jcportal.portal",
    "jcportal.backoffice",
    "jcportal.demo",
]

MIDDLEWARE = [
    "jcportal.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "jcportal.core.middleware.SecurityHeadersMiddleware",
    "jcportal.core.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jcportal.core.middleware.LanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jcportal.accounts.middleware.StaffSecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
    "jcportal.core.crypto.middleware.KeyUnavailableMiddleware",  # 503 while the master key is missing
]

ROOT_URLCONF = "jcportal.urls"
WSGI_APPLICATION = "jcportal.wsgi.application"

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
                "jcportal.core.context_processors.site",
                "jcportal.casework.context_processors.notifications",
            ],
        },
    }
]
FORM_RENDERER = "jcportal.core.forms.GovFormRenderer"

# --- Database ---------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'jcportal.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------------
# Locks (scan folder, beat leader), rate limits and throttles live in this cache: production needs one
# shared by every process (Redis); core.checks refuses a process-local one.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://jcportal")}
SHARED_CACHE = not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache", "FileBasedCache"))

# --- Integration API (docs/integration/api.md) --------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["jcportal.api.auth.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["jcportal.api.auth.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["jcportal.api.auth.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "jcportal.api.schema.ApiAutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "jcportal integration API",
    "DESCRIPTION": "Documents, submissions, households, letters, document requests, acknowledgements and "
    "the events feed of the digital Jobcenter. Bearer tokens per API client with scopes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "jcportal.api.links.add_links",
    ],
}

# --- Authentication ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id at OWASP's recommended minimum (m=19 MiB, t=2, p=1), measured by bench/argon2_params.py:
# 22 ms CPU per hash against 215 ms for Django's default (docs/operations/security.md).
PASSWORD_HASHERS = [
    "jcportal.accounts.hashers.MeasuredArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:after-login"
LOGOUT_REDIRECT_URL = "core:home"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)  # 30 minutes idle timeout
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = False
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Jobcenter-Portal")
# Staff must pass a second factor; tests and demo may relax this only outside production.
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=True)
# Passkeys (WebAuthn): relying party id and origin default to SITE_URL's host and origin.
PASSKEY_RP_ID = env.str("PASSKEY_RP_ID", default="")
PASSKEY_ORIGIN = env.str("PASSKEY_ORIGIN", default="")
PASSKEY_CHALLENGE_SECONDS = env.int("PASSKEY_CHALLENGE_SECONDS", default=300)
# Fachaufsicht: the team lead reads (and works on) the team's cases, audited like every read; off = the
# team lead has statistics, routing test and scan station only (accounts.policy.case_roles).
TEAM_LEAD_READS_CASES = env.bool("TEAM_LEAD_READS_CASES", default=True)

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Lockout per account: Jobcenter offices and public Wi-Fi put many people behind one IP address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# X_FRAME_OPTIONS stays SAMEORIGIN: the back office shows a document's PDF in a frame of its own page.
SILENCED_SYSTEM_CHECKS.append("security.W019")

# OpenID Connect (BundID / state portal accounts), off unless configured.
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_DISCOVERY_URL = env.str("OIDC_OP_DISCOVERY_URL", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_ACCOUNT_CLAIM = env.str("OIDC_ACCOUNT_CLAIM", default="sub")  # matched against User.oidc_subject
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc-callback"
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("jcportal.accounts.oidc.JobcenterOIDCBackend")

# --- Internationalisation ---------------------------------------------------------------------------
LANGUAGE_CODE = "de"
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
LANGUAGES = [
    ("de", "Deutsch"),
    ("de-ls", "Leichte Sprache"),
    ("ar", "العربية"),
    ("ti", "ትግርኛ"),
    ("tr", "Türkçe"),
    ("en", "English"),
    ("fa", "فارسی"),
]
LANGUAGES_BIDI = ["ar", "fa"]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "jcportal_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANG_INFO.setdefault(
    "de-ls", {"bidi": False, "code": "de-ls", "name": "Easy German", "name_local": "Leichte Sprache"}
)
LANG_INFO.setdefault("ti", {"bidi": False, "code": "ti", "name": "Tigrinya", "name_local": "ትግርኛ"})

# --- Files ------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-public/"  # private files are served only through views that check access
S3_BUCKET = env.str("S3_BUCKET", default="")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
            "access_key": env.str("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default=None),
            "region_name": env.str("S3_REGION", default=None),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "file_permissions_mode": 0o640},
    }
# Encryption at rest (docs/security.md): the backend chosen above, encrypting (core.storage).
_default_storage["BACKEND"] = "jcportal.core.storage.Encrypted" + _default_storage["BACKEND"].split(".")[-1]
ENCRYPTION_AT_REST = env.bool("ENCRYPTION_AT_REST", default=True)
KEY_PROVIDER = env.str("KEY_PROVIDER", default="local")
KMS_KEY_ID = env.str("KMS_KEY_ID", default="")
KMS_ENDPOINT_URL = env.str("KMS_ENDPOINT_URL", default="")
KMS_REGION = env.str("KMS_REGION", default="eu-central-1")
STORAGES = {
    "default": _default_storage,
    # Content-hashed names + gzip/Brotli copies, written by collectstatic (make run / deployment); tests
    # render plain names (conftest.py) unless they run collectstatic themselves.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
from jcportal.core.staticfiles import add_headers as _static_headers  # noqa: E402

WHITENOISE_ADD_HEADERS_FUNCTION = _static_headers  # hashed files: one year, immutable
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024  # bigger uploads stream to a temporary file
DATA_UPLOAD_MAX_NUMBER_FILES = 60
UPLOAD_MAX_FILE_BYTES = env.int("UPLOAD_MAX_FILE_MB", default=20) * 1024 * 1024
UPLOAD_MAX_PAGES = env.int("UPLOAD_MAX_PAGES", default=50)
UPLOAD_MAX_FILES = env.int("UPLOAD_MAX_FILES", default=30)
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=60_000_000)
# Decoding of an uploaded file runs in a child with this much memory on top of the worker's own and this
# much CPU time (documents.limits); beyond them the file is refused with a message.
CONVERT_MEMORY_MB = env.int("CONVERT_MEMORY_MB", default=1536)
CONVERT_SECONDS = env.int("CONVERT_SECONDS", default=120)
# A request body larger than this is refused from its Content-Length before any of it is read
# (core.middleware.RequestBodyLimitMiddleware); views may set a tighter limit (max_body_bytes).
REQUEST_MAX_BODY_BYTES = UPLOAD_MAX_FILE_BYTES * UPLOAD_MAX_FILES + 2_621_440

# --- Background work (Celery) -----------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        os.makedirs(BROKER_DIR / _folder, exist_ok=True)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Queues by kind of work (docs/operations/deployment.md runs one worker deployment per queue): the
# heartbeat and beat jobs never wait behind OCR, mail never waits behind intake. First match wins.
CELERY_TASK_DEFAULT_QUEUE = "intake"
CELERY_TASK_CREATE_MISSING_QUEUES = True
CELERY_TASK_ROUTES = {
    "jcportal.core.tasks.*": {"queue": "housekeeping"},
    "jcportal.documents.tasks.sanity_check": {"queue": "housekeeping"},
    "jcportal.casework.tasks.send_daily_digests": {"queue": "housekeeping"},
    "jcportal.docrequests.tasks.send_reminders": {"queue": "housekeeping"},
    "jcportal.scanning.tasks.import_folder": {"queue": "housekeeping"},
    "jcportal.eforms.tasks.purge_stale_drafts": {"queue": "housekeeping"},
    "jcportal.records.tasks.*": {"queue": "housekeeping"},
    "jcportal.api.tasks.expire_uploads": {"queue": "housekeeping"},
    "jcportal.postbox.tasks.*": {"queue": "housekeeping"},
    "jcportal.portal.tasks.*": {"queue": "housekeeping"},
    "jcportal.inbox.tasks.hand_over_absences": {"queue": "housekeeping"},
    "jcportal.casework.tasks.followups_daily": {"queue": "housekeeping"},
    "*ocr*": {"queue": "ocr"},
    "*preview*": {"queue": "ocr"},
    "*thumbnail*": {"queue": "ocr"},
    "*mail*": {"queue": "io"},
    "*outbox*": {"queue": "io"},
    "jcportal.events.tasks.*": {"queue": "io"},
    "jcportal.exporters.*": {"queue": "io"},
    "jcportal.api.*": {"queue": "io"},
    "*": {"queue": "intake"},
}
# Soft limit: the task gets SoftTimeLimitExceeded and can clean up; hard limit: its process is killed
# (the pipeline's lease + resumer pick the document up again). Per task; "*" is the default.
TASK_TIME_LIMITS = {
    "*": (300, 360),
    "jcportal.documents.tasks.run_pipeline": (
        env.int("PIPELINE_SOFT_TIME_LIMIT", default=840),
        env.int("PIPELINE_TIME_LIMIT", default=900),
    ),
    "jcportal.scanning.tasks.process_batch": (1740, 1800),
    "jcportal.scanning.tasks.import_folder": (1740, 1800),
    "jcportal.core.tasks.heartbeat": (10, 20),
    "jcportal.core.tasks.resume_stalled_work": (50, 60),
    "jcportal.documents.tasks.sanity_check": (3540, 3600),
}
CELERY_TASK_SOFT_TIME_LIMIT, CELERY_TASK_TIME_LIMIT = TASK_TIME_LIMITS["*"]
CELERY_TASK_ANNOTATIONS = {
    name: {"soft_time_limit": soft, "time_limit": hard}
    for name, (soft, hard) in TASK_TIME_LIMITS.items()
    if name != "*"
}
# Redis redelivers an unacknowledged message after the visibility timeout: it must be longer than the
# longest hard limit, or a task still running would be started a second time.
BROKER_VISIBILITY_TIMEOUT = max(hard for _soft, hard in TASK_TIME_LIMITS.values()) + 600
if not CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# With a shared cache beat keeps when each job last ran there (core.beat), else in a local file.
CELERY_BEAT_SCHEDULER = (
    "jcportal.core.beat:SharedScheduler" if SHARED_CACHE else "celery.beat:PersistentScheduler"
)
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "jcportal.core.tasks.heartbeat", "schedule": 15.0},
    "resume-stalled-work": {"task": "jcportal.core.tasks.resume_stalled_work", "schedule": 60.0},
    "documents-sanity-check": {"task": "jcportal.documents.tasks.sanity_check", "schedule": 7 * 24 * 3600.0},
    "daily-digest": {"task": "jcportal.casework.tasks.send_daily_digests", "schedule": 24 * 3600.0},
    # absences that began: the open items of the absent person go to the deputies (docs/staff/clearing.md)
    "inbox-hand-over-absences": {"task": "jcportal.inbox.tasks.hand_over_absences", "schedule": 3600.0},
    # Wiedervorlagen of overdue document requests and notices of due ones (casework/followups.py)
    "casework-followups": {"task": "jcportal.casework.tasks.followups_daily", "schedule": 6 * 3600.0},
    "document-request-reminders": {
        "task": "jcportal.docrequests.tasks.send_reminders",
        "schedule": 24 * 3600.0,
    },
    "scan-import-folder": {"task": "jcportal.scanning.tasks.import_folder", "schedule": 60.0},
    "eforms-purge-stale-drafts": {
        "task": "jcportal.eforms.tasks.purge_stale_drafts",
        "schedule": 24 * 3600.0,
    },
    # retention (docs/operations/records.md): the destruction proposal of the day, old audit months pruned
    "records-daily": {"task": "jcportal.records.tasks.daily", "schedule": 24 * 3600.0},
    # API uploads in parts that were not completed in time (api/uploads.py)
    "api-expire-uploads": {"task": "jcportal.api.tasks.expire_uploads", "schedule": 3600.0},
    # letters left unretrieved in the postbox become tasks to send them by post (docs/staff/postbox.md)
    "postbox-unretrieved": {"task": "jcportal.postbox.tasks.flag_unretrieved", "schedule": 24 * 3600.0},
    # parts of resumable portal uploads never completed (portal/abandoned_uploads.py)
    "portal-purge-abandoned-uploads": {
        "task": "jcportal.portal.tasks.purge_abandoned_uploads",
        "schedule": 3600.0,
    },
}
# Online-service drafts without a date of application are deleted after this many idle days.
EFORMS_DRAFT_RETENTION_DAYS = env.int("EFORMS_DRAFT_RETENTION_DAYS", default=30)
WORKER_HEARTBEAT_MAX_AGE = env.int("WORKER_HEARTBEAT_MAX_AGE", default=90)
DOCUMENT_REQUEST_REMINDER_DAYS = env.int("DOCUMENT_REQUEST_REMINDER_DAYS", default=3)
SCAN_IMPORT_DIR = env.str("SCAN_IMPORT_DIR", default="")  # watched folder of the scan station (input only)
# Letters postbox, § 37 (2a) SGB X: "third_day" (after the e-mail notice) or "retrieval" (the day after).
POSTBOX_NOTIFICATION_RULE = env.str("POSTBOX_NOTIFICATION_RULE", default="third_day")
POSTBOX_UNRETRIEVED_DAYS = env.int("POSTBOX_UNRETRIEVED_DAYS", default=10)
# Parts of resumable portal uploads whose newest part is older than this are deleted (hourly).
PORTAL_UPLOAD_PARTS_MAX_AGE_HOURS = env.float("PORTAL_UPLOAD_PARTS_MAX_AGE_HOURS", default=24.0)

# --- Events and webhooks (docs/integration/events.md) ---------------------------------------------
# Webhook retries: base · 2^(attempt-1) seconds with jitter, capped; after the last attempt a dead letter.
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
WEBHOOK_RETRY_MAX_SECONDS = env.float("WEBHOOK_RETRY_MAX_SECONDS", default=6 * 3600.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=12)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)

# --- Exporters to the DMS and the Fachverfahren (docs/integration/exporters.md) ---------------------
# Every exporter's target folder lies below this folder (mount the DMS's watched folders there).
EXPORTER_FOLDER_ROOT = Path(env.str("EXPORTER_FOLDER_ROOT", default=str(VAR_DIR / "exports")))
# A document sent to the DMS and not acknowledged within this many hours shows as overdue.
DMS_ACK_OVERDUE_HOURS = env.int("DMS_ACK_OVERDUE_HOURS", default=48)

# --- Malware scanner and OCR ------------------------------------------------------------------------
CLAMD_SOCKET = env.str("CLAMD_SOCKET", default="")
CLAMD_HOST = env.str("CLAMD_HOST", default="")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
MALWARE_SCAN_REQUIRED = env.bool("MALWARE_SCAN_REQUIRED", default=PRODUCTION)
# clamd without current signatures is no scanner: production refuses to start and /readyz fails.
CLAMAV_SIGNATURE_MAX_AGE_HOURS = env.float("CLAMAV_SIGNATURE_MAX_AGE_HOURS", default=72.0)
OCR_ENABLED = env.bool("OCR_ENABLED", default=True)
OCR_LANGUAGES = env.str("OCR_LANGUAGES", default="deu+eng")
OCR_JOBS = env.int("OCR_JOBS", default=0)  # pages in parallel per OCR task; 0 = the machine's cores
OCR_DOWNSAMPLE_ABOVE = env.int("OCR_DOWNSAMPLE_ABOVE", default=4000)  # Tesseract's input only
# Intake pipeline: a worker's lease on a document; after it expires the resumer re-queues the document.
PIPELINE_LEASE_SECONDS = env.int("PIPELINE_LEASE_SECONDS", default=600)
PIPELINE_RESUME_AFTER_SECONDS = env.int("PIPELINE_RESUME_AFTER_SECONDS", default=30)
# Attempts count when a worker claims a step; after this many without finishing it, it is parked as failed.
PIPELINE_MAX_ATTEMPTS = env.int("PIPELINE_MAX_ATTEMPTS", default=3)
# While a dependency (scanner, storage, database, broker) is down, the document waits: retry interval.
PIPELINE_WAIT_RETRY_SECONDS = env.int("PIPELINE_WAIT_RETRY_SECONDS", default=30)

# --- Mail -------------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Jobcenter-Portal <noreply@jobcenter.example>")
# Mail leaves through the outbox (jcportal.mail): a task on the io queue sends it, with retries.
MAIL_MAX_ATTEMPTS = env.int("MAIL_MAX_ATTEMPTS", default=8)
MAIL_RETRY_BASE_SECONDS = env.float("MAIL_RETRY_BASE_SECONDS", default=30.0)
# Reports of barriers (accessibility statement); empty = the e-mail address of the Jobcenter record.
ACCESSIBILITY_FEEDBACK_EMAIL = env.str("ACCESSIBILITY_FEEDBACK_EMAIL", default="")

# --- Security ---------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
)

# Probes answer over plain HTTP inside the cluster (the HTTPS redirect is for browsers).
SECURE_REDIRECT_EXEMPT = [r"^livez$", r"^readyz$", r"^healthz$", r"^metrics$"]
# GET /metrics (Prometheus) needs "Authorization: Bearer <METRICS_TOKEN>"; empty = no /metrics.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Audit ------------------------------------------------------------------------------------------
AUDIT_TRUSTED_PROXY_DEPTH = env.int("AUDIT_TRUSTED_PROXY_DEPTH", default=0)

# One JSON object per line with the request id (core.logging); LOG_FORMAT=plain for reading by eye.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "jcportal.core.logging.RequestIdFilter"},
        "redact": {"()": "jcportal.core.logging.RedactFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
    },
}

os.makedirs(VAR_DIR, exist_ok=True)
