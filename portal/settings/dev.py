"""The embedded default used by `make run`: SQLite, local memory cache, DEBUG on."""

import os

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-not-for-production")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# The demo sub-district is in Lanzhou (0931): the shops' map links search there.
MAP_CITY = os.environ.get("MAP_CITY", "兰州市")
# Off while developing, so a template edit shows at once; PAGE_CACHE_SECONDS=300 tries it out.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 0))
# The log SMS backend (the embedded default) prints each SMS here, so a newcomer signing in as a
# demo resident reads the code in the `make run` window.
LOGGING = with_redaction(
    {
        **LOGGING,
        "formatters": {**LOGGING.get("formatters", {}), "plain": {"format": "%(message)s"}},
        "handlers": {**LOGGING["handlers"], "sms": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "loggers": {**LOGGING["loggers"], "portal.sms": {"handlers": ["sms"], "level": "INFO", "propagate": False}},
    }
)
