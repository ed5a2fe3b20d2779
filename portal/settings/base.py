"""Settings shared by every shape the portal runs in; dev/test/production change only what differs."""

import copy
import os
from pathlib import Path

import dj_database_url
from django.utils.log import DEFAULT_LOGGING
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

INSTALLED_APPS = [
    "portal",
    "home",
    "alliance",
    "bulletins",
    "casework",
    "forms",
    "accounts",
    "points",
    "evaluation",
    "demo",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # whitenoise right after SecurityMiddleware so static files skip the rest of the stack
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 304 for a request whose If-None-Match / If-Modified-Since match the response's validators.
    "django.middleware.http.ConditionalGetMiddleware",
    # Cache-Control and Vary for browsers and proxies (portal/httpcache.py), also on page-cache hits.
    "portal.httpcache.CacheControlMiddleware",
    # Before sessions, CSRF and auth: a cached page for an anonymous visitor costs no query.
    "portal.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Residents' and shop staff's SMS-code sessions count as anonymous in the admin.
    "accounts.middleware.PublicSessionsStayOffAdminMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.security.ContentSecurityPolicyMiddleware",  # django-csp, with the admin's own policy
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "home.context_processors.text_size",
                "home.context_processors.office",
            ],
        },
    },
]


def sqlite_database(path):
    """SQLite tuned for a small multi-user site: WAL, IMMEDIATE writes, a busy timeout."""
    return {
        # Django's backend with a flush that respects append-only tables (portal/appendonly.py).
        "ENGINE": "portal.db.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait
            # (up to the timeout) instead of failing with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;PRAGMA foreign_keys=ON;"
            ),
        },
    }


DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections, checked before reuse: after a database restart the first request
    # of each worker reconnects instead of failing on a dead socket, with no app-server restart.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", 60)), conn_health_checks=True
        )
    }
else:
    DATABASES = {"default": sqlite_database(os.environ.get("SQLITE_PATH", BASE_DIR / "db.sqlite3"))}

# Crash tests only (portal/faults.py): never on outside tests/faults/fault_settings.py.
INTAKE_FAULT_INJECTION = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Staff sign in with a password (Django's backend); residents and shop staff with an SMS code,
# whose backend only restores their sessions and never carries staff rights (accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "accounts.backends.MobileCodeBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Residents' photos and personal uploads never go under MEDIA_ROOT (public) or static:
# they live here and are served only through permission-checked views.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))

# Every file-system storage shortens file names to what any disk accepts (portal/uploads.py).
SAFE_NAME_STORAGE = "portal.uploads.SafeNameStorage"
STORAGES = {
    "default": {"BACKEND": SAFE_NAME_STORAGE},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "private": {
        "BACKEND": SAFE_NAME_STORAGE,
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT / "cases", "base_url": None},
    },
    # Files of unfinished wizards; `cleanup_intake` removes the abandoned ones.
    "wizard_uploads": {
        "BACKEND": SAFE_NAME_STORAGE,
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT / "wizard", "base_url": None},
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def redis_caches(url, prefix="shangju", timeout=0.5):
    """The shared caches on one Redis (portal/sharedcache.py), for production and for tests of it.

    "default" (pages, their parts, Wagtail's and Django's own caching) treats a failing Redis as a
    miss; "counters" (rate limits, login throttles) raises, so those refuse instead of letting all
    through. `timeout` bounds each connect and each reply in seconds: a Redis that hangs costs one
    timeout per process every RETRY_AFTER seconds, not one per cache call.
    """
    options = {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        "SOCKET_CONNECT_TIMEOUT": timeout,
        "SOCKET_TIMEOUT": timeout,
        "RETRY_AFTER": 5,
    }
    backend = "portal.sharedcache.SharedRedisCache"
    return {
        "default": {"BACKEND": backend, "LOCATION": url, "OPTIONS": options, "KEY_PREFIX": prefix},
        "counters": {"BACKEND": backend, "LOCATION": url, "OPTIONS": {**options, "STRICT": True}, "KEY_PREFIX": prefix},
    }


# Whole pages for anonymous visitors (portal/pagecache.py), in seconds; 0 turns the cache off.
# Publishing empties it at once; the time limit only bounds date-dependent parts ("upcoming").
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 300))
# Shared parts of pages (portal/contentcache.py) under the same generation; 0 reads them every time.
CONTENT_CACHE_SECONDS = int(os.environ.get("CONTENT_CACHE_SECONDS", 300))

# What browsers and a proxy or CDN in front may keep (portal/httpcache.py), in seconds. Public
# pages only (anonymous, no form, no cookie set): a browser keeps one HTTP_CACHE_MAX_AGE, a proxy
# HTTP_CACHE_S_MAXAGE and may serve it HTTP_CACHE_STALE_WHILE_REVALIDATE longer while it fetches
# it again. A publish reaches visitors behind a proxy at most s-maxage late (nothing purges it).
HTTP_CACHE_MAX_AGE = int(os.environ.get("HTTP_CACHE_MAX_AGE", 60))
HTTP_CACHE_S_MAXAGE = int(os.environ.get("HTTP_CACHE_S_MAXAGE", 300))
HTTP_CACHE_STALE_WHILE_REVALIDATE = int(os.environ.get("HTTP_CACHE_STALE_WHILE_REVALIDATE", 60))
# ETag / Last-Modified from the content generation on feeds, calendar files and the sitemap; only
# right where every process shares the generation (production turns it off without Redis).
HTTP_CONDITIONAL_GET = True

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Wagtail
WAGTAIL_SITE_NAME = "商居联盟"
# The site's address for links in mails (Wagtail's and ours): from the environment, set by `make run`
# to the address it serves and by production.py to the site's host. Left empty, our mails use the
# site's address instead (portal/siteaddress.py); there is no guessed default port.
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "").strip()
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_WORKFLOW_ENABLED = True
# No gravatar: staff avatars would be fetched from www.gravatar.com, which the admin's CSP refuses
# (a broken image and a console error on every page) and which would tell gravatar who works here.
# Wagtail shows its own default avatar, or the one a user uploads in 账户设置.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Autosave (Wagtail 8): milliseconds after the last change; 0 turns it off. Kept on, at Wagtail's
# default: a half-written article survives a closed tab or a dropped connection. It saves a new page
# as soon as it has a title; such a draft gets a date slug (portal/editing.py), so an editor who
# starts the same article again is not stopped by the first attempt's address.
WAGTAIL_AUTOSAVE_INTERVAL = 500
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx"]
WAGTAILEMBEDS_RESPONSIVE_HTML = True
TAGGIT_CASE_INSENSITIVE = True

DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# The large-text switch (home.views.text_size) keeps the choice in this cookie; the page cache
# stores both sizes of a page and accepts no other cookie from anonymous visitors.
TEXT_SIZE_COOKIE = "text_size"

FORMAT_MODULE_PATH = ["portal.formats"]

SITE_NAME = _("商居联盟")

# The city the merchant pages' map links search in (alliance.models.Merchant.map_url), e.g. 兰州市;
# empty lets the map app search around the resident's own city.
MAP_CITY = os.environ.get("MAP_CITY", "")

# Intake notifications: staff mails may come from a monitored office address; None means
# DEFAULT_FROM_EMAIL. SMS go through a pluggable backend whose default only logs (number masked).
STAFF_NOTIFICATION_FROM_EMAIL = os.environ.get("STAFF_NOTIFICATION_FROM_EMAIL") or None
SMS_BACKEND = os.environ.get("SMS_BACKEND", "portal.sms.LogSMSBackend")

# Sign-in by SMS code (accounts/signin.py): codes are this long and live this many seconds; a number
# gets a new code at most every COOLDOWN seconds and PER_NUMBER times a day; a client may ask for
# PER_CLIENT codes and try ATTEMPTS_PER_CLIENT codes an hour. Wrong codes back off exponentially.
SIGN_IN_CODE_LENGTH = 6
SIGN_IN_CODE_VALID_SECONDS = int(os.environ.get("SIGN_IN_CODE_VALID_SECONDS", 5 * 60))
SIGN_IN_CODE_COOLDOWN = int(os.environ.get("SIGN_IN_CODE_COOLDOWN", 60))
SIGN_IN_CODES_PER_NUMBER = int(os.environ.get("SIGN_IN_CODES_PER_NUMBER", 8))
SIGN_IN_CODES_PER_CLIENT = int(os.environ.get("SIGN_IN_CODES_PER_CLIENT", 20))
SIGN_IN_ATTEMPTS_PER_CLIENT = int(os.environ.get("SIGN_IN_ATTEMPTS_PER_CLIENT", 30))
SIGN_IN_THROTTLE_FACTOR = 1

# Volunteer points (points/): a spend code lives this long; a resident spends at most this much per
# visit and per day. Residents' points expire after POINTS_VALID_YEARS calendar years
# (`manage.py expire_points`, run from cron early in January).
POINTS_CODE_VALID_SECONDS = int(os.environ.get("POINTS_CODE_VALID_SECONDS", 5 * 60))
POINTS_MAX_PER_VISIT = int(os.environ.get("POINTS_MAX_PER_VISIT", 20))
POINTS_MAX_PER_DAY = int(os.environ.get("POINTS_MAX_PER_DAY", 50))
# Calendar years points stay valid: 1 = until the end of the year they were earned in.
POINTS_VALID_YEARS = int(os.environ.get("POINTS_VALID_YEARS", 1))
# A printed card's PIN: after this many wrong tries in a row the card rests for POINTS_CARD_LOCK_SECONDS.
POINTS_CARD_PIN_TRIES = int(os.environ.get("POINTS_CARD_PIN_TRIES", 5))
POINTS_CARD_LOCK_SECONDS = int(os.environ.get("POINTS_CARD_LOCK_SECONDS", 30 * 60))
# Wrong spend codes one desk may look up per 10 minutes before it must wait (guessing live codes).
POINTS_DESK_WRONG_CODES = int(os.environ.get("POINTS_DESK_WRONG_CODES", 20))

# Intake abuse protection (forms/abuse.py, portal/ratelimit.py). Behind N reverse proxies set TRUSTED_PROXY_COUNT=N,
# or every client counts as the proxy's address; X-Forwarded-For is never trusted beyond that.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
INTAKE_MIN_FILL_SECONDS = int(os.environ.get("INTAKE_MIN_FILL_SECONDS", 8))
INTAKE_SUBMISSION_LIMIT = int(os.environ.get("INTAKE_SUBMISSION_LIMIT", 5))  # completed wizards per client
INTAKE_TRACK_LIMIT = int(os.environ.get("INTAKE_TRACK_LIMIT", 10))  # tracking lookups per client per 15 min
INTAKE_SUBMISSION_WINDOW = int(os.environ.get("INTAKE_SUBMISSION_WINDOW", 60 * 60))  # seconds
# Wrong reference + digits tries on one reference (from any client) per hour before it is refused for a while.
INTAKE_TRACK_TRIES_PER_REFERENCE = int(os.environ.get("INTAKE_TRACK_TRIES_PER_REFERENCE", 10))
# Private links (forms/proofs.py): a browser that proved it may see a case or an application keeps that
# proof this long (seconds), never the secret; the thank-you page shows a new link for this long.
PRIVATE_LINK_SESSION_SECONDS = int(os.environ.get("PRIVATE_LINK_SESSION_SECONDS", 2 * 60 * 60))
PRIVATE_LINK_SHOWN_SECONDS = int(os.environ.get("PRIVATE_LINK_SHOWN_SECONDS", 60 * 60))

# Content-Security-Policy (django-csp; portal/security.py). The public site runs no inline script
# and needs no nonce: the anonymous full-page cache would freeze a nonce into stored pages.
# The one inline <style> is that of the self-contained 400, 500 and 503 pages (the same rule),
# allowed by its hash; tests/security/test_inline_code.py fails if any page's style changes.
CSP_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF, "'sha256-mf5p4G6B2Tl14kWeRhxgAOrStN/lA0aGMCIZv/MwWXM='"],
        "img-src": [CSP_SELF, "data:"],
        "object-src": ["'none'"],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": ["'none'"],
    }
}
# The Wagtail admin (signed-in staff only) has its own, looser policy: Wagtail's templates carry
# inline scripts and styles (chooser and form set-up, StreamField, user lists) whose content
# changes per page, so neither hashes nor nonces can cover them. It frames its own preview
# panel, and its dashboard checks releases.wagtail.org for updates.
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [CSP_SELF, "'unsafe-inline'"],
        "style-src": [CSP_SELF, "'unsafe-inline'"],
        "img-src": [CSP_SELF, "data:", "blob:"],
        "connect-src": [CSP_SELF, "https://releases.wagtail.org"],
        "frame-ancestors": [CSP_SELF],
    }
}

# Admin login throttle (portal/security.py): failed logins counted per username and per client in
# the cache; at the limit, further attempts are refused until the window (seconds) has passed.
WAGTAILADMIN_USER_LOGIN_FORM = "portal.security.ThrottledLoginForm"
ADMIN_LOGIN_FAILURE_LIMIT = int(os.environ.get("ADMIN_LOGIN_FAILURE_LIMIT", 5))  # per username
ADMIN_LOGIN_CLIENT_FAILURE_LIMIT = int(os.environ.get("ADMIN_LOGIN_CLIENT_FAILURE_LIMIT", 20))  # per client
ADMIN_LOGIN_FAILURE_WINDOW = int(os.environ.get("ADMIN_LOGIN_FAILURE_WINDOW", 15 * 60))

# Admin password reset (portal/passwordreset.py): requests counted per address and per client in the
# cache; past either limit within the window (seconds) no mail is sent, and the page answers the same.
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "portal.passwordreset.ThrottledPasswordResetForm"  # noqa: S105 - a dotted path
PASSWORD_RESET_EMAILS_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_EMAILS_PER_ADDRESS", 3))
PASSWORD_RESET_REQUESTS_PER_CLIENT = int(os.environ.get("PASSWORD_RESET_REQUESTS_PER_CLIENT", 10))
PASSWORD_RESET_WINDOW = int(os.environ.get("PASSWORD_RESET_WINDOW", 60 * 60))

# Logging: Django's own configuration, every handler behind the filter that blanks secrets carried in
# URL paths (private links, password-reset tokens; portal/redaction.py). dev.py and production.py add
# handlers through `with_redaction`, so theirs are filtered too.
REDACT_FILTER = {"redact_secrets": {"()": "portal.redaction.RedactSecretsFilter"}}


def with_redaction(config):
    """A copy of a LOGGING dict whose every handler runs the redaction filter."""
    config = copy.deepcopy(config)
    config.setdefault("filters", {}).update(REDACT_FILTER)
    for handler in config.get("handlers", {}).values():
        # First, so it runs even when a later filter drops the record for this handler: the record
        # travels on to the parent loggers' handlers already cleaned.
        handler["filters"] = ["redact_secrets", *(f for f in handler.get("filters", []) if f != "redact_secrets")]
    return config


LOGGING = with_redaction(DEFAULT_LOGGING)

# Open311 GeoReport v2 (casework/open311.py): POSTs per API key per window, and how long the same
# content from the same key counts as a repeat (one case) when the client sends no idempotency key.
OPEN311_POST_LIMIT = int(os.environ.get("OPEN311_POST_LIMIT", 120))
OPEN311_POST_WINDOW = int(os.environ.get("OPEN311_POST_WINDOW", 60 * 60))
OPEN311_REPEAT_WINDOW = int(os.environ.get("OPEN311_REPEAT_WINDOW", 10 * 60))
