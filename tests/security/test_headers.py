"""Security headers as production sends them: HSTS, nosniff, Referrer-Policy, framing, and the CSP."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from tests import factories as f
from tests.security.production import HTTPS, csp, load_production

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


@pytest.fixture
def admin_client(client, production):
    # After `production`: the session cookie is named by the settings in force at login.
    user = get_user_model().objects.create_superuser("zhangwei", password="正确的密码-2026")
    client.force_login(user)
    return client


def assert_production_headers(response, frame_options="DENY"):
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == frame_options


def assert_public_policy(response):
    policy = csp(response)
    for directive, sources in STRICT.items():
        assert policy[directive] == sources, (directive, policy)
    # No inline script in any form: no 'unsafe-inline', no nonce, no hash for scripts.
    assert not [s for s in policy["script-src"] if s != "'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    return policy


def test_public_pages_carry_the_production_headers_and_the_strict_policy(client, production, home):
    pages = {"/": "首页", "/report/": "我要反映问题", "/merchants/": "联盟商户", "/no-such-page/": None}
    for url, text in pages.items():
        response = client.get(url, **HTTPS)

        assert response.status_code == (200 if text else 404), url
        if text:
            assert text in response.content.decode(), url
        assert_production_headers(response)
        policy = assert_public_policy(response)
        assert policy["form-action"] == ["'self'"]  # the wizards post to our own origin only


def test_admin_login_has_the_headers_and_the_admins_own_policy(client, production):
    response = client.get("/admin/login/", **HTTPS)

    assert response.status_code == 200
    assert_production_headers(response)
    policy = csp(response)
    # Wagtail's inline scripts and styles are allowed in the admin only; the rest stays tight.
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"]  # its own preview panel, nobody else


def test_admin_dashboard_for_a_signed_in_editor(admin_client, production):
    response = admin_client.get("/admin/", **HTTPS)

    assert response.status_code == 200
    assert_production_headers(response)
    assert csp(response)["connect-src"] == ["'self'", "https://releases.wagtail.org"]


def test_page_preview_shows_the_public_policy_but_may_sit_in_the_preview_panel(admin_client, production, home):
    response = admin_client.get(f"/admin/pages/{home.pk}/view_draft/", **HTTPS)

    assert response.status_code == 200
    assert "跳到正文" in response.content.decode()  # the public page template, as visitors get it
    policy = csp(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"]


def test_plain_http_is_redirected_to_https_without_hsts(client, production):
    response = client.get("/merchants/?community=dongmen")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/merchants/?community=dongmen"
    # HSTS over plain HTTP means nothing and browsers ignore it; Django rightly leaves it off.
    assert "Strict-Transport-Security" not in response


def test_hsts_preload_and_subdomains_can_be_turned_off(monkeypatch):
    module = load_production(monkeypatch, SECURE_HSTS_PRELOAD="0", SECURE_HSTS_INCLUDE_SUBDOMAINS="false")
    assert module.SECURE_HSTS_PRELOAD is False
    assert module.SECURE_HSTS_INCLUDE_SUBDOMAINS is False
    assert module.SECURE_HSTS_SECONDS == 60 * 60 * 24 * 365


@pytest.mark.parametrize(
    ("environ", "origins"),
    [
        ({"AWS_S3_CUSTOM_DOMAIN": "media.shangju.example.cn"}, ["https://media.shangju.example.cn"]),
        (
            {"AWS_S3_ENDPOINT_URL": "https://oss-cn-hangzhou.example.cn"},
            ["https://oss-cn-hangzhou.example.cn", "https://shangju-media.oss-cn-hangzhou.example.cn"],
        ),
        (
            {"AWS_S3_REGION_NAME": "cn-north-1"},
            ["https://shangju-media.s3.amazonaws.com", "https://shangju-media.s3.cn-north-1.amazonaws.com"],
        ),
        ({"CSP_MEDIA_ORIGINS": "https://img.example.cn, https://cdn.example.cn"}, None),
    ],
)
def test_images_from_s3_media_are_allowed_in_both_policies(monkeypatch, environ, origins):

    before = [*settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]]
    module = load_production(monkeypatch, AWS_STORAGE_BUCKET_NAME="shangju-media", **environ)

    expected = origins or ["https://img.example.cn", "https://cdn.example.cn"]
    assert module.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] == ["'self'", "data:", *expected]
    assert module.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]["img-src"] == ["'self'", "data:", "blob:", *expected]
    assert module.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] == ["'self'"]
    # base.py's policy (what this process runs with) is untouched.
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] == before


def test_without_s3_images_come_from_our_own_origin_only(monkeypatch):
    module = load_production(monkeypatch)
    assert module.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] == ["'self'", "data:"]


def test_a_page_served_from_the_anonymous_page_cache_keeps_every_header(client, production, home, settings):

    settings.PAGE_CACHE_SECONDS = 300
    f.office_settings()  # created on first use otherwise, which (rightly) empties the page cache
    first = client.get("/merchants/", **HTTPS)
    again = client.get("/merchants/", **HTTPS)

    assert again["X-Page-Cache"] == "hit", first.get("X-Page-Cache")
    assert_production_headers(again)
    assert_public_policy(again)
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
