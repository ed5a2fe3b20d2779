"""Merchant application notifications: the office hears of new applications, the applicant of the outcome."""

import pytest
from django.core import mail
from django.db import transaction

from forms.apply.notifications import notify_application_update, notify_new_application
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_must_succeed")]


def sent_to():
    return sorted(address for message in mail.outbox for address in message.to)


def test_new_application_emails_the_moderators(notified_staff, sms_outbox, django_capture_on_commit_callbacks):
    application = f.application(grid_=notified_staff["grid"], email="shop@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notify_new_application(application)
    assert sent_to() == ["both@example.org", "moderator@example.org"]
    message = mail.outbox[0]
    assert application.reference in message.subject and application.shop_name in message.body
    assert "http://testserver/admin/" in message.body
    sent = "\n".join([m.subject + m.body for m in mail.outbox] + [message.text for message in sms_outbox])
    assert application.mobile not in sent and "李建国" not in sent


@pytest.mark.parametrize(
    "state,note,expected",
    [
        ("more_info", "请补充营业执照照片", "请补充营业执照照片"),
        ("approved", "", "欢迎加入"),
        ("rejected", "不在本社区", "不在本社区"),
    ],
)
def test_applicant_hears_the_review_outcome(
    notified_staff, sms_outbox, django_capture_on_commit_callbacks, state, note, expected
):
    application = f.application(grid_=notified_staff["grid"], email="shop@example.com", state=state, review_note=note)
    with django_capture_on_commit_callbacks(execute=True):
        notify_application_update(application)
    assert sent_to() == ["shop@example.com"] and expected in mail.outbox[0].body
    assert application.reference in mail.outbox[0].subject
    assert [message.mobile for message in sms_outbox] == [application.mobile]


def test_application_update_in_rolled_back_transaction_sends_nothing(
    notified_staff, sms_outbox, django_capture_on_commit_callbacks
):
    application = f.application(grid_=notified_staff["grid"], email="shop@example.com", state="approved")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                notify_application_update(application)
                raise RuntimeError("the review failed")
    assert callbacks == [] and mail.outbox == [] and sms_outbox == []
