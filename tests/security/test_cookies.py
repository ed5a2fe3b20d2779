"""Session and CSRF cookies as production sets them: __Host- names, Secure, Path=/, no Domain."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from casework.models import CaseCategory
from tests.security.production import HTTPS, cookie_header, has_attribute

pytestmark = pytest.mark.django_db

PASSWORD = "正确的密码-2026"


def assert_host_prefixed(line):
    # What browsers require of a __Host- cookie; one missing and the browser drops the cookie.
    assert has_attribute(line, "Secure"), line
    assert has_attribute(line, "Path") and "Path=/;" in line + ";", line
    assert not has_attribute(line, "Domain"), line


def test_report_wizard_sets_host_prefixed_csrf_and_session_cookies(client, production, home):
    response = client.get("/report/", **HTTPS)

    assert response.status_code == 200
    assert set(response.cookies) == {"__Host-csrftoken", "__Host-sessionid"}
    csrf = cookie_header(response, "__Host-csrftoken")
    session = cookie_header(response, "__Host-sessionid")
    assert_host_prefixed(csrf)
    assert_host_prefixed(session)
    assert has_attribute(session, "HttpOnly")  # no script reads the session id
    assert "SameSite=Lax" in session and "SameSite=Lax" in csrf


def test_the_wizard_still_works_with_the_renamed_cookies(client, production, home):
    """The CSRF check and the wizard's session state both find their renamed cookies."""

    key = client.get("/report/", **HTTPS).context["submission_key"]
    category = CaseCategory.objects.get(slug="noise")
    response = client.post(
        "/report/",
        {"report_wizard-current_step": "category", "submission_key": key, "category-category": category.pk},
        **HTTPS,
    )
    assert response.status_code == 200
    assert "第 2 步，共 6 步" in response.content.decode()


def test_a_post_without_the_host_csrf_cookie_is_refused(production, home):

    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/admin/login/", **HTTPS)
    token = page.context["csrf_token"]
    browser.cookies.pop("__Host-csrftoken")
    # A cookie under the old name (as a subdomain could plant) does not count.
    browser.cookies["csrftoken"] = token

    response = browser.post("/admin/login/", {"username": "x", "password": "y", "csrfmiddlewaretoken": token}, **HTTPS)

    assert response.status_code == 403


def test_admin_login_sets_a_host_prefixed_session_cookie(client, production, home):
    get_user_model().objects.create_superuser("zhangwei", password=PASSWORD)

    response = client.post("/admin/login/", {"username": "zhangwei", "password": PASSWORD}, **HTTPS)

    assert response.status_code == 302 and response["Location"] == "/admin/"
    session = cookie_header(response, "__Host-sessionid")
    assert_host_prefixed(session)
    assert has_attribute(session, "HttpOnly")
    assert "sessionid" not in response.cookies  # nothing under the old name
    assert client.get("/admin/", **HTTPS).status_code == 200
