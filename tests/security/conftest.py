"""Fixtures for the security tests: production's security settings, a site with every public page type."""

import datetime
import importlib
import re
import sys

import pytest
from django.utils import timezone

from tests import factories as f
from tests.e2e.conftest import browser  # noqa: F401 - the e2e tests' Chromium fixture, reused

# What production.py sets for HTTPS, headers, cookies and the CSP; copied onto the test settings so
# the real middleware stack answers as it would in production, on the test database.
SECURITY_SETTINGS = [
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_DOMAIN",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_PATH",
    "CSRF_COOKIE_DOMAIN",
    "CONTENT_SECURITY_POLICY",
    "CONTENT_SECURITY_POLICY_ADMIN",
]

# Variables of the developer's shell or CI that would change what production.py builds.
ENVIRONMENT_PREFIXES = ("SECURE_", "AWS_", "CSP_", "SESSION_", "CSRF_")


def load_production(monkeypatch, **environ):
    """Import portal.settings.production afresh under a realistic environment; returns the module."""
    import os

    for name in list(os.environ):
        if name.startswith(ENVIRONMENT_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SECRET_KEY", "security-tests-" + "x" * 50)
    monkeypatch.setenv("ALLOWED_HOSTS", "shangju.example.cn")
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("portal.settings.production", None)
    try:
        return importlib.import_module("portal.settings.production")
    finally:
        # Never left behind: the next import must read the environment again.
        sys.modules.pop("portal.settings.production", None)


@pytest.fixture
def production(settings, monkeypatch):
    """The test settings with production's security settings on; requests must come over HTTPS."""
    module = load_production(monkeypatch)
    for name in SECURITY_SETTINGS:
        setattr(settings, name, getattr(module, name))
    return module


# What a TLS-terminating proxy in front of production adds (SECURE_PROXY_SSL_HEADER).
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}


def csp(response, header="Content-Security-Policy"):
    """The policy of a response as {directive: [sources]}."""
    assert header in response, f"no {header} header"
    policy = {}
    for part in response[header].split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


@pytest.fixture
def site(home):
    """One page of every public type, with the data that makes each render its full template."""
    dongmen = f.community(name="东门社区", slug="dongmen")
    f.grid(dongmen, name="第一网格")
    f.office_settings(office_name="和平街道商居联盟", hotline="0931-12345678", address="解放路 1 号")
    noodles = f.merchant(name="老王面馆", community_=dongmen, offers="老人九折")
    roll = f.honour_roll(title="2026年第三季度红黑榜", honours=[(noodles, "red_flag", "装了油烟净化器")])
    start = (timezone.localtime() + datetime.timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    notice = f.notice(title="东门便民集市", start=start, community=dongmen)
    news = f.news(title="东门社区召开月月谈", community=dongmen, tags=["议事"], intro="商户居民共商油烟治理。")
    about = f.standard_page(title="关于商居联盟")
    f.convention()  # the apply wizard opens only with a published convention to sign
    return {
        "home": "/",
        "standard page": about.url,
        "news index": "/news/",
        "news page": news.url,
        "notice index": "/notices/",
        "notice page": notice.url,
        "honour roll index": "/honour-rolls/",
        "honour roll": roll.url,
        "merchant directory": "/merchants/",
        "merchant detail": f"/merchants/{noodles.pk}/",
        "search": "/search/?q=面馆",
        "report wizard": "/report/",
        "apply wizard": "/apply/",
        "track": "/track/",
        "not found": "/no-such-page/",
    }


def cookie_header(response, name):
    """The raw Set-Cookie line for `name` (attributes included), as the browser receives it."""
    assert name in response.cookies, f"{name} not set; set: {list(response.cookies)}"
    return response.cookies[name].output(header="").strip()


def has_attribute(cookie_line, attribute):
    return re.search(rf"(^|;)\s*{attribute}(=|;|$)", cookie_line, re.IGNORECASE) is not None
