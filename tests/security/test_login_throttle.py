"""The admin login refuses further attempts after repeated failures, per username and per client."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "正确的密码-2026"
LOCKED = "登录失败次数过多，已暂时锁定。请 15 分钟后再试，或联系系统管理员。"
WRONG = "密码不匹配，请重试"  # Wagtail's own message in Chinese


@pytest.fixture
def editor():
    return get_user_model().objects.create_superuser("zhangwei", password=PASSWORD)


def login(client, username, password, **extra):
    return client.post("/admin/login/", {"username": username, "password": password}, **extra)


def signed_in(client):
    return client.get("/admin/").status_code == 200


def fail(client, username, times, **extra):
    for _ in range(times):
        response = login(client, username, "猜的密码", **extra)
        assert response.status_code == 200
        assert LOCKED not in response.content.decode()


def test_after_five_failures_even_the_right_password_is_refused(client, editor, settings):
    assert settings.ADMIN_LOGIN_FAILURE_LIMIT == 5
    fail(client, "zhangwei", 5)

    response = login(client, "zhangwei", PASSWORD)

    assert response.status_code == 200  # the login form again, not a 500
    text = response.content.decode()
    assert LOCKED in text
    assert 'name="password"' in text
    assert not signed_in(client)


def test_lockout_counts_the_username_whatever_its_case_and_from_any_client(editor):
    fail(Client(REMOTE_ADDR="203.0.113.7"), "ZhangWei", 3)
    fail(Client(REMOTE_ADDR="198.51.100.20"), "zhangwei ", 2)

    elsewhere = Client(REMOTE_ADDR="192.0.2.99")
    response = login(elsewhere, "zhangwei", PASSWORD)

    assert LOCKED in response.content.decode()
    assert not signed_in(elsewhere)


def test_four_failures_then_the_right_password_gets_in_and_clears_the_count(client, editor):
    fail(client, "zhangwei", 4)

    response = login(client, "zhangwei", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert signed_in(client)

    # The owner's success wiped their own typos: four more failures are still allowed.
    typist = Client()
    fail(typist, "zhangwei", 4)
    assert login(typist, "zhangwei", PASSWORD).status_code == 302


def test_one_client_guessing_many_usernames_is_locked_out(editor, settings):
    settings.ADMIN_LOGIN_CLIENT_FAILURE_LIMIT = 6
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(6):
        fail(attacker, f"user{n}", 1)  # never five on one name

    response = login(attacker, "zhangwei", PASSWORD)
    assert LOCKED in response.content.decode()
    assert not signed_in(attacker)

    # The same account from another client is not locked: zhangwei only had failures from one name each.
    office = Client(REMOTE_ADDR="198.51.100.20")
    assert login(office, "zhangwei", PASSWORD).status_code == 302
    assert signed_in(office)


def test_a_forged_forwarded_for_header_does_not_escape_the_client_limit(editor, settings):
    settings.ADMIN_LOGIN_CLIENT_FAILURE_LIMIT = 3
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(3):
        fail(attacker, f"user{n}", 1, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

    response = login(attacker, "zhangwei", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert LOCKED in response.content.decode()


def test_wrong_password_shows_the_usual_message_before_the_limit(client, editor):
    response = login(client, "zhangwei", "猜的密码")

    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert LOCKED not in response.content.decode()


@pytest.mark.parametrize("data", [{}, {"username": "", "password": ""}, {"username": "zhangwei"}])
def test_incomplete_posts_neither_crash_nor_count(client, editor, data):
    for _ in range(6):
        response = client.post("/admin/login/", data)
        assert response.status_code == 200
    assert login(client, "zhangwei", PASSWORD).status_code == 302


def test_a_post_without_a_password_does_not_wipe_the_count(client, editor):
    fail(client, "zhangwei", 4)
    assert client.post("/admin/login/", {"username": "zhangwei"}).status_code == 200
    fail(client, "zhangwei", 1)

    assert LOCKED in login(client, "zhangwei", PASSWORD).content.decode()
