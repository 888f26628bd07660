"""SupportBot settings. This is the only module that reads the environment.

With nothing set you get the embedded single-process setup: SQLite under ./var/, the in-memory
channel layer and the inference engine inside the web process (run with DEBUG=1 so that a
development SECRET_KEY is generated and kept in ./var/). Set DATABASE_URL and REDIS_URL for the
PostgreSQL + Redis setup with separate inference workers.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1 or 0)")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None


def _env_float(name: str) -> float | None:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else None
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number") from None


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _development_secret_key(path: Path) -> str:
    """Read the key kept in var/, creating it once; several processes may race to create it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as key_file:
        key = secrets.token_urlsafe(50)
        key_file.write(key)
    return key


BASE_DIR = Path(__file__).resolve().parent.parent
# Runtime state of the embedded setup: SQLite file, uploaded images, development secret key.
VAR_DIR = Path(os.environ.get("SUPPORTBOT_VAR_DIR") or BASE_DIR / "var")

DEBUG = _env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or run with DEBUG=1 to use a development key kept in var/."
        )
    SECRET_KEY = _development_secret_key(VAR_DIR / "secret_key")

# Empty with DEBUG on means localhost only (Django's default); list real host names in production.
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "daphne",  # makes `manage.py runserver` serve ASGI (WebSockets) too
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "supportbot.chat",
    "supportbot.api",
    "supportbot.inference_bridge",
    "supportbot.health",
    "supportbot.events",
    "supportbot.agents",
    "supportbot.ops",
    "supportbot.knowledge",
    "supportbot.widget",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the language cookie (the chat page's switcher, or its `lang` parameter from
    # the widget's data-lang), else Accept-Language (supportbot.lib.languages).
    "django.middleware.locale.LocaleMiddleware",
    "supportbot.lib.languages.LanguageParameterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "supportbot.lib.csp.ContentSecurityPolicyMiddleware",
    "supportbot.chat.identity.VisitorMiddleware",
]

ROOT_URLCONF = "supportbot.urls"
ASGI_APPLICATION = "supportbot.asgi.application"

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
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "supportbot.sqlite3",
            # Keep each thread's connection: reopening a SQLite file (and rerunning the PRAGMAs)
            # on every database_sync_to_async call was half of the database thread's time.
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # WAL lets readers run during a write; IMMEDIATE takes the write lock at BEGIN so
                # concurrent turns queue up instead of failing with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Tests get a file too (in the run's own var dir): a thread that writes while another
            # does (mail and webhooks run on background threads here) then waits for the lock as
            # in production; an in-memory database's shared cache fails it at once instead.
            "TEST": {"NAME": VAR_DIR / "test.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Namespaces every Redis key and channel, so several deployments (or test runs) can share one Redis.
REDIS_PREFIX = os.environ.get("SUPPORTBOT_REDIS_PREFIX", "supportbot")
# Room for a whole streamed reply in a channel's queue even when its reader lags behind (the
# in-memory layer; Redis's pub/sub has no queue to fill).
CHANNEL_CAPACITY = 2000
# After a Redis restart every pooled connection is dead; redis-py then retries a command on a
# fresh connection instead of failing the socket or the reply that issued it.
REDIS_CONNECTION_OPTIONS = {
    "retry": AsyncRetry(ExponentialBackoff(cap=0.5, base=0.05), 3),
    "retry_on_error": [RedisConnectionError, RedisTimeoutError],
}
if REDIS_URL:
    # Pub/sub: a streamed token is one PUBLISH, pushed to the web processes that listen. The
    # list-based layer (channels_redis.core) took four round trips to Redis for every message a
    # web process received, and its event loop saturated at a few hundred tokens a second
    # (docs/performance.md). A frame published while a web process is not listening is lost:
    # chat sockets recover a missed reply.end from the database (chat.consumer), and requests to
    # the inference workers go through lists instead (inference_bridge.registry).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, **REDIS_CONNECTION_OPTIONS}],
                "prefix": f"{REDIS_PREFIX}:asgi",
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": CHANNEL_CAPACITY},
        }
    }
# Pub/sub can lose a frame; the in-memory layer cannot, and then nothing needs to check for that.
CHAT_FRAMES_MAY_BE_LOST = bool(REDIS_URL)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# English and Simplified Chinese, for visitors, agents and the admin (locale/, compiled .mo files
# committed); any other language falls back to English, any Chinese to Simplified Chinese.
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A visitor's choice of language is kept as long as their visitor cookie.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
# Uploaded screenshots; never served as static files, only through the permission-checked view.
MEDIA_ROOT = VAR_DIR / "media"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # Personal data is redacted from every log line (SUPPORTBOT_REDACT_PII, supportbot.ops).
    "filters": {"redact_pii": {"()": "supportbot.lib.redaction.RedactingFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_pii"],
        }
    },
    "loggers": {"supportbot": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# --- Inference -------------------------------------------------------------------------------
# A name load_model understands ("tiny-random", "smollm2-135m", a hub id); empty = the engine's
# default for this machine.
SUPPORTBOT_MODEL = os.environ.get("SUPPORTBOT_MODEL", "")
SUPPORTBOT_MAX_NEW_TOKENS = _env_int("SUPPORTBOT_MAX_NEW_TOKENS", 256)
# Past this many tokens a chat reply ends at its next sentence end (a chat answer's length);
# SUPPORTBOT_MAX_NEW_TOKENS stays the hard limit.
SUPPORTBOT_REPLY_WRAP_UP_TOKENS = _env_int("SUPPORTBOT_REPLY_WRAP_UP_TOKENS", 120)
# Memory for all conversations' KV caches in one engine (see docs/deploy.md for sizing on GPUs),
# and how many conversations generate together in one batched step.
SUPPORTBOT_KV_CACHE_MB = _env_int("SUPPORTBOT_KV_CACHE_MB", 2048)
SUPPORTBOT_MAX_BATCH = _env_int("SUPPORTBOT_MAX_BATCH", 16)
# A remote OpenAI-compatible engine (vLLM, SGLang, llama.cpp's server) answers every turn instead
# of a model in SupportBot's processes: its base URL (as `vllm serve` prints it, ending in /v1),
# the model name it serves, its API key, and whether that model sees images (1) or reads
# screenshots as OCR text (0). See docs/deploy.md.
SUPPORTBOT_INFERENCE_URL = os.environ.get("SUPPORTBOT_INFERENCE_URL", "").strip().rstrip("/")
SUPPORTBOT_INFERENCE_MODEL = os.environ.get("SUPPORTBOT_INFERENCE_MODEL", "").strip()
SUPPORTBOT_INFERENCE_KEY = os.environ.get("SUPPORTBOT_INFERENCE_KEY", "")
SUPPORTBOT_INFERENCE_VISION = _env_bool("SUPPORTBOT_INFERENCE_VISION", False)
if SUPPORTBOT_INFERENCE_URL and not SUPPORTBOT_INFERENCE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SUPPORTBOT_INFERENCE_URL={SUPPORTBOT_INFERENCE_URL!r} is not an http(s) URL")
if SUPPORTBOT_INFERENCE_URL and not SUPPORTBOT_INFERENCE_MODEL:
    raise ImproperlyConfigured("SUPPORTBOT_INFERENCE_URL is set: set SUPPORTBOT_INFERENCE_MODEL to the model it serves")
# The bot's way to say it cannot help: the system prompt asks for this marker, generation stops
# at it (it is never shown or stored) and the conversation goes to a person (agents.triggers).
HANDOFF_MARKER = "[[HANDOFF]]"
# Whose customers the bot and the agents speak to (the sample help center's fictional company
# until set).
SUPPORTBOT_COMPANY = os.environ.get("SUPPORTBOT_COMPANY", "Lumora")
SUPPORTBOT_SYSTEM_PROMPT = (
    f"You are SupportBot, the friendly customer-support assistant of {SUPPORTBOT_COMPANY}. Users "
    "may attach screenshots of their problem. Answer briefly and concretely, in the user's "
    "language. If you cannot help, say so in one short sentence and end with "
    f"{HANDOFF_MARKER} to bring in a person."
)
# Workers refresh their heartbeat this often; one silent for WORKER_TTL_S counts as dead, and
# its conversations move to the remaining workers.
INFERENCE_HEARTBEAT_S = 1.0
INFERENCE_WORKER_TTL_S = 3.0
# Generation requests waiting for one worker, at most; a worker's queue expires this long after
# its last request (a dead worker's requests go with it; its replies are handed on).
INFERENCE_QUEUE_CAPACITY = 2000
INFERENCE_QUEUE_EXPIRY_S = 60.0
# The process running a bot reply renews its lease every third of this; a reply whose lease
# lapsed (its process died) is started again or failed by any process (chat.replies).
REPLY_LEASE_S = _env_float("SUPPORTBOT_REPLY_LEASE_S") or 15.0
# No reply runs longer: the engine ends each request within 120 s, this bounds everything else.
REPLY_DEADLINE_S = 180.0

# --- Chat limits (documented in docs/protocol.md) ---------------------------------------------
CHAT_MAX_TEXT_CHARS = 4000
CHAT_MAX_ATTACHMENTS_PER_MESSAGE = 4
# Token bucket per visitor over all incoming WebSocket frames: a burst, then a steady rate.
CHAT_FRAME_BURST = 20
CHAT_FRAMES_PER_SECOND = 2.0
# Token bucket per visitor over uploads.
UPLOAD_BURST = 10
UPLOADS_PER_SECOND = 0.2
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
# Decoded size limit against decompression bombs: a 6K screenshot is about 20 Mpx.
UPLOAD_MAX_PIXELS = 25_000_000
# A screenshot as stored (re-encoded) is at most this large: a lossless PNG that would be larger
# is kept as a JPEG, and one still larger is refused.
UPLOAD_MAX_STORED_BYTES = _env_int("SUPPORTBOT_UPLOAD_MAX_STORED_BYTES", UPLOAD_MAX_BYTES)
# Uploads no message referenced within this time are deleted (the visitor never sent them).
UNSENT_UPLOAD_TTL_S = _env_int("SUPPORTBOT_UNSENT_UPLOAD_TTL_S", 6 * 3600)
UNSENT_UPLOAD_SWEEP_INTERVAL_S = 3600
# Decoded screenshots kept in memory per process for the next turns that resend them.
DECODED_IMAGE_CACHE_BYTES = _env_int("SUPPORTBOT_DECODED_IMAGE_CACHE_MB", 256) * 1024 * 1024

# Per client address, over all of its visitor ids (a new cookie is free, a new address is not),
# counted in Django's cache: in Redis when REDIS_URL is set, so every web process shares them.
# Generous, since an office or a mobile carrier puts many visitors behind one address.
CHAT_FRAMES_PER_ADDRESS_PER_MINUTE = _env_int("SUPPORTBOT_CHAT_FRAMES_PER_ADDRESS_PER_MINUTE", 600)
UPLOADS_PER_ADDRESS_PER_MINUTE = _env_int("SUPPORTBOT_UPLOADS_PER_ADDRESS_PER_MINUTE", 60)
# Conversations stored for visitors' first chat sockets, and fresh visitor ids the chat page hands
# out, each per minute (a separate count of each, so one new visitor costs one of both).
NEW_CONVERSATIONS_PER_ADDRESS_PER_MINUTE = _env_int("SUPPORTBOT_NEW_CONVERSATIONS_PER_ADDRESS_PER_MINUTE", 30)
# Bot replies generating, and uploads being processed, at once for one address.
GENERATIONS_PER_ADDRESS = _env_int("SUPPORTBOT_GENERATIONS_PER_ADDRESS", 8)
UPLOADS_IN_PROGRESS_PER_ADDRESS = _env_int("SUPPORTBOT_UPLOADS_IN_PROGRESS_PER_ADDRESS", 4)
# The proxies in front of Daphne whose X-Forwarded-For and X-Forwarded-Proto are believed
# (comma-separated addresses or CIDR networks, e.g. 172.16.0.0/12 for a proxy reaching the
# container through Docker's bridge). Empty: the peer is the client, and forwarded headers count
# for nothing.
TRUSTED_PROXIES = _env_list("SUPPORTBOT_TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"SUPPORTBOT_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network"
        ) from None

# --- Browser security (docs/deploy.md, "Security") --------------------------------------------
# Outside DEBUG the site is served over HTTPS (a TLS proxy in front, docs/deploy.md): cookies are
# sent over HTTPS only (the visitor cookie follows SESSION_COOKIE_SECURE), and browsers are told to
# come back over HTTPS only (HSTS, sent on HTTPS responses). SUPPORTBOT_HTTPS=0 serves plain HTTP,
# for a private network without TLS.
HTTPS = _env_bool("SUPPORTBOT_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = _env_int("SUPPORTBOT_HSTS_SECONDS", 365 * 24 * 3600) if HTTPS else 0
SECURE_REFERRER_POLICY = "same-origin"  # other sites never see a conversation's address
SECURE_CONTENT_TYPE_NOSNIFF = True
# Directive -> sources (supportbot.lib.csp; the socket's ws(s):// URL is added per request). No
# inline script anywhere: every page's JavaScript is a file under static/. Inline styles stay
# allowed: Django's admin and the widget's shadow root use them, and they cannot run code. Off in
# DEBUG, where Django's error pages need inline scripts.
CONTENT_SECURITY_POLICY: dict[str, list[str]] = {} if DEBUG else {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

VISITOR_COOKIE_NAME = "sb_visitor"
VISITOR_COOKIE_MAX_AGE_S = 365 * 24 * 3600
# The website widget (supportbot/widget, docs/widget.md): the HMAC-SHA256 key host sites sign their
# signed-in user's id, email and name with. Empty: every widget visitor stays anonymous.
WIDGET_SECRET = os.environ.get("SUPPORTBOT_WIDGET_SECRET", "")

# --- OpenAI-compatible API (supportbot/api, docs/api.md) ---------------------------------------
# Django's cache holds the API's rate-limit counters and result cache: in Redis when there is one,
# so that every web process shares them; else in this process's memory.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{REDIS_PREFIX}:cache",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Largest accepted request body, base64 images included (answered 413 above it).
API_MAX_BODY_BYTES = _env_int("SUPPORTBOT_API_MAX_BODY_BYTES", 8 * 1024 * 1024)
# Image parts in one request, and their pixels together, read from the images' headers before
# any is decoded.
API_MAX_IMAGES = _env_int("SUPPORTBOT_API_MAX_IMAGES", 8)
API_MAX_TOTAL_PIXELS = _env_int("SUPPORTBOT_API_MAX_TOTAL_PIXELS", 50_000_000)
# Django refuses to read larger bodies into memory; the API's own limit is the one that counts.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(API_MAX_BODY_BYTES, 2_621_440)
# Seconds an identical deterministic (temperature 0) request is answered from the result cache;
# 0 turns the result cache off.
API_RESULT_CACHE_TTL_S = _env_int("SUPPORTBOT_API_RESULT_CACHE_TTL_S", 600)
# image_url parts with http(s) URLs are fetched only from these exact host names (empty: never);
# redirects are not followed, size is capped at UPLOAD_MAX_BYTES and time at this many seconds.
API_IMAGE_URL_HOSTS = _env_list("SUPPORTBOT_API_IMAGE_URL_HOSTS")
API_IMAGE_URL_TIMEOUT_S = _env_int("SUPPORTBOT_API_IMAGE_URL_TIMEOUT_S", 5)
API_MAX_TOKENS = 2048  # the engine's own limit on max_new_tokens
# Model names clients may ask for; all are served by the one configured model. The seed article's
# clients send "glm-4.6v-flash-web".
API_MODEL_NAMES = [SUPPORTBOT_MODEL or "supportbot", "glm-4.6v-flash-web"]

# --- Celery (supportbot/celery.py) ------------------------------------------------------------
# With Redis the broker is REDIS_URL; without it every task runs eagerly inside the calling
# process (the embedded setup), which the Celery app logs at start-up.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
# A worker that dies mid-task leaves the message unacknowledged, so another worker runs it again;
# every task is idempotent for that reason.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = f"{REDIS_PREFIX}:tasks"
# Without Redis there is no beat process: the web process runs beat's schedule itself.
EMBEDDED_BEAT = not REDIS_URL and _env_bool("SUPPORTBOT_EMBEDDED_BEAT", True)
# With a broker, undelivered events (it was down when they were written) are sent again this
# often. Embedded, the sweep is how every event ships: each second, in one transaction.
EVENT_SWEEP_INTERVAL_S = _env_int("SUPPORTBOT_EVENT_SWEEP_S", 30 if REDIS_URL else 1)
# An event younger than this is left to the task its commit queued; older ones the sweep ships.
EVENT_SWEEP_GRACE_S = 5 if REDIS_URL else 0

# --- Escalation to human agents (supportbot/agents) ---------------------------------------------
# Pending conversations nobody claimed within this time are offered to the next agent, raised in
# priority and reported to the supervisors.
HANDOFF_SLA_S = _env_int("SUPPORTBOT_HANDOFF_SLA_S", 120)
HANDOFF_SLA_CHECK_INTERVAL_S = _env_int("SUPPORTBOT_HANDOFF_SLA_CHECK_S", 15)  # beat's period
# A console socket refreshes its agent's presence on every ping; silent for this long = offline.
AGENT_PRESENCE_TTL_S = 60
AGENT_DEFAULT_MAX_CONCURRENT = 3
# The waiting room (agents.waiting): a visitor whose expected wait is longer than this is offered
# to leave an email address instead; first responses of this recent past make the estimate.
WAITING_EMAIL_OFFER_AFTER_S = _env_int("SUPPORTBOT_WAITING_EMAIL_OFFER_AFTER_S", 300)
WAITING_SAMPLE_WINDOW_S = _env_int("SUPPORTBOT_WAITING_SAMPLE_WINDOW_S", 86400)
# Trigger thresholds: consecutive failed bot replies, identical questions, thumbs-down in a row.
ESCALATE_AFTER_BOT_FAILURES = 2
ESCALATE_AFTER_REPEATS = 3
ESCALATE_AFTER_THUMBS_DOWN = 2
# A bot reply whose tokens' mean log-probability is below this hands the conversation to a person
# (the model was unsure). Unset: off, since the right value depends on the model: calibrate it
# from the mean_logprob of stored replies (their message.out events).
HANDOFF_MIN_MEAN_LOGPROB = _env_float("SUPPORTBOT_HANDOFF_MIN_MEAN_LOGPROB")
# Comma-separated words that hand a conversation to a person as abusive or very negative.
ESCALATION_ABUSE_WORDS = _env_list("SUPPORTBOT_ESCALATION_ABUSE_WORDS") or [
    "idiot", "stupid", "useless", "garbage", "scam", "lawyer", "sue", "垃圾", "骗子", "投诉",
]
# Moderation patterns are written by supervisors: each match against a message may take this long
# at most (a pattern that backtracks past it is skipped and logged, agents.triggers).
MODERATION_MATCH_TIMEOUT_S = 0.1
# Outgoing mail (handoff notifications to agents and supervisors).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "supportbot@localhost")
# The SMTP server of django.core.mail.backends.smtp.EmailBackend. Mail is sent by a Celery task
# (agents.tasks.send_mail_task), never by a chat socket; a server that stops answering is given
# up on after EMAIL_TIMEOUT seconds.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = _env_int("EMAIL_TIMEOUT", 10)
# Webhook deliveries: attempts in all before a delivery is recorded as failed.
WEBHOOK_MAX_ATTEMPTS = 4
WEBHOOK_TIMEOUT_S = 5
# A failed attempt is tried again this long after it, twice as long after each further failure;
# beat's sweep queues the due ones (and those the broker refused) this often.
WEBHOOK_RETRY_BASE_S = _env_int("SUPPORTBOT_WEBHOOK_RETRY_BASE_S", 30)
WEBHOOK_SWEEP_INTERVAL_S = _env_int("SUPPORTBOT_WEBHOOK_SWEEP_S", 15)

# --- Operations (supportbot/ops, docs/ops.md) ---------------------------------------------------
# E-mail addresses, phone and card numbers are redacted from event payloads, log lines and
# exports; 0 keeps them (e.g. where the logs are themselves kept under the same protection).
REDACT_PII = _env_bool("SUPPORTBOT_REDACT_PII", default=True)
# Conversations untouched for this many days are deleted (with their screenshots) or anonymised
# by a daily Celery beat task; 0 keeps them forever.
RETENTION_DAYS = _env_int("SUPPORTBOT_RETENTION_DAYS", 90)
RETENTION_MODE = os.environ.get("SUPPORTBOT_RETENTION_MODE", "delete").strip().lower()
if RETENTION_MODE not in {"delete", "anonymise"}:
    raise ImproperlyConfigured(
        f"SUPPORTBOT_RETENTION_MODE={RETENTION_MODE!r}: use delete or anonymise"
    )
# Retention runs daily at this hour (UTC), and once a minute after every start.
RETENTION_HOUR_UTC = 3
# /metrics answers a request bearing this token, or a staff session; with no token only staff.
METRICS_TOKEN = os.environ.get("SUPPORTBOT_METRICS_TOKEN", "")
# Inference workers serve their own Prometheus metrics on this port (0: not at all).
WORKER_METRICS_PORT = _env_int("SUPPORTBOT_WORKER_METRICS_PORT", 0)
# Bot replies slower than this to their first token count as slow in the log filters.
SLOW_REPLY_TTFT_MS = 2000

# --- Knowledge base (supportbot/knowledge) ------------------------------------------------------
# kb_import refuses files larger than this, and archives whose members together unpack to more
# than KB_IMPORT_MAX_ARCHIVE_BYTES or number more than KB_IMPORT_MAX_ARCHIVE_MEMBERS (zip bombs).
KB_IMPORT_MAX_FILE_BYTES = 1024 * 1024
KB_IMPORT_MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
KB_IMPORT_MAX_ARCHIVE_MEMBERS = 5000
# 0 indexes and searches lexically only (no embedding model is loaded: no torch in the process).
KB_EMBEDDINGS = _env_bool("SUPPORTBOT_KB_EMBEDDINGS", default=True)
# torch's CPU threads once the embedding model loads (process-wide, as the CPU engine's own
# setting is); 0 leaves torch's default.
KB_EMBED_TORCH_THREADS = 1
# How stale a process's search index may be: an edit reaches questions this much later at most.
KB_INDEX_CHECK_S = 1.0
