"""Issue 10, item 21: the admin's password reset cannot be used to flood a mailbox or probe for staff.

Requests are counted per address and per client (portal/ratelimit.py's cache counters): past the
limits no more mail goes out, and every answer is the same redirect to the same page whether the
address belongs to a user, to nobody, or has been asked for too often. Mail is sent by a task
after the response, so the answer takes no longer for a real address either.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db

RESET = "/admin/password_reset/"
DONE = "/admin/password_reset/done/"
ADDRESS = "zhangwei@example.cn"


@pytest.fixture
def staff():
    return get_user_model().objects.create_user("zhangwei", email=ADDRESS, password="正确的密码-2026")


def ask(client, email, capture):
    with capture(execute=True):
        response = client.post(RESET, {"email": email})
    return response.status_code, response.get("Location")


def test_thirty_one_requests_in_a_second_send_at_most_the_limit(staff, settings, django_capture_on_commit_callbacks):
    limit = settings.PASSWORD_RESET_EMAILS_PER_ADDRESS
    assert 1 <= limit <= 5
    answers = {
        ask(Client(REMOTE_ADDR=f"203.0.113.{n}"), ADDRESS, django_capture_on_commit_callbacks) for n in range(31)
    }
    assert answers == {(302, DONE)}
    assert len(mail.outbox) == limit
    assert all(message.to == [ADDRESS] for message in mail.outbox)
    assert "/admin/password_reset/confirm/" in mail.outbox[0].body


def test_one_client_is_throttled_across_addresses(staff, settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_RESET_REQUESTS_PER_CLIENT = 4
    users = get_user_model().objects
    for n in range(6):
        users.create_user(f"staff{n}", email=f"staff{n}@example.cn", password="正确的密码-2026")
    client = Client(REMOTE_ADDR="198.51.100.7")
    answers = {ask(client, f"staff{n}@example.cn", django_capture_on_commit_callbacks) for n in range(6)}
    assert answers == {(302, DONE)}
    assert len(mail.outbox) == 4
    # Another client is not held back by this one.
    assert ask(Client(REMOTE_ADDR="192.0.2.1"), ADDRESS, django_capture_on_commit_callbacks) == (302, DONE)
    assert mail.outbox[-1].to == [ADDRESS]


def test_unknown_and_known_addresses_get_the_same_answer(staff, django_capture_on_commit_callbacks):
    known = ask(Client(REMOTE_ADDR="203.0.113.1"), ADDRESS, django_capture_on_commit_callbacks)
    unknown = ask(Client(REMOTE_ADDR="203.0.113.2"), "nobody@example.cn", django_capture_on_commit_callbacks)
    assert known == unknown == (302, DONE)
    assert [message.to for message in mail.outbox] == [[ADDRESS]]


def test_the_address_is_counted_whatever_its_case(staff, settings, django_capture_on_commit_callbacks):
    for n in range(settings.PASSWORD_RESET_EMAILS_PER_ADDRESS + 2):
        email = ADDRESS.upper() if n % 2 else ADDRESS
        ask(Client(REMOTE_ADDR=f"203.0.113.{n}"), email, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == settings.PASSWORD_RESET_EMAILS_PER_ADDRESS


def test_no_mail_is_sent_inside_the_request(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert Client().post(RESET, {"email": ADDRESS}).status_code == 302
    assert mail.outbox == [] and len(callbacks) == 1


@pytest.mark.parametrize("address", [ADDRESS, "nobody@example.cn"])
def test_past_the_limit_the_page_says_so_plainly_the_same_for_any_address(
    staff, settings, address, django_capture_on_commit_callbacks
):
    """Issue 10 leftover: an over-limit request gets a plain Chinese note on the done page (nothing
    sent, look in the mailbox, try again in an hour), worded alike for a real and an unknown address."""
    client = Client(REMOTE_ADDR="203.0.113.50")
    for _n in range(settings.PASSWORD_RESET_EMAILS_PER_ADDRESS):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(RESET, {"email": address})
        assert "申请太频繁" not in client.get(DONE).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET, {"email": address}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(DONE, 302)]
    assert "重置密码的申请太频繁，这次没有再发送邮件" in page
    assert f"{settings.PASSWORD_RESET_WINDOW // 60} 分钟后再试" in page
    assert address not in page  # the note names no address and says nothing of an account
    # Shown once: reloading the page does not repeat it.
    assert "申请太频繁" not in client.get(DONE).content.decode()
