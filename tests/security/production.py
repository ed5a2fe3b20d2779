"""Production's security settings, loaded for tests, and readers of what the responses say."""

import importlib
import os
import re
import sys

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


def cookie_header(response, name):
    """The raw Set-Cookie line for `name` (attributes included), as the browser receives it."""
    assert name in response.cookies, f"{name} not set; set: {list(response.cookies)}"
    return response.cookies[name].output(header="").strip()


def has_attribute(cookie_line, attribute):
    return re.search(rf"(^|;)\s*{attribute}(=|;|$)", cookie_line, re.IGNORECASE) is not None
