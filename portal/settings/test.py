"""Fast, self-contained test settings; DATABASE_URL switches the suite to PostgreSQL."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "wizard_uploads": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests of the page cache turn it on for themselves; elsewhere a cached page would hide changes.
PAGE_CACHE_SECONDS = 0
CONTENT_CACHE_SECONDS = 0
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"
if not os.environ.get("DATABASE_URL"):
    # A file, not :memory:, so concurrency tests see the same database from threads.
    # Named per process so several test runs on one machine never share a file.
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405 - git-ignored, so absent in a fresh clone
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
SMS_BACKEND = "portal.sms.LocMemSMSBackend"
# Test clients fill a wizard in milliseconds; tests of the minimum fill time override this.
INTAKE_MIN_FILL_SECONDS = 0
