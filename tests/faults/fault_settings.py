"""Settings for the server subprocesses of tests/faults: production-like, armed for crashes.

The base settings with DEBUG off (so error pages are the real ones), files on disk under
PRIVATE_MEDIA_ROOT, the database from SQLITE_PATH or DATABASE_URL, production's Redis caches when
REDIS_URL is set, and fault injection on:
portal/faults.py kills the process at the point named by SHANGJU_KILL_AT.
"""

import os

from portal.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "faults-test-only-key"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
STORAGES = {
    **STORAGES,  # noqa: F405 - private and wizard storages on disk, as in production
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},  # no collectstatic
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "portal.sms.LocMemSMSBackend"
INTAKE_FAULT_INJECTION = True
# Every simulated resident comes from 127.0.0.1 and fills the wizard in milliseconds.
INTAKE_MIN_FILL_SECONDS = 0
INTAKE_SUBMISSION_LIMIT = 1_000_000
# The caches production builds for REDIS_URL (test_cache_outage.py points it at a dead port).
if os.environ.get("REDIS_URL"):
    CACHES = redis_caches(os.environ["REDIS_URL"], prefix="shangju-faults")  # noqa: F405
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
