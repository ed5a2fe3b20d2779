"""Production: everything that differs comes from the environment; no secret in code.

Required: SECRET_KEY, ALLOWED_HOSTS. Read when set: DATABASE_URL (base.py; PostgreSQL in a real
deployment), REDIS_URL (with REDIS_TIMEOUT, CACHE_KEY_PREFIX), CSRF_TRUSTED_ORIGINS,
MEDIA_ROOT / STATIC_ROOT (base.py), the AWS_* media variables, EMAIL_*, SECURE_SSL_REDIRECT,
SECURE_HSTS_SECONDS, SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD, CSP_MEDIA_ORIGINS,
WAGTAILADMIN_BASE_URL, LOG_LEVEL (and ADMIN_LOGIN_* in base.py).

WAGTAILADMIN_BASE_URL (default https://<first of ALLOWED_HOSTS>) is also the site's address that
`migrate` gives the Wagtail Site while it still has the first migration's localhost placeholder;
every absolute URL the portal hands out is built from that Site (portal/siteaddress.py).

WAGTAILADMIN_BASE_URL (default https://<first of ALLOWED_HOSTS>) is also the site's address that
`migrate` gives the Wagtail Site while it still has the first migration's localhost placeholder;
every absolute URL the portal hands out is built from that Site (portal/siteaddress.py).
"""

import json
import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False


def env_list(name):
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def env_flag(name, default):
    return os.environ.get(name, "1" if default else "0").strip().lower() in ("1", "true", "yes", "on")


def s3_media_origins(bucket, custom_domain=None, endpoint_url=None, region=None):
    """The origins S3Storage builds media URLs on (virtual-hosted and path style both covered)."""
    if custom_domain:
        return [f"https://{custom_domain}"]
    if endpoint_url:
        parsed = urlsplit(endpoint_url)
        return [f"{parsed.scheme}://{parsed.netloc}", f"{parsed.scheme}://{bucket}.{parsed.netloc}"]
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return origins


def with_image_origins(policy, origins):
    """A copy of a django-csp policy whose img-src also allows `origins` (base.py's stays as it is)."""
    directives = policy["DIRECTIVES"]
    return {**policy, "DIRECTIVES": {**directives, "img-src": [*directives["img-src"], *origins]}}


SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Production settings refuse to start without it: put a long random value "
        "(50+ characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))') in the environment."
    )
# Old keys still accepted for signatures while sessions and password-reset links roll over to the new one.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    # With DEBUG off Django would answer every request with 400; failing here says why.
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set: give the site's host names, comma-separated.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS") or [
    f"https://{host}" for host in ALLOWED_HOSTS if host != "*" and not host.startswith(".")
]

# Several app servers share one Redis; without it each process has its own memory cache, which is
# only right for a single process (the benchmark, a trial install).
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    # Redis down or hung never fails a page (portal/sharedcache.py); REDIS_TIMEOUT bounds each wait.
    CACHES = redis_caches(
        REDIS_URL,
        prefix=os.environ.get("CACHE_KEY_PREFIX", "shangju"),
        timeout=float(os.environ.get("REDIS_TIMEOUT", 0.5)),
    )
    # Sessions stay in the database alone (Django's default engine), not cached_db: a logout or a
    # sign-in's new session key written while Redis drops writes would leave the old session in
    # Redis, alive again when Redis returns. One indexed query per request that carries a session.
else:
    # One publish must empty every process's caches, so pages and their parts are cached only in Redis.
    PAGE_CACHE_SECONDS = 0
    CONTENT_CACHE_SECONDS = 0
    # Each process would have its own generation: an ETag from one could hide another's publish.
    HTTP_CONDITIONAL_GET = False

# Tasks are stored in the database and run by `manage.py db_worker`, so no web request waits on them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Static files: whitenoise serves them with hashed names (cacheable forever) and gzip copies.
# Media: a local folder (MEDIA_ROOT) by default, S3-compatible storage when a bucket is named.
STORAGES = {
    **STORAGES,  # keeps the private storages of base.py
    "default": {"BACKEND": SAFE_NAME_STORAGE},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    # Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, read by boto3 itself.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "default_acl": None,
            "querystring_auth": env_flag("AWS_QUERYSTRING_AUTH", True),
            # Wagtail renditions and uploads must never silently replace another file of the same name.
            "file_overwrite": False,
        },
    }

# Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preload makes `check --deploy` clean; a deployment whose domain has HTTP-only subdomains turns it
# (and SECURE_HSTS_INCLUDE_SUBDOMAINS) off, since a preload entry takes months to undo.
SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Private links (/track/link/…, /apply/status/…) carry secrets in the path: never send them to other sites.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# __Host- cookies: the browser accepts them only when Secure, Path=/ and without Domain, so no
# subdomain or plain-HTTP page can plant or overwrite a session or CSRF cookie.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_PATH = "/"
CSRF_COOKIE_PATH = "/"
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None

# Media on S3-compatible storage is served from another origin: images may come from there too.
# CSP_MEDIA_ORIGINS (comma-separated) names it when it cannot be derived from the AWS_* variables.
CSP_MEDIA_ORIGINS = env_list("CSP_MEDIA_ORIGINS")
if os.environ.get("AWS_STORAGE_BUCKET_NAME") and not CSP_MEDIA_ORIGINS:
    CSP_MEDIA_ORIGINS = s3_media_origins(
        os.environ["AWS_STORAGE_BUCKET_NAME"],
        custom_domain=os.environ.get("AWS_S3_CUSTOM_DOMAIN"),
        endpoint_url=os.environ.get("AWS_S3_ENDPOINT_URL"),
        region=os.environ.get("AWS_S3_REGION_NAME"),
    )


if CSP_MEDIA_ORIGINS:
    CONTENT_SECURITY_POLICY = with_image_origins(CONTENT_SECURITY_POLICY, CSP_MEDIA_ORIGINS)
    CONTENT_SECURITY_POLICY_ADMIN = with_image_origins(CONTENT_SECURITY_POLICY_ADMIN, CSP_MEDIA_ORIGINS)

WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", f"https://{ALLOWED_HOSTS[0].lstrip('.')}")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_flag("EMAIL_USE_SSL", False)
# From the site's own domain, not noreply@localhost, which receiving servers refuse or file as spam.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"noreply@{urlsplit(WAGTAILADMIN_BASE_URL).hostname}")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL

# Alibaba Cloud SMS when SMS_BACKEND=portal.sms.AliyunSMSBackend: the key pair, the approved signature
# and one approved template code per kind of message, e.g.
# SMS_ALIYUN_TEMPLATES='{"sign_in_code": "SMS_...", "case_update": "SMS_...", "application_update": "SMS_..."}'.
# Changing one's mobile sends "mobile_change_code" (param code) and "mobile_changed" (param mobile, masked).
SMS_ALIYUN = {
    "ACCESS_KEY_ID": os.environ.get("ALIYUN_SMS_ACCESS_KEY_ID", ""),
    "ACCESS_KEY_SECRET": os.environ.get("ALIYUN_SMS_ACCESS_KEY_SECRET", ""),
    "SIGN_NAME": os.environ.get("ALIYUN_SMS_SIGN_NAME", ""),
    "TEMPLATES": json.loads(os.environ.get("SMS_ALIYUN_TEMPLATES") or "{}"),
    "ENDPOINT": os.environ.get("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
}

# Django's loggers as in base.py (their handlers redacting too), and everything to stderr.
LOGGING = with_redaction(
    {
        **LOGGING,
        "handlers": {**LOGGING["handlers"], "stderr": {"class": "logging.StreamHandler"}},
        "root": {"handlers": ["stderr"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    }
)
